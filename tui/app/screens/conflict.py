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
from ...core.merge import FieldConflict, Side, merge_data
from ...core.paths import PathError
from ...core.schema import Form
from ..model import change_line, clone, shown
from ..widgets.fields import MISSING


def shown_side(value: Any) -> str:
    """One side of a conflict: a deleted row or field reads 已删除."""
    return "（已删除）" if value is MISSING else shown(value)


def merge(
    base: dict[str, Any], disk: dict[str, Any], mine: dict[str, Any], keep_mine: set[str]
) -> dict[str, Any]:
    """Disk's changes and mine, merged field by field with rows matched by identity (the
    core's merge, as ``sync`` does it); where both changed a field, mine only if its key (or
    path) is in ``keep_mine``."""
    _first, result = merge_data(base, mine, disk)
    choices: dict[str, Side] = {
        c.key: "ours" if (c.key in keep_mine or c.path in keep_mine) else "theirs"
        for c in result.conflicts
    }
    return merge_data(base, mine, disk, choices)[0]


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
        self.both: list[FieldConflict] = merge_data(base, mine, disk)[1].conflicts

    def _label(self, d: FieldChange | FieldConflict) -> str:
        try:
            return self.form.label(d.path) if self.form else d.path
        except (PathError, ValueError):
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
                            f"{self._label(c)}：对方 {shown_side(c.theirs)} / 我 {shown_side(c.ours)}",
                            c.key,
                            True,
                        )
                        for c in self.both
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
