"""Reviewers' notes: shown beside their field for everyone, with author and state; only the
author resolves a note, because a reviewer writes only their own reviews/<login>.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.app_helpers import make_app, map_account, settle
from tests.conftest import git
from tests.test_app_editor import note_of, open_editor
from tui.app.screens.review import ReviewScreen

OTHER = """reviewer = "li.wei"
decision = "revise"
summary = "请核实。"

[[notes]]
at = 2022-09-20T10:12:00+08:00
path = "applicant.name"
text = "名称与营业执照一致。"
resolved = true

[[notes]]
at = 2022-09-21T10:12:00+08:00
path = "annex1[2].supplier"
text = "供给方请写全称。"
resolved = false
"""


@pytest.fixture(autouse=True)
def _account_is_the_tester(cases_repo: Path) -> None:
    """The app runs as 测试员: the office's people.toml says this account is 测试员."""
    map_account(cases_repo)


def with_other_review(cases: Path) -> Path:
    path = cases / "XH-2022-001" / "reviews" / "li.wei.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(OTHER, encoding="utf-8")
    git(cases, "add", "-A")
    git(cases, "commit", "-q", "--no-verify", "-m", "li.wei 的评审")
    return path


def toasts(app: object) -> str:
    return "\n".join(str(t.render()) for t in app.screen.query("Toast"))  # type: ignore[attr-defined]


async def test_notes_show_beside_fields_and_cells_with_author_and_state(cases_repo: Path) -> None:
    with_other_review(cases_repo)
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        await settle(pilot)
        assert "☑ 批注（li.wei，已解决）：名称与营业执照一致。" in note_of(
            editor.fields["applicant.name"]
        )
        editor.jump_to("annex1[2].supplier")
        await settle(pilot)
        table_note = str(editor.tables["annex1"].query_one(".table-note").render())
        assert "第2行：✎ 批注（li.wei，待解决）：供给方请写全称。" in table_note
        editor.jump_to("annex1[3].supplier")
        await settle(pilot)
        assert "li.wei" not in str(editor.tables["annex1"].query_one(".table-note").render())


async def test_resolving_someone_elses_note_says_whose_and_writes_nothing(
    cases_repo: Path,
) -> None:
    theirs = with_other_review(cases_repo)
    before = git(cases_repo, "rev-parse", "HEAD").stdout
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_editor(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        notes = review.query_one("#notes", DataTable)
        assert [str(notes.get_row_at(i)[0]) for i in range(notes.row_count)] == ["li.wei"] * 2
        notes.focus()
        notes.move_cursor(row=1)
        await pilot.press("ctrl+o")
        await pilot.pause()
        said = toasts(app)
        assert "li.wei 写的" in said and "只有 li.wei 本人能标记已解决" in said
        assert str(notes.get_row_at(1)[1]) == "待解决"
        await pilot.press("ctrl+n")  # one's own note can be resolved
        await pilot.pause()
        await pilot.press(*"已补全称", "enter")
        await pilot.pause()
        assert str(notes.get_row_at(0)[0]) == "测试员"
        notes.focus()
        notes.move_cursor(row=0)
        await pilot.press("ctrl+o")
        assert str(notes.get_row_at(0)[1]) == "已解决"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert theirs.read_text(encoding="utf-8") == OTHER  # never written
    changed = git(
        cases_repo, "-c", "core.quotePath=false", "diff", "--name-only", before.strip(), "HEAD"
    )
    changed = changed.stdout.split()
    assert changed == ["XH-2022-001/reviews/测试员.toml"]


async def _review_with_a_new_note(pilot, app) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await open_editor(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    review = app.screen
    assert isinstance(review, ReviewScreen) and not review.has_unsaved()
    await pilot.press("ctrl+n")
    await pilot.pause()
    await pilot.press(*"请补充合同", "enter")
    await pilot.pause()
    assert review.has_unsaved()
    return review


async def test_leaving_a_review_with_an_unsaved_note_asks_and_saving_is_the_default(
    cases_repo: Path,
) -> None:
    """Esc on the review screen with a new note asks; Esc there keeps editing; Enter on the
    focused first choice saves the note, commits it and goes back."""
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        review = await _review_with_a_new_note(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen"
        await pilot.press("escape")  # the dialog's Esc: back to the review, the note still there
        await pilot.pause()
        assert app.screen is review and review.has_unsaved()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # 保存并返回
        await settle(pilot)
        for _ in range(50):
            if not isinstance(app.screen, ReviewScreen):
                break
            await pilot.pause(0.05)
        assert not isinstance(app.screen, ReviewScreen)
    saved = (cases_repo / "XH-2022-001" / "reviews" / "测试员.toml").read_text(encoding="utf-8")
    assert "请补充合同" in saved
    assert "测试员.toml" in git(cases_repo, "show", "--name-only", "HEAD").stdout


async def test_ctrl_q_with_an_unsaved_review_asks_and_enter_saves_then_quits(
    cases_repo: Path,
) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _review_with_a_new_note(pilot, app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen" and app.is_running
        await pilot.press("enter")  # 保存并退出
        for _ in range(100):
            if not app.is_running:
                break
            await pilot.pause(0.05)
        assert not app.is_running
    saved = (cases_repo / "XH-2022-001" / "reviews" / "测试员.toml").read_text(encoding="utf-8")
    assert "请补充合同" in saved
