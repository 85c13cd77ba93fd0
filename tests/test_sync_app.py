"""Sync in the TUI: F5 on the case list, conflicts chosen by keyboard, then one merge commit."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.app_helpers import make_app, settle
from tests.conftest import git
from tests.sync_helpers import fsck_clean, mobile_and_row_conflict, office
from tui.app.screens.case_editor import CaseEditorScreen
from tui.app.screens.case_list import CaseListScreen
from tui.app.screens.conflicts import SyncScreen


def cells(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_conflicts_are_chosen_by_keyboard_and_committed_once(tmp_path: Path) -> None:
    remote, _a, b = mobile_and_row_conflict(tmp_path)
    head = b.head()

    app = make_app(b.path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        table = screen.query_one("#sync-conflicts", DataTable)
        rows = cells(table)
        assert len(rows) == 2
        assert "applicant.lead.mobile  项目负责人 手机" in rows[0][1]
        assert rows[0][2:5] == ['"13801230002"', '"13801230001"', '"13801234567"']
        assert rows[1][2:5] == ["130000", "140000", "150000"]
        assert b.head() == head and b.clean()  # nothing committed, nothing half-merged

        await pilot.press("ctrl+s")  # refused: not all chosen
        await settle(pilot)
        assert app.screen is screen and b.head() == head
        await pilot.press("t")  # row 1: theirs; the cursor moves on to row 2
        await pilot.press("o")
        await settle(pilot)
        assert [r[5] for r in cells(table)] == ["远端", "本地"]
        assert b.head() == head
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)

    data = b.data()
    assert data["applicant"]["lead"]["mobile"] == "13801230001"
    assert data["annex1"][1]["received_yuan"] == 130000
    assert data["applicant"]["contact"]["name"] == "陈晓红"
    body = git(b.path, "log", "-1", "--format=%an%n%B").stdout
    assert body.startswith("测试员\n") and "取 theirs" in body and "Anjuan-Login:" in body
    assert git(remote, "rev-parse", "HEAD").stdout.strip() == b.head()
    assert b.clean() and fsck_clean(b.path) and fsck_clean(remote)


async def test_sync_without_conflicts_closes_and_reloads_the_list(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    a.edit('name = "北京星河科技园运营管理有限公司"', 'name = "北京星河科技园运营管理股份有限公司"')
    a.commit("a: applicant name")
    assert a.sync().returncode == 0
    app = make_app(b.path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        table = app.screen.query_one("#cases", DataTable)
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "北京星河科技园运营管理股份有限公司" in names
    assert b.head() == git(remote, "rev-parse", "HEAD").stdout.strip()


async def test_sync_is_refused_while_a_case_is_open(tmp_path: Path) -> None:
    _remote, (b,) = office(tmp_path, "b")
    app = make_app(b.path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.open_case("XH-2022-001")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, CaseEditorScreen)  # F5 did not open the sync
