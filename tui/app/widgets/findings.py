"""The findings panel: every finding of the case; Enter jumps to its field."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.findings import Finding
from ...core.schema import Form
from .fields import finding_line


class FindingsPanel(OptionList):
    """A list of findings labelled with the field's Chinese name."""

    class Jump(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def show(self, findings: list[Finding], form: Form | None) -> None:
        # errors first, then warnings, then waived: what stops a submission comes first
        order = {"error": 0, "warning": 1}
        findings = sorted(
            findings, key=lambda f: (f.waived_by is not None, order.get(f.severity, 2))
        )
        if self.option_count and findings == getattr(self, "findings", None):
            return  # the same findings (a re-check that changed nothing): keep the list
        self.findings = findings
        highlighted = self.highlighted
        self.clear_options()
        options = []
        for i, f in enumerate(findings):
            where = f.path or f.file
            if f.path and form is not None:
                try:
                    where = form.label(f.path)
                except ValueError:
                    where = f.path
            if f.message.startswith(where.split(" ")[0]):
                where = ""  # the message already names the field
            options.append(Option(finding_line(f, where), id=str(i)))
        if not options:
            options.append(Option(Text("没有发现问题", style="green"), id="none", disabled=True))
        self.add_options(options)
        if options:
            self.highlighted = 0 if highlighted is None else min(highlighted, len(options) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.isdigit():
            finding = self.findings[int(event.option.id)]
            if finding.path:
                self.post_message(self.Jump(finding.path))
