"""The file changed on disk since it was opened: show what changed, reload or merge.

Never overwrites: the person's edits are kept unless they choose to reload. A field that
both sides changed is decided field by field (ticked = keep mine).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList, Static

from ...core.edit import FieldChange, diff_data
from ...core.paths import PathError, parse_path
from ...core.schema import Form
from ..model import change_line, clone, put, shown
from ..widgets.fields import MISSING


def merge(
    base: dict[str, Any], disk: dict[str, Any], mine: dict[str, Any], keep_mine: set[str]
) -> dict[str, Any]:
    """Disk's version with my edits applied; where both changed a field, mine only if kept."""
    theirs = {d.path for d in diff_data(base, disk)}
    merged = clone(disk)
    for d in diff_data(base, mine):
        if d.path in theirs and d.path not in keep_mine:
            continue
        parts = parse_path(d.path)
        if not (isinstance(parts[-1], int) and (d.old is None or d.new is None)):
            try:
                put(merged, parts, MISSING if d.new is None else clone(d.new))
                continue
            except (IndexError, KeyError, TypeError, AttributeError):
                pass  # the rows differ on disk
        # rows were added or removed: take my whole table
        first_row = next((i for i, p in enumerate(parts) if isinstance(p, int)), len(parts))
        table = parts[:first_row]
        value: Any = mine
        for p in table:
            value = value[p]
        put(merged, table, clone(value))
    return merged


class ConflictScreen(ModalScreen[dict[str, Any] | None]):
    """Dismisses the merged data to keep editing, or None to go back unchanged."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "返回编辑", id="dialog.cancel"),
        Binding("m", "choose('merge')", "合并", id="conflict.merge"),
        Binding("r", "choose('reload')", "重新载入", id="conflict.reload"),
    ]

    def __init__(
        self, form: Form | None, base: dict[str, Any], disk: dict[str, Any], mine: dict[str, Any]
    ) -> None:
        super().__init__()
        self.form = form
        self.base, self.disk, self.mine = base, disk, mine
        self.theirs = diff_data(base, disk)
        self.my_changes = {d.path: d for d in diff_data(base, mine)}
        self.both = [
            d
            for d in self.theirs
            if d.path in self.my_changes and self.my_changes[d.path].new != d.new
        ]

    def _label(self, d: FieldChange) -> str:
        try:
            return self.form.label(d.path) if self.form else d.path
        except PathError:
            return d.path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog conflict"):
            yield Label("案卷文件在你打开之后已被修改（他人保存或手工编辑）。未覆盖任何内容。")
            lines = [Text(f"对方修改了 {len(self.theirs)} 处：", style="bold")]
            for d in self.theirs:
                lines.append(Text("  " + change_line(self._label(d), d)))
            lines.append(Text(f"你修改了 {len(self.my_changes)} 处。", style="bold"))
            yield VerticalScroll(Static(Text("\n").join(lines)), classes="conflict-diff")
            if self.both:
                yield Label("双方都改了的字段（勾选 = 保留我的）：")
                yield SelectionList[str](
                    *[
                        (
                            f"{self._label(d)}：对方 {shown(d.new)} / 我 {shown(self.my_changes[d.path].new)}",
                            d.path,
                            True,
                        )
                        for d in self.both
                    ],
                    id="keep",
                )
            with Horizontal(classes="buttons"):
                yield Button("m 合并（保留我的修改）", id="merge", compact=True)
                yield Button("r 重新载入（放弃我的修改）", id="reload", compact=True)
                yield Button("Esc 返回编辑", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#merge", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        if choice == "merge":
            keep: set[str] = set()
            lists = self.query("#keep")
            if lists:
                keep = set(lists.first(SelectionList).selected)
            self.dismiss(merge(self.base, self.disk, self.mine, keep))
        elif choice == "reload":
            self.dismiss(clone(self.disk))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
