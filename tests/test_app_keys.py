"""Keys: every binding has an id, and the user's keymap file remaps them."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from tests.app_helpers import TODAY, settle
from tui.app.app import AnjuanApp
from tui.app.screens.case_editor import CaseEditorScreen
from tui.app.screens.case_list import CaseListScreen
from tui.app.widgets.row_table import RowDataTable


def test_every_binding_has_an_id() -> None:
    for owner in (AnjuanApp, CaseListScreen, CaseEditorScreen, RowDataTable):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (owner, binding)


async def test_keymap_file_remaps_a_binding(cases_repo: Path, tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('"list.filter" = "f"\n', encoding="utf-8")
    app = AnjuanApp(cases_repo, as_name="测试员", today=TODAY, keymap_file=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        assert app.screen.query_one("#filter").has_focus


async def test_a_broken_keymap_file_says_so_and_keeps_defaults(
    cases_repo: Path, tmp_path: Path
) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text("save = \n", encoding="utf-8")
    app = AnjuanApp(cases_repo, as_name="测试员", today=TODAY, keymap_file=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.keymap_problem is not None and "不是有效的 TOML" in app.keymap_problem
        await pilot.press("slash")
        assert app.screen.query_one("#filter").has_focus


async def test_question_mark_shows_the_keys(cases_repo: Path) -> None:
    app = AnjuanApp(cases_repo, as_name="测试员", today=TODAY, keymap_file=cases_repo / "none.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
