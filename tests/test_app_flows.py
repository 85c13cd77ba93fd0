"""Flows that write: save → one commit, conflict with a file changed on disk, history and
restore, a review note and a waiver, export to a file. Real git repositories, real app."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import DataTable, Input, Select

from tests.app_helpers import make_app, map_account, settle
from tests.conftest import git
from tests.test_app_editor import note_of, open_editor
from tui.app.screens.case_editor import CaseEditorScreen
from tui.app.screens.conflict import ConflictScreen
from tui.app.screens.export import ExportScreen
from tui.app.screens.history import HistoryScreen
from tui.app.screens.review import ReviewScreen


def case_file(cases: Path) -> Path:
    return cases / "XH-2022-001" / "case.toml"


def commits(cases: Path) -> int:
    return int(git(cases, "rev-list", "--count", "HEAD").stdout)


async def type_into(pilot, editor: CaseEditorScreen, path: str, text: str) -> None:  # type: ignore[no-untyped-def]
    editor.jump_to(path)
    await pilot.pause()
    await pilot.press(*text)


async def save(pilot, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+s")
    await pilot.pause()
    if reason:
        await pilot.press(*reason)
    await pilot.press("enter")
    await settle(pilot)


async def test_save_makes_one_commit_with_reason_and_keeps_comments(cases_repo: Path) -> None:
    before = commits(cases_repo)
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "targets.info_pushes", "1500")
        await type_into(pilot, editor, "applicant.lead.title", "主任")
        await save(pilot, "按通知更正")
        assert editor.model is not None and not editor.model.dirty
    assert commits(cases_repo) == before + 1
    log = git(cases_repo, "log", "-1", "--format=%an%n%B").stdout
    assert log.startswith("测试员") and "按通知更正" in log and "targets.info_pushes" in log
    text = case_file(cases_repo).read_text(encoding="utf-8")
    assert "info_pushes = 1500                  # 7.推送信息数量（≥1000条）" in text
    assert tomllib.loads(text)["applicant"]["lead"]["title"] == "主任"


async def test_refused_save_keeps_the_edit_and_says_why(cases_repo: Path) -> None:
    before = commits(cases_repo)
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)  # a submitted case: a new error refuses the save
        await type_into(pilot, editor, "targets.info_pushes", "10")
        await save(pilot)
        assert editor.model is not None and editor.model.dirty
        assert editor.model.data["targets"]["info_pushes"] == 10
        assert editor.fields["targets.info_pushes"].query_one(Input).value == "10"
    assert commits(cases_repo) == before
    assert "info_pushes = 1200" in case_file(cases_repo).read_text(encoding="utf-8")


async def test_file_changed_on_disk_is_never_overwritten_and_merges(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "applicant.lead.title", "主任")
        # someone else changes another field and the same field
        path = case_file(cases_repo)
        text = path.read_text(encoding="utf-8")
        text = text.replace("info_pushes = 1200", "info_pushes = 1300")
        text = text.replace('title = "知识产权服务中心主任"', 'title = "中心副主任"')
        path.write_text(text, encoding="utf-8")
        git(cases_repo, "commit", "-qam", "hand edit")
        before = commits(cases_repo)
        await save(pilot)
        assert isinstance(app.screen, ConflictScreen)
        shown = str(app.screen.query_one(".conflict-diff Static").render())
        assert "推送信息数量：1200 → 1300" in shown
        assert path.read_text(encoding="utf-8") == text  # nothing written
        await pilot.click("#merge")  # keep mine where both changed (ticked by default)
        await settle(pilot)
        assert app.screen is editor
        assert editor.model is not None
        assert editor.model.data["targets"]["info_pushes"] == 1300
        assert editor.model.data["applicant"]["lead"]["title"] == "主任"
        assert editor.fields["targets.info_pushes"].query_one(Input).value == "1300"
        await save(pilot)
        assert commits(cases_repo) == before + 1
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["targets"]["info_pushes"] == 1300 and data["applicant"]["lead"]["title"] == "主任"


async def test_history_shows_changes_and_restore_is_a_new_commit(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "applicant.park_name", "新园区")
        await save(pilot, "改名")
        await pilot.press("ctrl+l")
        await settle(pilot)
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert history.entries[0].reason == "改名"
        detail = str(history.query_one("#history-detail").render())
        assert "园区或集聚区名称：星河科技园 → 新园区" in detail
        await pilot.press("enter")  # the newest version, read-only
        await settle(pilot)
        version = app.screen.query_one("#version", DataTable)
        assert any(str(version.get_row_at(i)[1]) == "新园区" for i in range(version.row_count))
        await pilot.press("escape")
        await pilot.press("down", "r")
        await pilot.pause()
        await pilot.press("enter")  # no reason
        await settle(pilot)
        assert len(history.entries) == 3
        assert "恢复" in history.entries[0].subject
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor
        assert editor.fields["applicant.park_name"].query_one(Input).value == "星河科技园"
    assert 'park_name = "星河科技园"' in case_file(cases_repo).read_text(encoding="utf-8")


async def test_review_note_and_waiver_are_saved_as_one_commit_and_shown(cases_repo: Path) -> None:
    map_account(cases_repo)  # people.toml: this account is 测试员, the app's --as
    before = commits(cases_repo)
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("annex1[5].received_yuan")
        await pilot.pause()
        editor.jump_to("foundation.enterprises")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        review.query_one("#decision", Select).value = "recommend"
        review.query_one("#score", Input).value = "85"
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*"数量待核实", "enter")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")  # the first waivable rule
        await pilot.press(*"特色园区", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor
        assert "✎ 批注（测试员，待解决）：数量待核实" in note_of(
            editor.fields["foundation.enterprises"]
        )
    assert commits(cases_repo) == before + 1
    saved = tomllib.loads(
        (cases_repo / "XH-2022-001" / "reviews" / "测试员.toml").read_text(encoding="utf-8")
    )
    assert saved["decision"] == "recommend" and saved["score"] == 85
    assert saved["notes"][0]["path"] == "foundation.enterprises"
    assert saved["waivers"][0]["reason"] == "特色园区"
    assert "测试员 的评审" in git(cases_repo, "log", "-1", "--format=%s").stdout


async def test_export_previews_and_writes_a_file(cases_repo: Path, tmp_path: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_editor(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        export = app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#format", Select).value = "csv"
        await settle(pilot)
        preview = str(export.query_one("#preview").render())
        assert "ZL201911034521.8" in preview
        target = tmp_path / "annex1.csv"
        export.query_one("#export-file", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert "ZL201911034521.8" in target.read_text(encoding="utf-8")


async def test_blame_says_who_last_changed_the_field(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "applicant.postcode", "100086")
        await save(pilot)
        editor.jump_to("applicant.postcode")
        await pilot.pause()
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert "最后修改：测试员" in note_of(editor.fields["applicant.postcode"])


async def test_history_compares_two_marked_versions(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "applicant.park_name", "一园")
        await save(pilot)
        await type_into(pilot, editor, "targets.activities", "9")
        await save(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press(
            "down", "down", "m", "up", "up", "d"
        )  # the first commit against the newest
        await settle(pilot)
        detail = str(app.screen.query_one("#history-detail").render())
        assert "2 处不同" in detail
        assert "园区或集聚区名称：星河科技园 → 一园" in detail and "：6 → 9" in detail


async def test_palette_offers_the_editor_actions(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "applicant.park_name", "一园")
        await pilot.press("ctrl+p", *"撤销")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert editor.model is not None and not editor.model.dirty
        assert editor.fields["applicant.park_name"].query_one(Input).value == "星河科技园"


def as_draft(cases: Path) -> None:
    path = case_file(cases)
    path.write_text(
        path.read_text(encoding="utf-8").replace('status = "submitted"', 'status = "draft"', 1),
        encoding="utf-8",
    )
    git(cases, "commit", "-qam", "draft")


async def merge_and_save(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await save(pilot)
    assert isinstance(app.screen, ConflictScreen)
    await pilot.press("m")
    await settle(pilot)
    await save(pilot)


async def test_conflict_merge_keeps_a_colleagues_change_to_a_row_after_one_i_deleted(
    cases_repo: Path,
) -> None:
    """Issue 11 item 4 (a): rows are matched by what they are, not by position."""
    from tests.conftest import anjuan

    as_draft(cases_repo)
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        assert editor.model is not None
        rows = [dict(r) for r in editor.model.data["annex1"]]
        editor.jump_to("annex1[2].supplier")
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert len(editor.model.data["annex1"]) == len(rows) - 1
        done = anjuan(
            "--cases", str(cases_repo), "set", "XH-2022-001", "annex1[1].contract_yuan", "654321"
        )
        assert done.returncode == 0, done.stderr
        await merge_and_save(pilot, app)
        assert not editor.model.dirty
    annex1 = tomllib.loads(case_file(cases_repo).read_text(encoding="utf-8"))["annex1"]
    assert [r["patent_no"] for r in annex1] == [
        rows[0]["patent_no"],
        *[r["patent_no"] for r in rows[2:]],
    ]
    assert annex1[0]["contract_yuan"] == 654321  # the colleague's committed value, kept


async def test_conflict_merge_puts_my_edit_on_my_row_after_a_colleague_deleted_another(
    cases_repo: Path,
) -> None:
    """Issue 11 item 4 (b): my edit of row 3 lands on that row, wherever it now is."""

    as_draft(cases_repo)
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        assert editor.model is not None
        rows = [dict(r) for r in editor.model.data["annex1"]]
        editor.jump_to("annex1[3].recipient")
        await pilot.pause()
        await pilot.press("enter", *"新接受方公司", "enter")
        await pilot.pause()
        assert editor.model.data["annex1"][2]["recipient"] == "新接受方公司"
        path = case_file(cases_repo)  # the colleague deletes row 1 by hand and commits
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        first = text.index("[[annex1]]")
        second = text.index("[[annex1]]", first + 1)
        path.write_text(text[:first] + text[second:], encoding="utf-8")
        assert (
            len(tomllib.loads(path.read_text(encoding="utf-8"))["annex1"])
            == len(data["annex1"]) - 1
        )
        git(cases_repo, "commit", "-qam", "删除第1行")
        await merge_and_save(pilot, app)
    annex1 = tomllib.loads(case_file(cases_repo).read_text(encoding="utf-8"))["annex1"]
    assert [r["patent_no"] for r in annex1] == [r["patent_no"] for r in rows[1:]]
    by_no = {r["patent_no"]: r for r in annex1}
    assert by_no[rows[2]["patent_no"]]["recipient"] == "新接受方公司"
    others = [r for r in annex1 if r["patent_no"] != rows[2]["patent_no"]]
    assert all(r["recipient"] != "新接受方公司" for r in others)
