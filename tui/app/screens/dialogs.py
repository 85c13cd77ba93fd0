"""Small questions: confirm leaving with unsaved edits, the reason for a save; and
``Dialog``, what every small question shares (Esc cancels)."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A small question over the screen; Esc cancels it (dismisses ``cancelled``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="dialog.cancel")
    ]
    cancelled: Any = None

    def action_cancel(self) -> None:
        self.dismiss(self.cancelled)


class ChoiceScreen(Dialog[str]):
    """A question with buttons; dismisses with the chosen button's id (``cancel`` on Esc)."""

    cancelled = "cancel"

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            with Horizontal(classes="buttons"):
                for cid, title in self.choices:
                    yield Button(title, id=cid, compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")


class ReasonScreen(Dialog[str | None]):
    """The optional reason recorded with a save (Enter saves, Esc goes back to editing)."""

    def __init__(self, changes: list[str]) -> None:
        super().__init__()
        self.changes = changes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("保存并提交。修改的字段：")
            shown = self.changes[:6] + (
                [f"……共 {len(self.changes)} 处"] if len(self.changes) > 6 else []
            )
            yield Static(Text("\n".join(shown)), classes="changes")
            yield Label("理由（可不填），Enter 保存，Esc 返回编辑：")
            yield Input(id="reason", placeholder="如：按评审意见更正到账金额", compact=True)

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())
