"""A new case's ``case.toml``, generated from the form's schema with the Chinese label of every key."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import tomlkit
import wcwidth

from .editor_schema import schema_line
from .schema import Form

_SKIP_ROWS = {"annex1", "annex2"}


def _default(node: dict[str, Any]) -> Any:
    kind = node.get("type")
    if kind == "integer":
        return 0
    if kind == "number":
        return 0.0
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return ""


COMMENT_COLUMN = 34


def _pad(text: str) -> str:
    """``text`` padded to the comment column by display width (CJK characters are two wide)."""
    width = wcwidth.wcswidth(text)
    return text + " " * max(1, COMMENT_COLUMN - (width if width >= 0 else len(text)))


def _line(key: str, value: Any, comment: str) -> str:
    text = f"{key} = {tomlkit.item(value).as_string()}"
    return f"{_pad(text)}# {comment}" if comment else text


def _sample(node: dict[str, Any]) -> Any:
    """A value that shows the shape of a field in a commented-out example row."""
    if node.get("format") == "date":
        return date(2022, 1, 1)
    if "enum" in node:
        return node["enum"][0]
    if node.get("type") == "array":
        return [f"attachments/{node.get('items', {}).get('title', '文件')}.pdf"]
    return _default(node)


def _table_lines(node: dict[str, Any], header: str, form: Form | None) -> list[str]:
    lines: list[str] = []
    scalars = []
    subtables = []
    for key, child in node.get("properties", {}).items():
        if child.get("type") == "object" or (
            child.get("type") == "array" and child.get("items", {}).get("type") == "object"
        ):
            subtables.append((key, child))
        else:
            scalars.append((key, child))
    for key, child in scalars:
        if child.get("format") == "date":
            # TOML has no empty date: an optional date is a commented-out example line
            lines.append("# " + _line(key, _sample(child), child.get("title", "")))
            continue
        value = _default(child)
        if key == "status":
            value = "draft"
        lines.append(_line(key, value, child.get("title", "")))
    for key, child in subtables:
        lines.append("")
        lines.extend(_section(child, f"{header}.{key}", form))
    return lines


def _section(node: dict[str, Any], header: str, form: Form | None = None) -> list[str]:
    title = node.get("title", "")
    if node.get("type") == "array":
        items = node["items"]
        kind = node.get("x-periods")
        labels = [p.label for p in form.periods(kind)] if form and kind else []
        name = header.rsplit(".", 1)[-1]
        if name in _SKIP_ROWS or (not labels and not node.get("minItems")):
            # No row yet: a commented-out row names every key with its label.
            sample = [f"# {title}：按需添加行（用 anjuan 或编辑器），每行形如：", f"# [[{header}]]"]
            for key, child in items.get("properties", {}).items():
                sample.append("# " + _line(key, _sample(child), child.get("title", "")))
            return sample
        out: list[str] = []
        row_labels: list[str | None] = list(labels) or [None]
        key_col = node.get("x-row-key", ["period"])[0]
        for i, label in enumerate(row_labels):
            if i:
                out.append("")
            out.append(f"{_pad('[[' + header + ']]')}# {title}" if i == 0 else f"[[{header}]]")
            for key, child in items.get("properties", {}).items():
                if child.get("type") == "array" or child.get("format") == "date":
                    continue
                value = label if (label is not None and key == key_col) else _default(child)
                out.append(_line(key, value, child.get("title", "") if i == 0 else ""))
        return out
    out = [f"{_pad('[' + header + ']')}# {title}"]
    out.extend(_table_lines(node, header, form))
    return out


def template_text(form: Form, case_dir: Path) -> str:
    """The text of a blank draft of ``form``; its ``#:schema`` line points at the editor
    schema that ``init`` and ``new`` keep in the cases folder (the same path in every clone)."""
    lines = [
        schema_line(form),
        f"# {form.title}",
        "# 由 anjuan new 生成：每个键后的注释是申报书上的栏目名称。",
        _line("form", form.name, "申报书类别（schema/<form>.schema.json）"),
    ]
    for key, node in form.schema.get("properties", {}).items():
        if key == "form":
            continue
        lines.append("")
        lines.extend(_section(node, key, form))
    return "\n".join(lines) + "\n"
