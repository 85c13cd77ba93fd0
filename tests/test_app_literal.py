"""Case text is data: markup and escape characters in values are shown as written."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from tests.app_helpers import make_app, settle
from tests.conftest import git
from tui.app.screens.case_editor import CaseEditorScreen

NASTY = "[bold]红[/bold] [link=https://x.example]点我[/link] \x1b[31m"


async def test_markup_and_escapes_in_case_values_are_shown_literally(cases_repo: Path) -> None:
    case = cases_repo / "XH-2022-001" / "case.toml"
    text = case.read_text(encoding="utf-8")
    text = text.replace(
        'name = "北京星河科技园运营管理有限公司"',
        'name = "[bold]红[/bold] [link=https://x.example]点我[/link] \\u001b[31m"',
    )
    text = text.replace('park_name = "星河科技园"', 'park_name = "[red]园区"')
    case.write_text(text, encoding="utf-8")
    git(cases_repo, "commit", "-qam", "nasty")
    app = make_app(cases_repo)
    async with app.run_test(size=(160, 40)) as pilot:  # wide enough for the whole name
        await settle(pilot)
        table = app.screen.query_one("#cases", DataTable)
        row = table.get_row_at(0)
        assert str(row[1]) == "[bold]红[/bold] [link=https://x.example]点我[/link] \\x1b[31m"
        assert str(row[2]) == "[red]园区"
        assert not row[1].spans  # no style came from the value
        await pilot.press("enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, CaseEditorScreen)
        editor.jump_to("applicant.name")  # builds the section
        await settle(pilot)
        # markup stays as written; the escape shows as a code, as in the list (issue 17 item 9:
        # a raw escape in an input reached the terminal)
        shown = NASTY.replace("\x1b", "\\x1b")
        assert editor.fields["applicant.name"].query_one(Input).value == shown
        title = str(editor.query_one("#editor-title").render())
        assert "[bold]红[/bold]" in title and "\x1b" not in title and "\\x1b" in title
