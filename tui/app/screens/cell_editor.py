"""Edit one cell of a row table: the same inputs and checks as the form's fields."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..widgets.fields import MISSING, FieldRow, enum_titles, kind_of

CANCELLED: Any = object()


class CellEditorScreen(ModalScreen[Any]):
    """Enter keeps the value, Esc leaves the cell as it was (dismisses CANCELLED)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="dialog.cancel")
    ]

    def __init__(self, path: str, node: dict[str, Any], label: str, value: Any) -> None:
        super().__init__()
        self.path = path
        self.node = node
        self.label = label
        self.value = value
        self.kind = kind_of(node)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog cell-editor"):
            if self.kind == "enum":
                yield Static(Text(self.label, style="bold"))
                options = [Option(t, id=v) for t, v in enum_titles(self.node)]
                options.append(Option("（清空）", id="\0"))
                yield OptionList(*options, id="choices")
            else:
                yield FieldRow(self.path, self.node, self.label, self.value)
                yield Static("Enter 确定 · Esc 取消", classes="hint")

    def on_mount(self) -> None:
        if self.kind == "enum":
            choices = self.query_one("#choices", OptionList)
            choices.focus()
            if isinstance(self.value, str) and self.value in self.node["enum"]:
                choices.highlighted = self.node["enum"].index(self.value)
        else:
            self.query_one(FieldRow).focus_input()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(MISSING if event.option.id == "\0" else event.option.id)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        row = self.query_one(FieldRow)
        if row.typing_invalid:
            self.notify(row.typing_problem, severity="error", markup=False)
            return
        self.dismiss(row.value)

    def action_cancel(self) -> None:
        self.dismiss(CANCELLED)
