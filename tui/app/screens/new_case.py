"""Ask for a new case's ID (checked as typed with the core's own rule)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Static

from ...core.repo import CaseIdError, check_case_id
from .dialogs import Dialog


class CaseIdValidator(Validator):
    def __init__(self, taken: list[str]) -> None:
        super().__init__()
        self.taken = set(taken)

    def validate(self, value: str) -> ValidationResult:
        try:
            check_case_id(value)
        except CaseIdError as exc:
            return self.failure(str(exc))
        if value in self.taken:
            return self.failure(f"案卷 {value} 已存在；请换一个编号")
        return self.success()


class NewCaseScreen(Dialog[str | None]):
    """The new case's ID; dismisses None on Esc."""

    def __init__(self, taken: list[str]) -> None:
        super().__init__()
        self.taken = taken

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("新建案卷：输入编号（如 XH-2022-002），Enter 确定，Esc 取消")
            yield Input(id="case-id", validators=[CaseIdValidator(self.taken)], compact=True)
            yield Static("", id="case-id-problem", classes="problem")

    @on(Input.Changed, "#case-id")
    def _changed(self, event: Input.Changed) -> None:
        problem = self.query_one("#case-id-problem", Static)
        result = event.validation_result
        text = (
            ""
            if result is None or result.is_valid or not event.value
            else result.failure_descriptions[0]
        )
        problem.update(Text(text))

    @on(Input.Submitted, "#case-id")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and event.validation_result.is_valid:
            self.dismiss(event.value)
