"""The form's structure as data: which field sits under which printed label, in which table.

Labels are the schema's ``title`` texts; the fixed texts of the printed form (cover, 信用承诺书,
五's declaration, hints, notes, annex headers) are the schema's ``x-form`` data. Nothing here
is a field value: it is what the writer prints and what the reader looks for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..schema import Form

TICKED = "☑"
UNTICKED = "□"
TOTAL = "合计"
TOTAL_WORDS = frozenset({"合计", "总计"})
# What people type for a ticked box / an empty one.
TICKS = frozenset("☑■√✓✔☒⊠▣●◉✗✘xX")
BOXES = frozenset("□☐○◯")
GUIDE_ONLY_TASK = "指南绩效目标"  # the guide's extra target rows: not on the printed form


def norm(text: str) -> str:
    """A label as compared: full-width folded, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Period:
    """A period sub-table of 二: its title, its rows' key column and its value columns."""

    key: str  # foundation.<key>
    title: str
    key_col: str
    columns: tuple[tuple[str, str], ...]  # (field key, header as printed)
    totals: tuple[str, ...]
    labels: tuple[str, ...]  # the form's period labels


@dataclass(frozen=True)
class Target:
    key: str
    task: str
    item: str


def xform(form: Form) -> dict[str, Any]:
    value = form.schema.get("x-form", {})
    return value if isinstance(value, dict) else {}


def title(form: Form, path: str) -> str:
    node = form.node(path) or {}
    return str(node.get("title", path.rsplit(".", 1)[-1]))


def hint(form: Form, path: str) -> str:
    return str(xform(form).get("hints", {}).get(path, ""))


@lru_cache(maxsize=8)
def periods(form: Form) -> tuple[Period, ...]:
    node = form.node("foundation") or {}
    out = []
    for key, sub in node.get("properties", {}).items():
        if sub.get("type") != "array" or "x-periods" not in sub:
            continue
        key_col = sub.get("x-row-key", ["period"])[0]
        props = sub.get("items", {}).get("properties", {})
        cols = tuple((k, str(v.get("title", k))) for k, v in props.items() if k != key_col)
        labels = tuple(p.label for p in form.periods(sub["x-periods"]))
        out.append(
            Period(
                key,
                str(sub.get("title", key)),
                key_col,
                cols,
                tuple(sub.get("x-total", [])),
                labels,
            )
        )
    return tuple(out)


@lru_cache(maxsize=8)
def targets(form: Form) -> tuple[Target, ...]:
    """三's rows as printed: 任务 and 指标项 (the task's words taken off the schema's title)."""
    node = form.node("targets") or {}
    out = []
    for key, sub in node.get("properties", {}).items():
        task = str(sub.get("x-task", ""))
        if task == GUIDE_ONLY_TASK:
            continue
        name = re.sub(r"^\d+\.", "", task)
        item = str(sub.get("title", key))
        if name and item.startswith(name):
            item = item[len(name) :].strip()
        if item == name:
            item = ""
        out.append(Target(key, task, item))
    return tuple(out)


def choices(form: Form, path: str) -> list[str]:
    node = form.node(path) or {}
    if node.get("type") == "array":
        node = node.get("items", {})
    return [str(v) for v in node.get("enum", [])]


def other_key(form: Form, path: str) -> str | None:
    node = form.node(path) or {}
    value = node.get("x-other")
    return str(value) if value else None


# 一: (row label, path) — or a group row (label, [(sub label, path), …]) of 项目负责人/联系人.
ONE_ROWS: tuple[tuple[str, Any], ...] = (
    ("park_name", None),
    ("park_category", "choice"),
    ("industries", "multi"),
    ("name", None),
    ("address", None),
    ("credit_code", None),
    ("legal_rep", None),
    ("lead", (("name", "title"), ("landline", "mobile"))),
    ("contact", (("name", "mobile"), ("landline", "fax"))),
    ("mail_address", None),
    ("postcode+email", None),
    ("overview", "text"),
)
FOUNDATION_COUNTS = ("enterprises", "smes", "high_tech", "specialized")
PLAN_SECTIONS = ("unit_overview", "operations", "arrangement", "objectives", "other")
