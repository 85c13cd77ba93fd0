"""Keys: every binding has an id, and the user's keymap file remaps them."""

from __future__ import annotations

from pathlib import Path

from tests.app_helpers import TODAY, settle
from tui.app.app import AnjuanApp
from tui.app.keymap import our_bindings
from tui.app.screens.case_editor import CaseEditorScreen
from tui.app.screens.case_list import CaseListScreen
from tui.app.widgets.row_table import RowDataTable


def test_every_binding_has_an_id() -> None:
    found = list(our_bindings())
    owners = {cls for cls, _binding in found}
    assert {AnjuanApp, CaseListScreen, CaseEditorScreen, RowDataTable} <= owners
    assert len(owners) >= 8  # the history, review, export, conflict screens and dialogs too
    for owner, binding in found:
        assert binding.id, (owner, binding)


def app_with_keymap(cases: Path, tmp_path: Path, text: str) -> AnjuanApp:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text(text, encoding="utf-8")
    return AnjuanApp(cases, as_name="测试员", today=TODAY, keymap_file=keymap)


async def test_keymap_file_remaps_bindings_and_names_unknown_ids(
    cases_repo: Path, tmp_path: Path
) -> None:
    app = app_with_keymap(cases_repo, tmp_path, 'save = "ctrl+w"\n"list.filter" = "f"\n')
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.keymap_problem is not None
        assert app.keymap_problem.startswith("按键配置中 save 不是已知的按键编号")
        await pilot.press("f")  # the known one still applies
        assert app.screen.query_one("#filter").has_focus


async def test_a_broken_keymap_file_says_so_and_keeps_defaults(
    cases_repo: Path, tmp_path: Path
) -> None:
    app = app_with_keymap(cases_repo, tmp_path, "save = \n")
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
