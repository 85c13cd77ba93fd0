"""Form fields built from the schema: one ``FieldRow`` per scalar field of the form.

The kind of input follows the schema node: counts and amounts refuse letters (``restrict``),
dates and decimals are checked as typed, ``x-check`` fields use the core's own check
functions (``tui.core.ids``) through ``Validator`` subclasses, enumerations are a ``Select``,
the 主导产业 list a ``SelectionList``, ``x-widget = textarea`` a ``TextArea``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, SelectionList, Static, TextArea

from ...core.case import show_controls
from ...core.findings import Finding
from ...core.ids import CHECKS
from ...core.paths import MISSING
from .text import plain


def kind_of(node: dict[str, Any]) -> str:
    """What input a schema node gets: text, textarea, date, int, number, bool, enum, multi, list."""
    t = node.get("type")
    if t == "string":
        if node.get("format") == "date":
            return "date"
        if "enum" in node:
            return "enum"
        return "textarea" if node.get("x-widget") == "textarea" else "text"
    if t == "integer":
        return "int"
    if t == "number":
        return "number"
    if t == "boolean":
        return "bool"
    if t == "array":
        items = node.get("items", {})
        if "enum" in items:
            return "multi"
        return "list"
    return "text"


def display_text(node: dict[str, Any], value: Any) -> str:
    """The text an Input shows for a value (the exact value, not a rounded one). Control
    characters (terminal escapes, bidi overrides) show as visible codes such as ``\\x1b``,
    never raw: the value is data, and a raw escape would drive the reviewer's terminal. An
    untouched field keeps its value; an edited one saves the text as shown."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, list):
        return show_controls("；".join(str(v) for v in value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return show_controls(str(value))


@dataclass(frozen=True)
class Parsed:
    ok: bool
    value: Any = MISSING
    problem: str = ""


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_text(node: dict[str, Any], text: str) -> Parsed:
    """Turn typed text into the value the case file holds, or say why it cannot be right."""
    kind = kind_of(node)
    if kind == "int":
        if not text:
            return Parsed(True)
        if not text.isdigit():
            return Parsed(False, problem="应为不小于 0 的整数")
        return Parsed(True, int(text))
    if kind == "number":
        if not text:
            return Parsed(True)
        try:
            number = Decimal(text)
        except InvalidOperation:
            return Parsed(False, problem="应为数字，如 12.5")
        if not number.is_finite() or number < 0:
            return Parsed(False, problem="应为不小于 0 的数字")
        places = node.get("x-decimals")
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            unit = node.get("x-unit", "")
            return Parsed(False, problem=f"最多 {places} 位小数（单位{unit}）")
        return Parsed(True, int(number) if "." not in text else number)
    if kind == "date":
        if not text:
            return Parsed(True)
        m = _DATE.match(text)
        if not m:
            return Parsed(False, problem="日期应写成 年-月-日，如 2022-03-11")
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            return Parsed(False, problem=f"没有 {month} 月；月份应为 01-12")
        try:
            return Parsed(True, date(year, month, day))
        except ValueError:
            return Parsed(False, problem=f"{year}年{month}月没有 {day} 日")
    if kind == "list":
        parts = [p.strip() for p in re.split(r"[；;]", text)]
        return Parsed(True, [p for p in parts if p])
    check = CHECKS.get(node.get("x-check", ""))
    if check is not None and text.strip():
        problem = check(text)
        if problem is not None:
            return Parsed(True, text, problem[1])  # kept (a draft may be incomplete), but flagged
    return Parsed(True, text)


class SchemaValidator(Validator):
    """As-you-type check of one field: the same parsing and ``tui.core.ids`` checks as the rules."""

    def __init__(self, node: dict[str, Any]) -> None:
        super().__init__()
        self.node = node

    def validate(self, value: str) -> ValidationResult:
        parsed = parse_text(self.node, value)
        return self.failure(parsed.problem) if parsed.problem else self.success()


RESTRICT = {
    "int": r"[0-9]*",
    "number": r"[0-9]*\.?[0-9]*",
    "date": r"[0-9]{0,4}(-[0-9]{0,2}(-[0-9]{0,2})?)?",
}
MAX_LENGTH = {"date": 10, "int": 12}


def make_input(node: dict[str, Any], value: Any, widget_id: str, cls: type[Input] = Input) -> Input:
    kind = kind_of(node)
    return cls(
        display_text(node, value),
        restrict=RESTRICT.get(kind),
        max_length=MAX_LENGTH.get(kind, 0),
        validators=[SchemaValidator(node)],
        valid_empty=True,
        compact=True,
        id=widget_id,
    )


def widget_id_for(path: str) -> str:
    """A widget id for a field path (ids allow letters, digits, ``_`` and ``-``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]", "-", path)


def enum_titles(node: dict[str, Any]) -> list[tuple[str, str]]:
    values = node.get("enum", [])
    titles = node.get("x-enum-titles", values)
    return [(f"{t}" if t == v else f"{t}（{v}）", v) for t, v in zip(titles, values, strict=False)]


class FieldRow(Vertical):
    """One field: its Chinese label, the input, and what is said about it (findings, notes, blame)."""

    class Edited(Message):
        """The person changed the value to one the case file can hold."""

        def __init__(self, row: FieldRow, value: Any) -> None:
            super().__init__()
            self.row = row
            self.value = value

        @property
        def control(self) -> FieldRow:
            return self.row

    def __init__(self, path: str, node: dict[str, Any], label: str, value: Any) -> None:
        super().__init__(id=widget_id_for(path), classes="field")
        self.path = path
        self.node = node
        self.label = label
        self.kind = kind_of(node)
        self.value = value
        self.typing_problem = ""
        self.findings: list[Finding] = []
        self.remarks: list[Text] = []
        self._built = False  # the input exists (the section has been shown)

    def compose(self) -> ComposeResult:
        unit = self.node.get("x-unit")
        head = Text(self.label, style="bold")
        if unit and f"（{unit}）" not in self.label:
            head.append(f"（{unit}）", style="dim")
        yield Static(head, classes="field-label")
        yield self._make_widget()
        note = Static("", classes="field-note")
        note.display = False
        yield note

    def _make_widget(self) -> Widget:
        wid = "input"
        value = self.value
        if self.kind == "textarea":
            return TextArea(
                display_text(self.node, value), soft_wrap=True, id=wid, classes="field-textarea"
            )
        if self.kind == "enum":
            return Select(
                enum_titles(self.node),
                value=value
                if isinstance(value, str) and value in self.node["enum"]
                else Select.NULL,
                prompt="（未选）",
                compact=True,
                id=wid,
            )
        if self.kind == "multi":
            chosen = value if isinstance(value, list) else []
            options = [(v, v, v in chosen) for v in self.node["items"]["enum"]]
            return SelectionList[str](*options, id=wid, compact=True)
        if self.kind == "bool":
            return Checkbox("是", value=bool(value), id=wid, compact=True)
        return make_input(self.node, value, wid)

    @property
    def input(self) -> Widget:
        return self.query_one("#input")

    # --- values in and out ------------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        """Show a value (after undo, reload or merge) without reporting it as an edit."""
        self.value = value
        if not self._built:
            return  # not built yet: compose shows self.value
        widget = self.input
        with self.prevent(
            Input.Changed,
            TextArea.Changed,
            Select.Changed,
            Checkbox.Changed,
            SelectionList.SelectedChanged,
        ):
            if isinstance(widget, Input):
                widget.value = display_text(self.node, value)
            elif isinstance(widget, TextArea):
                widget.text = display_text(self.node, value)
            elif isinstance(widget, Select):
                ok = isinstance(value, str) and value in self.node["enum"]
                widget.value = value if ok else Select.NULL
            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, SelectionList):
                chosen = value if isinstance(value, list) else []
                widget.deselect_all()
                for v in chosen:
                    widget.select(v)
        self.typing_problem = ""
        self._show()

    def _edited(self, value: Any) -> None:
        self.value = value
        self.post_message(self.Edited(self, value))

    @on(Input.Changed, "#input")
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == display_text(self.node, self.value):
            # what the value shows (the input's first text, control codes made visible)
            if self.typing_problem:
                self.typing_problem = ""
                self._show()
            return
        parsed = parse_text(self.node, event.value)
        self.typing_problem = parsed.problem
        self._show()
        if parsed.ok:
            self._edited(parsed.value)

    @on(TextArea.Changed, "#input")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if event.text_area.text == display_text(self.node, self.value):
            return
        self._edited(event.text_area.text)

    @on(Select.Changed, "#input")
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited(MISSING if event.value is Select.NULL else event.value)

    @on(Checkbox.Changed, "#input")
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._edited(event.value)

    @on(SelectionList.SelectedChanged, "#input")
    def _selection_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        chosen = set(event.selection_list.selected)
        self._edited([v for v in self.node["items"]["enum"] if v in chosen])

    @property
    def typing_invalid(self) -> bool:
        return bool(self.typing_problem) and not parse_text(self.node, self._raw()).ok

    def _raw(self) -> str:
        if not self._built:
            return ""
        widget = self.input
        return widget.value if isinstance(widget, Input) else ""

    # --- what is said about the field -----------------------------------------------------
    def show_findings(self, findings: list[Finding]) -> None:
        if findings == self.findings:
            return
        self.findings = findings
        self._show()

    def show_remarks(self, remarks: list[Text]) -> None:
        if remarks == self.remarks:
            return  # shown already: every re-check of the case passes them again
        self.remarks = remarks
        self._show()

    def on_mount(self) -> None:
        self._built = True
        if self.findings or self.remarks:
            self._show()

    def _show(self) -> None:
        if not self._built:
            return  # shown on mount
        lines: list[Text] = []
        if self.typing_problem:
            lines.append(Text("✎ " + self.typing_problem, style="bold red"))
        for f in self.findings:
            lines.append(finding_line(f))
        lines.extend(self.remarks)
        note = self.query_one(".field-note", Static)
        note.display = bool(lines)
        note.update(Text("\n").join(lines))
        self.set_class(any(f.counts_as_error for f in self.findings), "-error")
        self.set_class(bool(self.typing_problem), "-typing")

    def focus_input(self) -> None:
        widget = self.input
        widget.focus()
        if isinstance(widget, (TextArea, Input)):
            widget.select_all()


def finding_line(f: Finding, with_label: str = "") -> Text:
    """A finding as one line: ✖ error, ▲ warning, ✓ waived (who and why)."""
    prefix = f"{with_label}：" if with_label else ""
    if f.waived_by:
        return Text(
            f"✓ 已豁免（{plain(f.waived_by)}：{plain(f.waiver_reason)}）{prefix}{plain(f.message)}",
            style="dim",
        )
    if f.severity == "error":
        return Text(f"✖ {prefix}{plain(f.message)}  [{f.rule}]", style="red")
    return Text(f"▲ {prefix}{plain(f.message)}  [{f.rule}]", style="yellow")
