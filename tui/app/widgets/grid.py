"""A DataTable of Text cells that stays quick with thousands of them.

The case list (1,000 cases × 8 columns) and the annex tables (500 rows × 10 columns) are
DataTables of ``rich.text.Text`` cells (Text, so that case values are never read as markup).
Profiling showed two costs that grow with the cells and that this subclass removes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class TextTable(DataTable[Text]):
    """DataTable, measuring its Text cells directly and its style once per render."""

    _render_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        # DataTable asks for ``rich_style`` once per line, and each time it walks every
        # ancestor (seven, in a tab of the editor): once per render is enough.
        self._render_style = super().rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._render_style = None

    @property
    def rich_style(self) -> Style:
        style = self._render_style
        return style if style is not None else super().rich_style

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Widen the columns for new rows, as DataTable does, measured directly.

        DataTable measures every new cell through Rich, which asks the console for its size
        once per cell: for the 5,000 cells of a 500-row annex that was a third of opening
        the editor. Our cells are Text, whose width is its widest line (what Rich's measure
        returns), so ``cell_len`` measures them. This is the one place that leans on
        DataTable's internals (Textual is pinned to 8.2): if they change, DataTable's own
        measuring takes over, and tests compare the widths and drawing with DataTable's.
        """
        new = list(new_rows)
        try:
            if self._measure_rows(new):
                return
        except (AttributeError, KeyError, TypeError):
            pass
        super()._update_dimensions(new)

    def _measure_rows(self, new: list[RowKey]) -> bool:
        rows = self.rows
        new = [key for key in new if key in rows]
        if any(rows[key].auto_height or rows[key].label is not None for key in new):
            return False
        columns = self.ordered_columns
        widths = [column.content_width for column in columns]
        for key in new:
            cells = self._data[key]
            for i, column in enumerate(columns):
                cell = cells.get(column.key)
                if not isinstance(cell, Text):
                    return False
                plain = cell.plain
                width = (
                    max(map(cell_len, plain.splitlines()), default=0)
                    if "\n" in plain
                    else cell_len(plain)
                )
                if width > widths[i]:
                    widths[i] = width
        for column, width in zip(columns, widths, strict=True):
            column.content_width = width
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            sum(column.get_render_width(self) for column in self.columns.values())
            + self._row_label_column_width,
            self._total_row_height + header,
        )
        return True
