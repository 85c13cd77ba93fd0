"""Export: pick a table and a format, preview it, write it to a file (``tui.core.export``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from ...core.export import (
    BINARY_FORMATS,
    DEFAULT_FORMAT,
    FORMATS,
    TABLE_TITLES,
    TABLES,
    ExportError,
    export_table,
)
from ...core.schema import Form
from ...core.store import atomic_write
from ..model import clone
from ..widgets.footer import KeyFooter
from ..widgets.text import visible

EXTENSIONS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "html": "html",
    "latex": "tex",
    "github": "md",
    "pipe": "md",
    "tsv": "tsv",
}


DOCUMENT = "document"  # the whole 申报书 as the form's Word document (tui.core.document)
DOCUMENT_TITLE = "申报书（Word 文档 .docx）"


class ExportScreen(Screen[None]):
    """The export of the case as it is in the editor (unsaved edits included)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "write", "写入文件", id="export.write", priority=True),
        Binding("escape", "app.pop_screen", "返回", id="export.back"),
    ]

    def __init__(self, case_id: str, data: dict[str, Any], form: Form) -> None:
        super().__init__()
        self.case_id = case_id
        self.data = clone(data)
        self.form = form
        self.output: str | bytes = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.case_id} · 导出"), id="export-title")
        with Horizontal(id="export-choices"):
            yield Select(
                [(TABLE_TITLES.get(t, t), t) for t in TABLES] + [(DOCUMENT_TITLE, DOCUMENT)],
                value="annex1",
                allow_blank=False,
                id="table",
                compact=True,
            )
            yield Select(
                [(f, f) for f in FORMATS],
                value=DEFAULT_FORMAT,
                allow_blank=False,
                id="format",
                compact=True,
            )
        yield Label("写入文件（ctrl+s）：")
        yield Input(id="export-file", compact=True)
        yield ScrollableContainer(Static(id="preview"), id="preview-box", can_focus=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._suggest_file()
        self._preview()

    def _choice(self) -> tuple[str, str]:
        return str(self.query_one("#table", Select).value), str(
            self.query_one("#format", Select).value
        )

    def _suggest_file(self) -> None:
        table, fmt = self._choice()
        ext = "docx" if table == DOCUMENT else EXTENSIONS.get(fmt, "txt")
        self.query_one("#export-file", Input).value = str(
            Path.cwd() / f"{self.case_id}-{table}.{ext}"
        )

    @on(Select.Changed)
    def _changed(self) -> None:
        self._suggest_file()
        self._preview()

    @work(thread=True, exclusive=True, group="export")
    def _preview(self) -> None:
        table, fmt = self._choice()
        if table == DOCUMENT:
            from ...core.document.write import document_bytes

            self.app.call_from_thread(self._show, document_bytes(self.data, self.form), "docx")
            return
        try:
            output = export_table(self.data, self.form, table, fmt)
        except ExportError as exc:
            self.app.call_from_thread(self._show, str(exc), "")
            return
        self.app.call_from_thread(self._show, output, fmt)

    def _show(self, output: str | bytes, fmt: str) -> None:
        self.output = output
        preview = self.query_one("#preview", Static)
        if fmt == "docx":
            preview.update(
                Text(
                    f"（申报书 Word 文档：封面、信用承诺书、一至五、附件1–3，{len(output)} 字节；"
                    "ctrl+s 写入 .docx 文件，打印后签字盖章）"
                )
            )
        elif isinstance(output, bytes) or fmt in BINARY_FORMATS:
            preview.update(Text(f"（{fmt} 为二进制格式，不能预览；{len(output)} 字节）"))
        else:
            preview.update(Text(visible(output), no_wrap=True, overflow="ignore"))

    def action_write(self) -> None:
        target = Path(self.query_one("#export-file", Input).value).expanduser()
        if not self.output:
            self.notify("没有可写入的内容", severity="warning")
            return
        if not target.parent.is_dir():
            self.notify(
                f"目录 {target.parent} 不存在；请改写文件路径", severity="error", markup=False
            )
            return
        raw = self.output if isinstance(self.output, bytes) else self.output.encode("utf-8")
        try:
            atomic_write(target, raw)
        except OSError as exc:
            self.notify(f"未写入 {target}：{exc.strerror}", severity="error", markup=False)
            return
        self.notify(f"已写入 {target}（{len(raw)} 字节）", markup=False)

    def palette_commands(self) -> list[SystemCommand]:
        return [SystemCommand("写入文件", "把预览的内容写入文件 (ctrl+s)", self.action_write)]
