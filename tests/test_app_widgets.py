"""Widgets made cheaper for large cases must still show what Textual's own would show."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from tests.app_helpers import make_app, settle
from tests.test_app_editor import open_editor
from tui.app.widgets.row_table import RowDataTable

CELLS = [
    [
        Text("北京中关村知识产权运营中心"),
        Text("a\nmuch longer second line"),
        Text("12", justify="right"),
    ],
    [Text(""), Text("x"), Text("1234567.89", justify="right")],
]


class TwoTables(App[None]):
    CSS = "Vertical { background: darkblue 40%; width: 1fr; } DataTable { height: 6; }"

    def compose(self) -> ComposeResult:
        with Horizontal():  # each table a few containers down, as in the editor's tabs
            with Vertical(), Vertical():
                yield DataTable(id="textual", zebra_stripes=True)
            with Vertical(), Vertical():
                yield RowDataTable(id="ours", zebra_stripes=True)

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("名称", "说明", "金额（万元）")
            table.add_rows(CELLS)


async def test_row_table_columns_are_as_wide_as_textual_would_make_them() -> None:
    app = TwoTables()
    async with app.run_test() as pilot:
        await pilot.pause()
        textual, ours = app.query_one("#textual", DataTable), app.query_one("#ours", DataTable)
        widths = [c.content_width for c in ours.ordered_columns]
        assert widths == [c.content_width for c in textual.ordered_columns]
        assert widths[0] == 26  # 13 Chinese characters, two cells each: nothing cut off
        assert ours.virtual_size == textual.virtual_size
        # a longer value typed later widens its column, as in Textual's table
        for table in (textual, ours):
            table.add_row(Text("短"), Text("y"), Text("123456789012345"))
        await pilot.pause()
        assert [c.content_width for c in ours.ordered_columns][2] == 15
        assert ours.virtual_size == textual.virtual_size


async def test_row_table_draws_exactly_what_textual_draws() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        textual, ours = app.query_one("#textual", DataTable), app.query_one("#ours", DataTable)
        for table in (textual, ours):
            table.move_cursor(row=1, column=1)
        app.set_focus(None)  # the first table took the focus at start, which colours it
        await pilot.pause()
        crop = Region(0, 0, ours.size.width, ours.size.height)
        assert textual.size == ours.size
        drawn = ours.render_lines(crop)
        assert drawn == textual.render_lines(crop)  # same text, same colours, cursor, stripes
        assert "北京中关村" in drawn[1].text


def footer_keys(app: App[None]) -> list[str]:
    return [str(k.description) for k in app.screen.query(FooterKey)]


async def test_footer_follows_the_focus_and_the_screen(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        on_list = footer_keys(app)
        assert {"筛选", "排序", "新建"} <= set(on_list)  # the list's own keys
        editor = await open_editor(pilot)
        await settle(pilot)
        keys = footer_keys(app)
        assert "保存" in keys and "撤销" in keys
        assert "加行" not in keys  # a field has the focus, not a table
        editor.tables["annex1"].grid.focus()
        await settle(pilot)
        assert "加行" in footer_keys(app)  # the table's keys appear when it has the focus
        editor.fields["applicant.name"].focus_input()
        await settle(pilot)
        assert "加行" not in footer_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        assert footer_keys(app) == on_list


async def test_opening_a_case_is_not_an_edit(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await settle(pilot)
        assert editor.model is not None
        assert not editor.model.dirty and editor.model.undo_stack == []
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "没有可撤销的修改" in [n.message for n in app._notifications]
