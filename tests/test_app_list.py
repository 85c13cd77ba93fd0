"""The case list: every case, broken ones marked, live filter, sort, open, new."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from tests.app_helpers import TODAY, add_case, make_app, settle
from tests.conftest import git
from tui.app.screens.case_editor import CaseEditorScreen
from tui.app.screens.case_list import CaseListScreen, list_layout, when
from tui.core.index import CaseSummary


def shown_ids(app: object) -> list[str]:
    table = app.screen.query_one("#cases", DataTable)  # type: ignore[attr-defined]
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_list_shows_every_case_and_marks_a_broken_one(cases_repo: Path) -> None:
    add_case(cases_repo, "AA-BROKEN", 'form = "bj-ipcluster-2022"\n[case\nstatus = ')
    add_case(cases_repo, "XH-2022-009")
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        assert shown_ids(app) == ["AA-BROKEN", "XH-2022-001", "XH-2022-009"]
        table = app.screen.query_one("#cases", DataTable)
        broken = table.get_row_at(0)
        assert str(broken[3]) == "文件损坏"
        assert str(broken[4]) == "1"
        good = table.get_row_at(1)
        assert str(good[1]) == "北京星河科技园运营管理有限公司"
        assert str(good[2]) == "星河科技园"
        assert str(good[3]) == "已提交"


async def test_slash_filters_live_and_enter_opens_first_match(cases_repo: Path) -> None:
    other = add_case(cases_repo, "QY-2022-002")
    text = (other / "case.toml").read_text(encoding="utf-8").replace("星河科技园", "青云谷")
    (other / "case.toml").write_text(text, encoding="utf-8")
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"青云")
        assert shown_ids(app) == ["QY-2022-002"]
        await pilot.press("backspace", "backspace", *"xh-2022")
        assert shown_ids(app) == ["XH-2022-001"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseEditorScreen)
        assert app.screen.case_id == "XH-2022-001"


async def test_sort_reverses_and_changes_column(cases_repo: Path) -> None:
    add_case(cases_repo, "AB-1")
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_ids(app) == ["AB-1", "XH-2022-001"]
        await pilot.press("s")
        assert shown_ids(app) == ["XH-2022-001", "AB-1"]


async def test_n_makes_a_new_case_commits_it_and_opens_it(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.press(*"../x")
        problem = app.screen.query_one("#case-id-problem")
        assert str(problem.render()).strip()  # says why the ID cannot be used
        await pilot.press("enter")
        assert app.screen.__class__.__name__ == "NewCaseScreen"  # refused, still asking
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press(*"XH-2022-010", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseEditorScreen)
        assert app.screen.case_id == "XH-2022-010"
    assert (cases_repo / "XH-2022-010" / "case.toml").is_file()
    log = git(cases_repo, "log", "-1", "--format=%an %s").stdout
    assert "测试员" in log and "XH-2022-010" in log


def summary(case_id: str, applicant: str, park: str, editor: str = "张三") -> CaseSummary:
    return CaseSummary(
        case_id, applicant, park, "draft", 12, 3, False, None, None, None, (), None, None,
        editor, "2022-09-30T10:12:00+08:00",
    )  # fmt: skip


LONG_NAME = "北京市海淀区中关村科技园区某某创新服务与运营管理有限责任公司"


def test_list_layout_fits_the_width_and_shortens_only_the_names() -> None:
    cases = [summary("XH-2022-001", LONG_NAME, "中关村软件园二期国际孵化基地", "a-very-long-login")]
    narrow = list_layout(78, cases, TODAY)
    assert sum(narrow.widths.values()) <= 78
    assert narrow.widths["case_id"] == len("XH-2022-001") + 1  # fixed columns are whole
    name = narrow.fit("applicant", LONG_NAME).plain
    assert name.endswith("…") and name.startswith("北京市")
    assert cell_len(name) <= narrow.widths["applicant"] - 1  # double width counted
    assert narrow.fit("last_editor", "a-very-long-login").plain == "a-very-…"
    assert when("2022-09-30T10:12:00+08:00", False, TODAY) == "09-30 10:12"
    assert when("2021-09-30T10:12:00+08:00", False, TODAY) == "2021-09-30"
    wide = list_layout(160, cases, TODAY)
    assert wide.fit("applicant", LONG_NAME).plain == LONG_NAME
    assert when("2022-09-30T10:12:00+08:00", True, TODAY) == "2022-09-30 10:12"


async def test_at_80_columns_every_column_shows_without_scrolling(samples_repo: Path) -> None:
    app = make_app(samples_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#cases", DataTable)
        assert len(table.columns) == 8
        assert table.max_scroll_x == 0  # nothing hidden to the right
        first = table.get_row_at(0)
        assert str(first[1]).endswith("…")  # 北京星河科技园运营管理有限公司, shortened
        assert str(first[7])  # the last editor, the last column, is there
        await pilot.press("slash", *"运营管理")  # the filter still searches the whole name
        assert shown_ids(app) == ["XH-2022-001"]
        await pilot.resize_terminal(130, 40)
        await settle(pilot)
        table = app.screen.query_one("#cases", DataTable)
        assert str(table.get_row_at(0)[1]) == "北京星河科技园运营管理有限公司"


async def test_loading_a_repository_says_how_far_it_has_got(
    samples_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from tui.app.screens import case_list

    monkeypatch.setattr(case_list, "PROGRESS_EVERY", 0.0)  # every case, not a few a second
    titles: list[str] = []
    shown = CaseListScreen.show_progress

    def record(screen: CaseListScreen, done: int, total: int) -> None:
        shown(screen, done, total)
        titles.append(str(screen.query_one("#list-title", Static).render()))

    monkeypatch.setattr(CaseListScreen, "show_progress", record)
    app = make_app(samples_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert titles == [
            "正在读取并检查案卷… 1/4（25%）",
            "正在读取并检查案卷… 2/4（50%）",
            "正在读取并检查案卷… 3/4（75%）",
        ]
        title = str(app.screen.query_one("#list-title", Static).render())
        assert title.startswith("案卷 4/4")  # and when done, the count of cases


async def test_case_read_ahead_is_never_shown_once_the_file_changed(samples_repo: Path) -> None:
    from tui.core.case import blob_id
    from tui.core.store import cached_data

    app = make_app(samples_repo)
    path = samples_repo / "XH-2022-003" / "case.toml"
    before = blob_id(path.read_bytes())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")  # the cursor rests on XH-2022-003
        await pilot.pause(0.3)
        await settle(pilot)
        known, data = cached_data(before)
        assert known and data is not None  # read ahead, ready for Enter
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("松岭智造园管理", "松岭智造城管理", 1), encoding="utf-8")
        await pilot.press("enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, CaseEditorScreen) and editor.model is not None
        assert editor.model.data["applicant"]["name"] == "北京松岭智造城管理有限公司"
        assert "松岭智造城" in str(editor.query_one("#editor-title").render())
        assert data["applicant"]["name"] == "北京松岭智造园管理有限公司"  # cache untouched
