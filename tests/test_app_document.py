"""The TUI's side of issue 13: the export screen writes the 申报书 .docx; the case list makes a
case from a filled Word form and shows what was read (real app under Pilot, real git repo)."""

from __future__ import annotations

from pathlib import Path

import docx
from textual.widgets import Input, Select

from tests.app_helpers import make_app, settle
from tests.conftest import git
from tests.docx_forms import hand_filled
from tui.app.screens.export import DOCUMENT, ExportScreen
from tui.app.screens.from_docx import DocxReportScreen, FromDocxScreen
from tui.core.document.read import read_document
from tui.core.schema import load_form


async def test_export_screen_writes_the_document(cases_repo: Path, tmp_path: Path) -> None:
    from tests.test_app_flows import open_editor

    app = make_app(cases_repo)
    target = tmp_path / "申报书.docx"
    async with app.run_test(size=(120, 40)) as pilot:
        await open_editor(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        export = app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#table", Select).value = DOCUMENT
        await settle(pilot)
        await pilot.pause(0.5)
        assert export.query_one("#export-file", Input).value.endswith(".docx")
        assert "申报书 Word 文档" in str(export.query_one("#preview").render())
        export.query_one("#export-file", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
    d = docx.Document(str(target))
    assert any("信用承诺书" in p.text for p in d.paragraphs)
    data = read_document(target, load_form("bj-ipcluster-2022")).data
    assert data["applicant"]["park_name"] == "星河科技园"


async def test_case_list_makes_a_case_from_a_word_file(cases_repo: Path, tmp_path: Path) -> None:
    form = hand_filled(tmp_path / "填好的申报书.docx", "ticks")
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FromDocxScreen)
        assert dialog.query_one("#docx-case-id", Input).value == "XH-2022-002"
        dialog.query_one("#docx-path", Input).value = str(form)
        dialog.query_one("#docx-path", Input).focus()
        await pilot.press("enter")
        for _ in range(40):
            await pilot.pause(0.1)
            if isinstance(app.screen, DocxReportScreen):
                break
        report = app.screen
        assert isinstance(report, DocxReportScreen)
        text = str(report.query_one("#docx-report").render())
        assert "已新建 XH-2022-002" in text and "读出" in text
        await pilot.press("escape")
    assert (cases_repo / "XH-2022-002" / "case.toml").is_file()
    assert "XH-2022-002" in git(cases_repo, "log", "-1", "--format=%s").stdout


async def test_the_palette_offers_new_from_word(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.screen.palette_commands()]  # type: ignore[attr-defined]
        assert "从 Word 文件新建案卷" in titles
