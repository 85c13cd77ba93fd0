"""The in-place editor of one row-table cell, laid over the cell itself.

Text, numbers, dates and lists get an ``Input`` with the same checks as the form's fields
(``parse_text``: letters in a count, a 13th month are refused; ID and phone checks are shown
as typed); enumerations a short list of the form's words. Enter keeps the value, Tab keeps it
and moves right, Esc leaves the cell as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.geometry import Offset, Region
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from .fields import MISSING, RESTRICT, enum_titles, kind_of, make_input, parse_text
from .keys import run_binding_now

CLEAR = "\0"  # the option that empties an enumeration cell
WIDE_KINDS = ("text", "list")  # kinds whose editor may be wider than the cell
WIDE_MIN = 30  # cells of a text editor at least, when the table leaves room


def can_start(node: dict[str, Any], character: str) -> bool:
    """Whether typing ``character`` may begin this cell's value (no letter begins a count)."""
    pattern = RESTRICT.get(kind_of(node))
    return kind_of(node) != "enum" and (
        pattern is None or re.fullmatch(pattern, character) is not None
    )


def cell_region(grid: DataTable[Any], at: Coordinate) -> Region:
    """Where a cell is drawn inside the grid's content (before scrolling), from public API.

    The tables have no row labels and no fixed columns, so a cell starts after the columns
    and rows before it (and the header)."""
    columns = grid.ordered_columns
    rows = grid.ordered_rows
    x = sum(c.get_render_width(grid) for c in columns[: at.column])
    y = sum(r.height for r in rows[: at.row]) + (grid.header_height if grid.show_header else 0)
    return Region(x, y, columns[at.column].get_render_width(grid), rows[at.row].height)


def _editor_of(widget: Widget) -> CellEditor:
    return next(a for a in widget.ancestors if isinstance(a, CellEditor))


async def _in_order(widget: Widget, event: events.Key) -> None:
    """The editor's keys in the order typed (see ``keys``); keys that arrive after the
    editor closed (typed right after Enter) go on to what has the focus now: the table."""
    editor = _editor_of(widget)
    if editor.closed:
        event.stop()
        event.prevent_default()
        focused = widget.app.focused
        if focused is not None and focused is not widget:
            focused.post_message(events.Key(event.key, event.character))
        return
    await run_binding_now(widget, event, (widget, editor))


class CellInput(Input):
    async def on_key(self, event: events.Key) -> None:
        await _in_order(self, event)

    def action_submit(self) -> None:  # type: ignore[override]
        _editor_of(self).action_keep()  # at once: what is typed next is not this cell's


class CellChoices(OptionList):
    async def on_key(self, event: events.Key) -> None:
        await _in_order(self, event)

    def action_select(self) -> None:
        _editor_of(self).action_keep()


class CellEditor(Vertical):
    """An editor over one cell; the table it belongs to places it and takes its value.

    Esc leaves the cell as it was, Tab keeps the value and moves right; Enter keeps it
    (``Input.Submitted``, ``OptionList.OptionSelected``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="cell.cancel"),
        Binding("tab", "next", "下一格", id="cell.next"),
    ]

    def __init__(
        self,
        node: dict[str, Any],
        value: Any,
        start: str | None,
        done: Callable[[bool, int], bool],
    ) -> None:
        """``done(keep, move)``: the table closes the editor, keeping the value when ``keep``
        (or says why it cannot), then moves ``move`` columns right."""
        super().__init__(classes="cell-editor")
        self.done = done
        self.closed = False
        self.node = node
        self.kind = kind_of(node)
        self.value = value
        self.start = start  # a typed character that began the edit: it replaces the value
        self._ready = False
        self._ahead: list[events.Key | events.Paste] = []  # typed before it had the focus
        self._width = self._room = 0  # cells: over the cell, and to the screen's right edge

    def compose(self) -> ComposeResult:
        if self.kind == "enum":
            options = [Option(t, id=v) for t, v in enum_titles(self.node)]
            options.append(Option("（清空）", id=CLEAR))
            yield CellChoices(*options, classes="cell-choices")
        else:
            yield make_input(self.node, self.value, "cell-input", CellInput)
        problem = Static("", classes="cell-problem")
        problem.display = False
        yield problem

    def on_mount(self) -> None:
        if self.kind == "enum":
            choices = self.query_one(OptionList)
            enum = self.node.get("enum", [])
            if isinstance(self.value, str) and self.value in enum:
                choices.highlighted = enum.index(self.value)
            else:
                choices.highlighted = 0
            choices.focus()
            self._ready = True
            self._replay()
            return
        box = self.query_one(Input)
        if self.start is not None:
            box.select_on_focus = False
            box.value = ""
            box.insert_text_at_cursor(self.start)  # refused like any typing (``restrict``)
        box.focus()  # opened with Enter: the value is selected, so typing replaces it
        self._ready = True
        self._replay()

    def typed_ahead(self, event: events.Key | events.Paste) -> None:
        """A key pressed (or text pasted) on the table while this editor was opening: given
        again, in order, once the editor has the focus (backspace, arrows, Enter included)."""
        self._ahead.append(
            events.Key(event.key, event.character)
            if isinstance(event, events.Key)
            else events.Paste(event.text)
        )
        if self._ready:
            self._replay()

    def _replay(self) -> None:
        ahead, self._ahead = self._ahead, []
        for event in ahead:
            self.app.post_message(event)

    def place(self, at: Offset, width: int, room: int) -> None:
        """Lay the editor over a cell: at its top left, at least as wide as the cell and one
        cell more, for the cursor after the last character."""
        width += 1
        if self.kind in WIDE_KINDS:
            width = max(width, min(WIDE_MIN, room))
        elif self.kind == "enum":
            longest = max((cell_len(t) for t, _v in enum_titles(self.node)), default=width)
            width = max(width, min(longest + 4, room))
        self.styles.offset = (at.x, at.y)
        self._width, self._room = max(width, 6), room
        self.styles.width = self._width

    def _finish(self, keep: bool, move: int) -> None:
        if not self.closed and self.done(keep, move):
            self.closed = True

    def action_cancel(self) -> None:
        self._finish(False, 0)

    def action_next(self) -> None:
        self._finish(True, 1)

    def action_keep(self) -> None:
        self._finish(True, 0)

    # --- the value ---------------------------------------------------------------------------
    def result(self) -> tuple[bool, Any, str]:
        """(ok, value, problem): the value to keep, or why it cannot be right."""
        if self.kind == "enum":
            choices = self.query_one(OptionList)
            index = choices.highlighted
            if index is None:
                return True, self.value, ""
            option_id = choices.get_option_at_index(index).id
            return True, MISSING if option_id == CLEAR else option_id, ""
        parsed = parse_text(self.node, self.query_one(Input).value)
        if not parsed.ok:
            return False, None, parsed.problem
        return True, parsed.value, parsed.problem

    def show_problem(self, problem: str) -> None:
        note = self.query_one(".cell-problem", Static)
        note.display = bool(problem)
        note.update(Text("✎ " + problem, style="bold red") if problem else "")
        # widened to say it on one line if there is room (still starting at the cell)
        said = cell_len(problem) + 3 if problem else 0
        self.styles.width = max(self._width, min(said, self._room))

    @on(Input.Changed, "#cell-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_problem(parse_text(self.node, event.value).problem)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a word
        self.action_keep()
