"""A table of rows (附件1, 附件2, 经费预算, the period tables) edited in place.

Keys: Enter edits the cell, ``a`` adds a row, ``i`` inserts one above, ``delete`` removes
one, ``shift+up``/``shift+down`` move it, ``c`` copies it down. The 合计 row is computed
from the rows (``x-total``) and never stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Static

from ...core.findings import Finding
from ..model import clone
from .fields import MISSING, finding_line, kind_of
from .grid import TextTable
from .text import literal, plain

TOTAL_KEY = "__total__"


class RowDataTable(TextTable):
    """The grid itself; its bindings carry ids so that a keymap can change them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit_cell", "编辑", id="table.edit"),
        Binding("a", "add_row", "加行", id="table.add"),
        Binding("i", "insert_row", "插入行", id="table.insert"),
        Binding("delete,ctrl+d", "delete_row", "删行", id="table.delete"),
        Binding("shift+up", "move_row(-1)", "上移", id="table.move_up", show=False),
        Binding("shift+down", "move_row(1)", "下移", id="table.move_down", show=False),
        Binding("c", "copy_down", "复制行", id="table.copy_down"),
    ]

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

    class EditCell(Message):
        """Ask the screen to edit one cell (it owns the dialogs)."""

        def __init__(self, table: RowTable, row: int, column: str) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.column = column

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
        self._flagged: set[tuple[int, str]] = set()
        self._note_shown: tuple[int, int] | None = None
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
        self.load(self.rows, cursor)
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

    def edit_cell(self) -> None:
        n, col = self.current()
        if n and col:
            self.post_message(self.EditCell(self, n, col))

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

    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        self._show_note()

    def _show_note(self) -> None:
        if not self._built:
            return
        n, _ = self.current()
        shown = (n, id(self.findings))
        if shown == self._note_shown:
            return  # same row, same findings: nothing to redraw (keeps cursor moves cheap)
        self._note_shown = shown
        lines = [finding_line(f) for f in self.findings.get(None, [])]
        if n:
            lines += [
                finding_line(f, "" if f"第{n}行" in f.message else f"第{n}行")
                for f in self.findings.get(n, [])
            ]
        note = self.query_one(".table-note", Static)
        if not lines and not note.display:
            return
        note.display = bool(lines)
        note.update(Text("\n").join(lines))
