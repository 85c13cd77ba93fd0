"""The form: a JSON Schema (2020-12) file in ``schema/`` that answers "what is this field".

Labels (``title``), types, enumerations and every figure of the guide (``x-guide``) are
read from the schema file, so next year's guide is a new file, not a code change.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .paths import Part, PathError, parse_path

FORM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
REVIEW_SCHEMA = "review"


def schema_dir() -> Path:
    """Where the forms live: ``$ANJUAN_SCHEMA_DIR``, else inside the installed package
    (``tui/forms``, which in a clone is a link to the top-level ``schema/``)."""
    env = os.environ.get("ANJUAN_SCHEMA_DIR")
    if env:
        return Path(env)
    return Path(str(resources.files("tui") / "forms"))


class FormError(LookupError):
    """No schema file for a form name."""


@dataclass(frozen=True)
class Period:
    label: str
    start: date | None = None
    end: date | None = None

    def contains(self, day: date) -> bool:
        return self.start is not None and self.end is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class RuleMeta:
    rule: str
    severity: str
    waivable: bool
    draft_severity: str | None = None
    empty_severity: str | None = None


@dataclass(eq=False)
class Form:
    """One form (申报书) and its guide's figures, loaded from one schema file."""

    name: str
    schema: dict[str, Any]
    guide: dict[str, Any] = field(init=False)
    rules: dict[str, RuleMeta] = field(init=False)

    def __post_init__(self) -> None:
        self.guide = self.schema.get("x-guide", {})
        self.rules = {
            rid: RuleMeta(
                rid,
                meta["severity"],
                bool(meta.get("waivable")),
                meta.get("draft_severity"),
                meta.get("empty_severity"),
            )
            for rid, meta in self.guide.get("rules", {}).items()
        }

    # --- the guide's figures -------------------------------------------------------------
    @property
    def title(self) -> str:
        return str(self.schema.get("title", self.name))

    def periods(self, kind: str = "periods") -> list[Period]:
        out = []
        for p in self.guide.get(kind, []):
            start = date.fromisoformat(p["from"]) if "from" in p else None
            end = date.fromisoformat(p["to"]) if "to" in p else None
            out.append(Period(p["label"], start, end))
        return out

    def figure(self, key: str) -> Any:
        """A figure of the guide; decimals are written as strings in the schema and read exactly."""
        value = self.guide[key]
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return Decimal(value)
        return value

    @property
    def start_date(self) -> date:
        return date.fromisoformat(self.guide["start_date"])

    def waivable(self, rule: str) -> bool:
        meta = self.rules.get(rule)
        return bool(meta and meta.waivable)

    # --- fields ------------------------------------------------------------------------
    def node(self, path: str | tuple[Part, ...]) -> dict[str, Any] | None:
        """The schema node of a field path (rows by number), or None if the form has no such field."""
        try:
            parts = parse_path(path) if isinstance(path, str) else path
        except PathError:
            return None
        node: dict[str, Any] = self.schema
        for part in parts:
            if isinstance(part, int):
                if node.get("type") != "array" or "items" not in node:
                    return None
                node = node["items"]
            else:
                props = node.get("properties")
                if node.get("type") != "object" or not props or part not in props:
                    return None
                node = props[part]
        return node

    def label(self, path: str | tuple[Part, ...]) -> str:
        """The Chinese label of a field with its context: ``项目负责人 手机``, ``附件1 第3行 专利号``."""
        parts = parse_path(path) if isinstance(path, str) else path
        words: list[str] = []
        node: dict[str, Any] | None = self.schema
        for i, part in enumerate(parts):
            if node is None:
                words.append(str(part))
                continue
            if isinstance(part, int):
                words.append(f"第{part}行")
                node = node.get("items")
                continue
            props = node.get("properties", {})
            node = props.get(part)
            if node is None:
                words.append(part)
                continue
            title = node.get("title", part)
            if i == 0 and "x-section" in node:
                title = short_section_title(title)
            if i > 0 or len(parts) == 1 or node.get("type") == "array":
                words.append(title)
        return " ".join(words)

    def sections(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(key, title, node) of the form's sections, in the form's order."""
        props = self.schema.get("properties", {})
        return [(k, v.get("title", k), v) for k, v in props.items() if "x-section" in v]


def short_section_title(title: str) -> str:
    """``一、申报单位基本信息`` stays; ``附件1：2021年…清单`` becomes ``附件1``."""
    if title.startswith("附件"):
        return title.split("：", 1)[0]
    return title


@cache
def _load(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def load_form(name: str) -> Form:
    """The form called ``name`` (``schema/<name>.schema.json``); FormError if there is none."""
    if not isinstance(name, str) or not FORM_NAME.match(name) or name == REVIEW_SCHEMA:
        raise FormError(name)
    path = schema_dir() / f"{name}.schema.json"
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise FormError(name) from exc
    return _form(str(path), mtime, name)


@cache
def _form(path: str, mtime: float, name: str) -> Form:
    return Form(name, _load(path, mtime))


def load_review_schema() -> dict[str, Any]:
    path = schema_dir() / f"{REVIEW_SCHEMA}.schema.json"
    return _load(str(path), path.stat().st_mtime)


def available_forms() -> list[str]:
    return sorted(
        p.name.removesuffix(".schema.json")
        for p in schema_dir().glob("*.schema.json")
        if p.name != f"{REVIEW_SCHEMA}.schema.json"
    )
