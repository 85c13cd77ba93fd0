"""A table of rows (附件1, 附件2, 经费预算, the period tables) edited in place.

Keys: Enter (or F2) edits the cell in place, and typing a character starts the edit with it,
as in a spreadsheet; so row operations are on keys that type nothing: ``ctrl+n`` adds a row,
``insert``/``ctrl+t`` inserts one above, ``delete`` removes one, ``shift+up``/``shift+down``
move it, ``ctrl+k`` copies it down. The 合计 row is computed from the rows (``x-total``) and
never stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.geometry import Offset
from textual.message import Message
from textual.widgets import DataTable, Static

from ...core.findings import Finding
from ..model import clone
from .cell_editor import CellEditor, can_start, cell_region
from .fields import MISSING, finding_line, kind_of
from .grid import TextTable
from .keys import run_binding_now
from .text import literal, plain

TOTAL_KEY = "__total__"


class RowDataTable(TextTable):
    """The grid itself; its bindings carry ids so that a keymap can change them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,f2", "edit_cell", "编辑", id="table.edit"),
        Binding("ctrl+n", "add_row", "加行", id="table.add"),
        Binding("insert,ctrl+t", "insert_row", "插入行", id="table.insert"),
        Binding("delete,ctrl+d", "delete_row", "删行", id="table.delete"),
        Binding("shift+up", "move_row(-1)", "上移", id="table.move_up", show=False),
        Binding("shift+down", "move_row(1)", "下移", id="table.move_down", show=False),
        Binding("ctrl+k", "copy_down", "复制行", id="table.copy_down"),
    ]

    async def on_key(self, event: events.Key) -> None:
        """The table's keys in the order typed (see ``keys``); a typed character starts
        editing the cell with it. While an editor opens over a cell, every key is its own."""
        editing = self._table().editing
        if editing is not None:
            event.stop()
            event.prevent_default()
            editing.typed_ahead(event)
            return
        bindings = self.screen.active_bindings  # worked out once per key (a hot path)
        if await run_binding_now(self, event, (self,), bindings):
            return
        if not event.is_printable or event.character is None:
            return
        if event.key in bindings:
            return  # an ancestor's key (the screen's, the app's)
        event.stop()
        event.prevent_default()
        self._table().edit_cell(event.character)

    def on_paste(self, event: events.Paste) -> None:
        """Pasted text replaces the cell's value, as typing would (its first line only)."""
        editing = self._table().editing
        if editing is not None:
            event.stop()
            editing.typed_ahead(event)
            return
        text = event.text.splitlines()[0].strip() if event.text.strip() else ""
        if text:
            event.stop()
            self._table().edit_cell(text)

    def _table(self) -> RowTable:
        parent = self.parent
        assert isinstance(parent, RowTable)
        return parent

    def action_edit_cell(self) -> None:
        self._table().edit_cell()

    def action_add_row(self) -> None:
        self._table().add_row(at_end=True)

    def action_insert_row(self) -> None:
        self._table().add_row(at_end=False)

    def action_delete_row(self) -> None:
        self._table().delete_row()

    def action_move_row(self, step: int) -> None:
        self._table().move_row(step)

    def action_copy_down(self) -> None:
        self._table().copy_down()


def _sum(values: list[Any]) -> Any:
    total: Any = 0
    for v in values:
        if isinstance(v, int | Decimal) and not isinstance(v, bool):
            total += v
    return total


class RowTable(Vertical):
    """Rows of one array of tables, with a computed 合计 row and per-cell findings."""

    class Changed(Message):
        """The rows changed (a cell, or rows added, removed or moved)."""

        def __init__(self, table: RowTable, rows: list[dict[str, Any]], cursor: Coordinate) -> None:
            super().__init__()
            self.table = table
            self.rows = rows
            self.cursor = cursor

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(
        self,
        path: str,
        node: dict[str, Any],
        title: str,
        rows: list[dict[str, Any]],
        periods: list[str] | None = None,
    ) -> None:
        super().__init__(classes="row-table")
        self.path = path
        self.node = node
        self.title = title
        self.item = node.get("items", {})
        self.columns: list[str] = list(self.item.get("properties", {}))
        self.totals: list[str] = list(node.get("x-total", []))
        self.rows = clone(rows)
        self.findings: dict[int | None, list[Finding]] = {}
        self.remarks: dict[int | None, list[Text]] = {}  # reviewers' notes, by row as findings
        self._flagged: set[tuple[int, str]] = set()
        self._note_shown: tuple[int, int, int] | None = None
        self.editing: CellEditor | None = None  # the open in-place editor
        self._editing_at: tuple[int, str] = (0, "")
        self._built = False  # the grid exists (the section has been shown)
        self.periods = periods or []  # the form's periods (x-periods): a new row takes the next one
        props = self.item.get("properties", {})
        self._numeric = {c: kind_of(props[c]) in ("int", "number") for c in self.columns}

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title, style="bold"), classes="table-title")
        table = RowDataTable(cursor_type="cell", zebra_stripes=True)
        yield table
        note = Static("", classes="table-note")
        yield note

    @property
    def grid(self) -> RowDataTable:
        return self.query_one(RowDataTable)

    def on_mount(self) -> None:
        self._built = True
        grid = self.grid
        grid.add_column("序号", key="#")
        props = self.item.get("properties", {})
        for col in self.columns:
            grid.add_column(props[col].get("title", col), key=col)
        self._fill()
        # the editor over a cell follows the cell when the grid scrolls or the screen resizes
        self.watch(grid, "scroll_x", self._place_editor, init=False)
        self.watch(grid, "scroll_y", self._place_editor, init=False)

    def on_resize(self) -> None:
        self._place_editor()

    def cell(self, n: int, col: str) -> Text:
        row = self.rows[n - 1]
        value = row.get(col, MISSING)
        if value is MISSING:
            return Text("")
        style = "bold red" if (n, col) in self._flagged else ""
        if self._numeric[col]:
            return Text(plain(value), style=style, justify="right")
        return Text(plain(value), style=style)

    def _total_cells(self) -> list[Text]:
        cells = [Text("合计", style="bold")]
        for col in self.columns:
            if col in self.totals:
                total = _sum([r.get(col) for r in self.rows])
                cells.append(Text(literal(total).plain, style="bold", justify="right"))
            else:
                cells.append(Text(""))
        return cells

    def load(self, rows: list[dict[str, Any]], cursor: Coordinate | None = None) -> None:
        """Show these rows (after a change, an undo or a reload)."""
        if self.editing is not None:  # its cell may be gone (an undo removed the row)
            self.finish_edit(commit=False)
        self.rows = clone(rows)
        if self._built:
            self._fill(cursor)
        # else: shown on mount

    def _fill(self, cursor: Coordinate | None = None) -> None:
        grid = self.grid
        keep = cursor or grid.cursor_coordinate
        grid.clear()
        columns = self.columns
        cell = self.cell
        for n in range(1, len(self.rows) + 1):
            grid.add_row(Text(str(n)), *[cell(n, c) for c in columns], key=str(n))
        if self.totals:
            grid.add_row(*self._total_cells(), key=TOTAL_KEY)
        if grid.row_count:
            grid.move_cursor(
                row=min(keep.row, grid.row_count - 1), column=keep.column, animate=False
            )
        self._show_note()

    def _refresh_totals(self) -> None:
        if not self.totals:
            return
        grid = self.grid
        for col, cell in zip(["#", *self.columns], self._total_cells(), strict=True):
            grid.update_cell(TOTAL_KEY, col, cell)

    # --- row operations -----------------------------------------------------------------
    def current(self) -> tuple[int, str | None]:
        """(1-based row, column key) under the cursor; row 0 when on no data row."""
        if not self._built:
            return 0, None
        coord = self.grid.cursor_coordinate
        n = coord.row + 1 if coord.row < len(self.rows) else 0
        col = self.columns[coord.column - 1] if coord.column >= 1 else None
        return n, col

    def _changed(self, cursor: Coordinate) -> None:
        self._fill(cursor)  # the rows are this table's own: no copy, as load() makes
        self.post_message(self.Changed(self, clone(self.rows), cursor))

    def _blank_row(self) -> dict[str, Any]:
        """An empty row; in a period table, with the first period of the form not yet present."""
        key = next((c for c in self.columns if self.item["properties"][c].get("x-periods")), None)
        if key is None:
            return {}
        present = {r.get(key) for r in self.rows}
        missing = next((p for p in self.periods if p not in present), None)
        return {key: missing} if missing else {}

    def add_row(self, at_end: bool) -> None:
        n, _ = self.current()
        col = self.grid.cursor_coordinate.column
        if at_end or n == 0:
            self.rows.append(self._blank_row())
            at = len(self.rows) - 1
        else:
            at = n - 1
            self.rows.insert(at, self._blank_row())
        self._changed(Coordinate(at, max(col, 1)))

    def delete_row(self) -> None:
        n, _ = self.current()
        if n:
            del self.rows[n - 1]
            self._changed(
                Coordinate(
                    max(0, min(n - 1, len(self.rows) - 1)), self.grid.cursor_coordinate.column
                )
            )

    def move_row(self, step: int) -> None:
        n, _ = self.current()
        to = n - 1 + step
        if n and 0 <= to < len(self.rows):
            self.rows[n - 1], self.rows[to] = self.rows[to], self.rows[n - 1]
            self._changed(Coordinate(to, self.grid.cursor_coordinate.column))

    def copy_down(self) -> None:
        n, _ = self.current()
        if n:
            self.rows.insert(n, clone(self.rows[n - 1]))
            self._changed(Coordinate(n, self.grid.cursor_coordinate.column))

    # --- editing a cell in place -----------------------------------------------------------
    def edit_cell(self, start: str | None = None) -> None:
        """Open the editor over the cell under the cursor; ``start``: the character typed."""
        if self.editing is not None:
            return  # keys and pastes meanwhile go to the opening editor (typed_ahead)
        n, col = self.current()
        if not n or not col:
            return
        node = self.item["properties"][col]
        value = self.rows[n - 1].get(col, MISSING)
        if kind_of(node) == "bool":
            if start in (None, " "):
                self.set_cell(n, col, not bool(value))
            return
        if start is not None and not can_start(node, start):
            self.app.bell()  # a letter in a count: refused, as it would be in the editor
            return
        editor = CellEditor(node, value, start, self.finish_edit)
        self.editing, self._editing_at = editor, (n, col)
        self.mount(editor)
        self._place_editor()

    def _place_editor(self) -> None:
        editor, grid = self.editing, self.grid
        if editor is None:
            return
        cell = cell_region(grid, grid.cursor_coordinate)
        origin = self.content_region.offset
        x = grid.content_region.x + cell.x - int(grid.scroll_x)
        y = grid.content_region.y + cell.y - int(grid.scroll_y)
        editor.place(Offset(x, y) - origin, cell.width, self.screen.size.width - x)

    def finish_edit(self, commit: bool = True, move: int = 0) -> bool:
        """Close the editor, keeping its value when ``commit``; False when the value cannot
        be right (the editor stays open and says why)."""
        editor = self.editing
        if editor is None:
            return True
        n, col = self._editing_at
        if commit:
            ok, value, problem = editor.result()
            if not ok:
                editor.show_problem(problem)
                self.app.bell()
                return False
        self.editing = None
        grid = self.grid
        focused = self.app.focused
        if focused is None or editor in focused.ancestors_with_self:
            # at once, not after a refresh: keys typed right after Enter go to the table
            self.screen.set_focus(grid)
        editor.remove()
        if commit and value != self.rows[n - 1].get(col, MISSING):
            self.set_cell(n, col, value)
        if move:
            coord = grid.cursor_coordinate
            grid.move_cursor(column=min(coord.column + move, len(self.columns)), animate=False)
        return True

    @on(events.DescendantBlur)
    def _editor_left(self, event: events.DescendantBlur) -> None:
        """A click elsewhere keeps what was typed if it can be right, else drops it."""
        editor = self.editing
        if editor is not None and editor in event.widget.ancestors:
            self.call_after_refresh(self._editor_left_later, editor)

    def _editor_left_later(self, editor: CellEditor) -> None:
        focused = self.app.focused
        if editor is not self.editing or (
            focused is not None and editor in focused.ancestors_with_self
        ):
            return  # closed already (and maybe the next cell opened), or focus came back
        if not self.finish_edit(True):
            self.finish_edit(False)

    def set_cell(self, n: int, col: str, value: Any) -> None:
        """A cell's new value (from the cell editor)."""
        row = self.rows[n - 1]
        if value is MISSING:
            row.pop(col, None)
        else:
            row[col] = value
        self.grid.update_cell(str(n), col, self.cell(n, col))
        self._refresh_totals()
        self.post_message(self.Changed(self, clone(self.rows), self.grid.cursor_coordinate))

    def go_to(self, n: int | None, col: str | None) -> None:
        self.grid.focus()
        row = (n - 1) if n else 0
        column = self.columns.index(col) + 1 if col in self.columns else 1
        self.grid.move_cursor(row=row, column=column, animate=False, scroll=True)

    # --- findings -----------------------------------------------------------------------
    def show_findings(
        self, by_row: dict[int | None, list[Finding]], cells: set[tuple[int, str]]
    ) -> None:
        """Findings of this table: by 1-based row (None: the whole table), cells to mark."""
        self.findings = by_row
        before, self._flagged = self._flagged, cells
        if not self._built:
            return  # cells are styled when the table is built
        grid = self.grid
        for n, col in before ^ cells:
            if 1 <= n <= len(self.rows) and col in self.columns:
                grid.update_cell(str(n), col, self.cell(n, col))
        self._show_note()
        self.set_class(any(f.counts_as_error for fs in by_row.values() for f in fs), "-error")

    def show_remarks(self, by_row: dict[int | None, list[Text]]) -> None:
        """Reviewers' notes on this table, by 1-based row (None: the whole table)."""
        if by_row == self.remarks:
            return
        self.remarks = by_row
        self._show_note()

    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        self._show_note()

    def _show_note(self) -> None:
        if not self._built:
            return
        n, _ = self.current()
        shown = (n, id(self.findings), id(self.remarks))
        if shown == self._note_shown:
            return  # same row, same findings: nothing to redraw (keeps cursor moves cheap)
        self._note_shown = shown
        lines = [finding_line(f) for f in self.findings.get(None, [])]
        if n:
            lines += [
                finding_line(f, "" if f"第{n}行" in f.message else f"第{n}行")
                for f in self.findings.get(n, [])
            ]
        lines += self.remarks.get(None, [])
        if n:
            lines += [Text(f"第{n}行：").append_text(r) for r in self.remarks.get(n, [])]
        note = self.query_one(".table-note", Static)
        if not lines and not note.display:
            return
        note.display = bool(lines)
        note.update(Text("\n").join(lines))
