"""The editor's working copy of a case: edits with undo/redo, and how a change reads.

Kept apart from the widgets so that undo, dirty state and merges are plain data. What
changed between two versions is the core's ``tui.core.edit.diff_data`` (the one diff of the
product: the save preview lists exactly what the commit will).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.edit import FieldChange, clone, short_value
from ..core.paths import MISSING, Part, format_path, get_at
from .widgets.text import plain


@dataclass
class Edit:
    path: tuple[Part, ...]
    old: Any
    new: Any
    typing: bool = False  # consecutive keystrokes in one field coalesce into one undo step


def put(data: dict[str, Any], parts: Sequence[Part], value: Any) -> None:
    """Set (or, with MISSING, remove) the value at a path, creating tables on the way."""
    cur: Any = data
    for part in parts[:-1]:
        cur = cur[part - 1] if isinstance(part, int) else cur.setdefault(part, {})
    last = parts[-1]
    if isinstance(last, int):
        cur[last - 1] = value
    elif value is MISSING:
        cur.pop(last, None)
    else:
        cur[last] = value


class EditModel:
    """The case data being edited, the version it started from, and the undo/redo stacks."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.saved = data
        self.data = clone(data)
        self.undo_stack: list[Edit] = []
        self.redo_stack: list[Edit] = []

    @property
    def dirty(self) -> bool:
        return bool(self.data != self.saved)

    def get(self, parts: Sequence[Part]) -> Any:
        return get_at(self.data, parts, MISSING)

    def set(self, parts: Sequence[Part], value: Any, typing: bool = False) -> bool:
        """Record an edit; False (and nothing recorded) when the value is what it was."""
        parts = tuple(parts)
        old = self.get(parts)  # put() below replaces it in data: the record keeps it alone
        if old == value and old is not MISSING:
            return False
        last = self.undo_stack[-1] if self.undo_stack else None
        if typing and last is not None and last.typing and last.path == parts:
            last.new = clone(value)
        else:
            self.undo_stack.append(Edit(parts, old, clone(value), typing))
        self.redo_stack.clear()
        put(self.data, parts, clone(value))
        return True

    def undo(self) -> Edit | None:
        if not self.undo_stack:
            return None
        edit = self.undo_stack.pop()
        put(self.data, edit.path, clone(edit.old))
        self.redo_stack.append(edit)
        return edit

    def redo(self) -> Edit | None:
        if not self.redo_stack:
            return None
        edit = self.redo_stack.pop()
        put(self.data, edit.path, clone(edit.new))
        self.undo_stack.append(edit)
        return edit

    def mark_saved(self, saved: dict[str, Any], data: dict[str, Any] | None = None) -> None:
        """After a save, a reload or a merge: ``saved`` (not changed afterwards) is what is
        on disk now and the new starting point; ``data``, when given, what is edited now."""
        self.saved = saved
        if data is not None:
            self.data = data
        self.undo_stack.clear()
        self.redo_stack.clear()


def flatten(data: Any, prefix: tuple[Part, ...] = ()) -> dict[str, Any]:
    """Every leaf of a case by field path (rows 1-based); lists of plain values are one leaf."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, (*prefix, key)))
    elif isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        for n, row in enumerate(data, 1):
            out.update(flatten(row, (*prefix, n)))
    else:
        out[format_path(prefix)] = data
    return out


def shown(value: Any) -> str:
    """A value in one line of a change list: empty as （空）, a row or table in TOML form."""
    if value is None or value is MISSING or value == "" or value == {}:
        return "（空）"
    if isinstance(value, dict):
        return short_value(value)
    return plain(value)


def change_line(label: str, change: FieldChange) -> str:
    """``推送信息数量：1200 → 1500``; a row added or removed is one line, as the commit says."""
    if change.path.endswith("]") and change.old is None:
        return f"{label}：新增一行 {shown(change.new)}"
    if change.path.endswith("]") and change.new is None:
        return f"{label}：删除一行 {shown(change.old)}"
    return f"{label}：{shown(change.old)} → {shown(change.new)}"
