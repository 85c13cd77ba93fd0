"""Row-table cells edited in place: an editor laid over the cell, the form's checks, undo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual import events
from textual.geometry import Region

from tests.app_helpers import make_app, settle
from tests.conftest import git
from tests.test_app_editor import open_editor
from tui.app.screens.case_editor import CaseEditorScreen
from tui.app.widgets.cell_editor import CellEditor, cell_region
from tui.app.widgets.row_table import RowTable


async def edit_at(pilot, editor: CaseEditorScreen, path: str) -> RowTable:  # type: ignore[no-untyped-def]
    editor.jump_to(path)
    await settle(pilot)
    return editor.tables[path.split("[")[0]]


async def open_cell(pilot, editor: CaseEditorScreen, path: str) -> RowTable:  # type: ignore[no-untyped-def]
    """Put the cursor on a cell and press Enter, as a person opens it."""
    table = await edit_at(pilot, editor, path)
    await pilot.press("enter")
    await pilot.pause()
    return table


def on_screen(table: RowTable) -> Region:
    """The cell under the cursor, where the terminal shows it."""
    grid = table.grid
    cell = cell_region(grid, grid.cursor_coordinate)
    return cell.translate(grid.content_region.offset).translate(
        (-int(grid.scroll_x), -int(grid.scroll_y))
    )


def cell_editor(table: RowTable) -> CellEditor:
    assert table.editing is not None
    return table.editing


def problem_of(table: RowTable) -> str:
    return str(cell_editor(table).query_one(".cell-problem").render())


async def test_enter_opens_an_editor_over_the_cell_and_keeps_the_value(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        table = await open_cell(pilot, editor, "budget[2].amount_wan")
        cell, box = on_screen(table), cell_editor(table).region
        assert (box.x, box.y) == (cell.x, cell.y)  # starts at the cell, on its line
        assert box.width >= cell.width and box.height == 1
        assert app.focused is not None and app.focused.id == "cell-input"
        await pilot.press(*"2.5", "enter")  # the value is selected: typing replaces it
        await pilot.pause()
        assert table.editing is None and app.focused is table.grid
        assert editor.model is not None
        assert editor.model.data["budget"][1]["amount_wan"] == 2.5
        assert str(table.grid.get_row("__total__")[3]) == "20.5"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert editor.model.data["budget"][1]["amount_wan"] == 12
        assert not editor.model.dirty
        await pilot.press("ctrl+y")
        assert editor.model.data["budget"][1]["amount_wan"] == 2.5


async def test_typing_starts_the_edit_and_a_letter_in_an_amount_is_refused(
    cases_repo: Path,
) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "budget[1].amount_wan")
        await pilot.press("x")  # no amount begins with a letter: nothing opens, nothing changes
        await pilot.pause()
        assert table.editing is None
        await pilot.press(*"7a5", "enter")  # the first digit replaces the value; "a" refused
        await pilot.pause()
        assert editor.model is not None
        assert editor.model.data["budget"][0]["amount_wan"] == 75
        table = await edit_at(pilot, editor, "budget[1].note")
        await pilot.press(*"ab", "enter")  # in a text cell every letter is text, even a/c/i
        await pilot.pause()
        assert editor.model.data["budget"][0]["note"] == "ab"
        assert len(editor.model.data["budget"]) == 3


async def test_escape_cancels_and_tab_keeps_and_moves_right(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "budget[1].item")
        before = editor.model.data["budget"][0]["item"] if editor.model else None
        await pilot.press(*"新的", "escape")
        await pilot.pause()
        assert editor.model is not None and not editor.model.dirty
        assert editor.model.data["budget"][0]["item"] == before
        assert app.screen is editor  # Esc closed the cell, not the editor
        await pilot.press("enter", "end", *"甲", "tab")
        await pilot.pause()
        assert editor.model.data["budget"][0]["item"] == f"{before}甲"
        assert table.current() == (1, "note")
        assert app.focused is table.grid


async def test_a_13th_month_is_refused_and_the_cell_keeps_its_date(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "annex1[1].date")
        await pilot.press(*"2022-13-01")
        await pilot.pause()
        assert "没有 13 月" in problem_of(table)  # said as typed, on one line from the cell
        box = cell_editor(table).region
        assert box.x == on_screen(table).x and box.height == 2
        await pilot.press("enter")  # refused: the editor stays and says why
        await pilot.pause()
        assert table.editing is not None and "没有 13 月" in problem_of(table)
        assert editor.model is not None and not editor.model.dirty
        await pilot.press(*["backspace"] * 5, *"03-01x", "enter")  # the letter is refused as typed
        await pilot.pause()
        assert table.editing is None
        assert str(editor.model.data["annex1"][0]["date"]) == "2022-03-01"


async def test_enum_and_yes_no_cells_are_chosen_in_place(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        table = await open_cell(pilot, editor, "annex1[2].method")
        assert cell_editor(table).region.x == on_screen(table).x
        await pilot.press("down", "enter")
        await pilot.pause()
        assert editor.model is not None
        assert editor.model.data["annex1"][1]["method"] == "许可"
        table = await edit_at(pilot, editor, "annex2[1].negotiable")
        was = bool(editor.model.data["annex2"][0].get("negotiable"))
        await pilot.press("enter")
        await pilot.pause()
        assert editor.model.data["annex2"][0]["negotiable"] is (not was)


async def test_ctrl_s_keeps_the_cell_being_edited_and_saves_it(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        await edit_at(pilot, editor, "budget[3].amount_wan")
        await pilot.press(*"11", "ctrl+s")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReasonScreen"
        await pilot.press("enter")
        await settle(pilot)
        assert "amount_wan = 11" in (cases_repo / "XH-2022-001" / "case.toml").read_text("utf-8")
        assert "budget[3].amount_wan" in git(cases_repo, "log", "-1", "--format=%B").stdout


async def test_a_click_elsewhere_keeps_what_was_typed(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "budget[1].note")
        await pilot.press(*"点别处")
        await pilot.pause()
        third = cell_region(table.grid, table.grid.cursor_coordinate.down().down())
        await pilot.click(table.grid, offset=(third.x + 1, third.y))
        await settle(pilot)
        assert table.editing is None
        assert editor.model is not None
        assert editor.model.data["budget"][0]["note"] == "点别处"


async def test_undo_while_a_cell_is_edited_closes_the_editor(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "budget[3].amount_wan")
        await pilot.press("ctrl+n")  # a fourth row, then an edit begun in it
        await settle(pilot)
        table = await edit_at(pilot, editor, "budget[4].amount_wan")
        await pilot.press("5")
        await pilot.pause()
        assert table.editing is not None
        await pilot.press("ctrl+z")  # the row goes: so does the editor over its cell
        await pilot.pause()
        assert table.editing is None and app.focused is table.grid
        assert editor.model is not None and len(editor.model.data["budget"]) == 3
        await pilot.press("enter", "escape")
        assert len(editor.model.data["budget"]) == 3


async def test_the_editor_follows_its_cell_when_the_table_scrolls(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(60, 24)) as pilot:  # narrow: 附件1 scrolls sideways
        editor = await open_editor(pilot)
        table = await open_cell(pilot, editor, "annex1[1].supplier")
        table.grid.scroll_to(x=table.grid.scroll_x + 3, animate=False)
        await pilot.pause()
        await pilot.pause()
        assert cell_editor(table).region.x == on_screen(table).x


async def test_pasting_on_a_cell_starts_the_edit_with_the_text(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "budget[1].amount_wan")
        table.grid.post_message(events.Paste("7.25\n"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert editor.model is not None
        assert editor.model.data["budget"][0]["amount_wan"] == Decimal("7.25")
        table.grid.post_message(events.Paste("七"))  # no amount: refused, nothing opens
        await pilot.pause()
        assert table.editing is None


async def test_keys_typed_while_the_editor_opens_reach_it_in_order(cases_repo: Path) -> None:
    """A fast typist (or a paste of keys over SSH) does not wait for the editor to appear."""
    app = make_app(cases_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        table = await edit_at(pilot, editor, "annex1[1].date")
        typed = [("enter", None), ("backspace", None), ("backspace", None)]
        for key, character in [*typed, ("1", "1"), ("3", "3"), ("enter", None)]:
            app.post_message(events.Key(key, character))  # all queued before any is handled
        await settle(pilot)
        assert cell_editor(table).query_one("#cell-input").value == "13"  # type: ignore[attr-defined]
        assert "日期" in problem_of(table)  # refused: not a date, the editor stays open
        assert str(table.rows[0]["date"]) == "2021-06-18"  # and the cell keeps its date
        keys = [("escape", None), *typed, *[(c, c) for c in "2022-03-02"], ("enter", None)]
        keys += [("right", None), ("Z", "Z"), ("L", "L")]  # typed right after Enter
        for key, character in keys:
            app.post_message(events.Key("minus" if key == "-" else key, character))
        await settle(pilot)
        assert str(table.rows[0]["date"]) == "2022-03-02"
        assert table.editing is not None  # ZL… went to the next cell's editor, not this one
        assert cell_editor(table).query_one("#cell-input").value == "ZL"  # type: ignore[attr-defined]
        assert table.grid.cursor_coordinate.column == table.columns.index("patent_no") + 1
