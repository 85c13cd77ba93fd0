"""New case from a filled Word 申报书: ask for the file and the ID, then show what was read."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from .dialogs import Dialog
from .new_case import CaseIdValidator


class FromDocxScreen(Dialog[tuple[str, str] | None]):
    """The .docx path and the new case's ID; dismisses (path, id), or None on Esc."""

    def __init__(self, taken: list[str], suggested: str) -> None:
        super().__init__()
        self.taken = taken
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("从 Word 申报书新建案卷：填好的 .docx 文件路径")
            yield Input(id="docx-path", placeholder="/路径/申报书.docx", compact=True)
            yield Label("新案卷编号（Enter 读入，Esc 取消）")
            yield Input(
                self.suggested,
                id="docx-case-id",
                validators=[CaseIdValidator(self.taken)],
                compact=True,
            )
            yield Static("", id="docx-problem", classes="problem")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        path = self.query_one("#docx-path", Input).value.strip()
        case_id = self.query_one("#docx-case-id", Input)
        problem = self.query_one("#docx-problem", Static)
        if not path:
            problem.update(Text("请填写 .docx 文件路径"))
            self.query_one("#docx-path", Input).focus()
            return
        result = case_id.validate(case_id.value)
        if result is not None and not result.is_valid:
            problem.update(Text(result.failure_descriptions[0]))
            case_id.focus()
            return
        self.dismiss((path, case_id.value))


class DocxReportScreen(Dialog[None]):
    """What was read from the file: the new case (or why none), unread fields, findings."""

    def __init__(self, report: str) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("读入结果（Esc 关闭）")
            with VerticalScroll(id="docx-report-box"):
                yield Static(Text(self.report), id="docx-report")
