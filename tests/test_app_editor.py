"""The case editor: fields from the schema, checks as you type, tables, findings, undo, leave."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import DataTable, Input, TabbedContent

from tests.app_helpers import make_app, palette_go, settle
from tui.app.screens.case_editor import CaseEditorScreen, CaseForm
from tui.app.screens.case_list import CaseListScreen
from tui.app.widgets.fields import FieldRow
from tui.app.widgets.findings import FindingsPanel


async def open_editor(
    pilot, case_id: str = "XH-2022-001", build_all: bool = True
) -> CaseEditorScreen:  # type: ignore[no-untyped-def]
    """Open a case; ``build_all`` builds every section at once (the editor builds a section
    the first time it is shown), so that a test can look at any field."""
    await settle(pilot)
    pilot.app.open_case(case_id)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseEditorScreen)
    for _ in range(50):
        if screen.ready:
            break
        await pilot.pause()
    assert screen.ready
    if build_all:
        form = screen.query_one(CaseForm)
        for key in list(form.pending):
            await form.ensure(key)
        await pilot.pause()
    return screen


def note_of(field: FieldRow) -> str:
    return str(field.query_one(".field-note").render())


async def test_fields_have_chinese_labels_and_the_case_values(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        mobile = editor.fields["applicant.lead.mobile"]
        assert str(mobile.query_one(".field-label").render()) == "手机"
        assert mobile.query_one(Input).value == "13801234567"
        enterprises = editor.fields["foundation.enterprises"]
        assert "入驻企业数量（家）" in str(enterprises.query_one(".field-label").render())
        tabs = [str(t.label) for t in editor.query_one(TabbedContent).query("Tab")]
        # the 信用承诺书 is its own tab, after the cover, as in the printed form (issue 14)
        assert tabs[:4] == ["封面", "信用承诺书", "一", "二"]
        assert "附件1" in tabs and tabs[-1] == "评审"


async def test_count_refuses_letters_and_phone_is_checked_as_typed(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("foundation.enterprises")
        await pilot.pause()
        await pilot.press(*"12a3")
        field = editor.fields["foundation.enterprises"]
        assert field.query_one(Input).value == "123"  # the letter was refused, content replaced
        assert editor.model is not None
        assert editor.model.data["foundation"]["enterprises"] == 123
        editor.jump_to("applicant.lead.mobile")
        await pilot.pause()
        await pilot.press(*"2345")
        mobile = editor.fields["applicant.lead.mobile"]
        assert "不是手机号" in note_of(mobile)
        await settle(pilot)
        assert "ID.MOBILE" in note_of(mobile)  # and the core's rule agrees after validation


async def test_too_many_decimals_in_a_cell_are_refused(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("foundation.funding[1].amount_wan")
        await pilot.pause()
        table = editor.tables["foundation.funding"]
        assert table.grid.has_focus
        await pilot.press(*"1.1234567")  # typing starts the edit in place
        await pilot.press("enter")
        assert table.editing is not None  # refused: the editor stays and says why
        assert "最多 6 位小数" in str(table.editing.query_one(".cell-problem").render())
        await pilot.press("escape")
        assert editor.model is not None and not editor.model.dirty


async def test_validation_finding_shows_at_field_and_panel_jumps(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot, build_all=False)
        editor.jump_to("targets.info_pushes")  # a section not built yet: built on the way
        await settle(pilot)
        await pilot.press(*"999")
        await settle(pilot)
        field = editor.fields["targets.info_pushes"]
        assert "TARGET.INFO_PUSHES" in note_of(field)
        assert field.has_class("-error")
        editor.jump_to("applicant.name")
        await settle(pilot)
        await pilot.press("ctrl+f")
        panel = editor.query_one(FindingsPanel)
        assert panel.has_focus
        index = next(i for i, f in enumerate(panel.findings) if f.rule == "TARGET.INFO_PUSHES")
        panel.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert editor.query_one(TabbedContent).active == "sec-targets"
        assert field.query_one(Input).has_focus


async def test_undo_and_redo_before_saving(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("applicant.park_name")
        await pilot.pause()
        await pilot.press(*"新园区")
        assert editor.model is not None and editor.model.data["applicant"]["park_name"] == "新园区"
        await pilot.press("ctrl+z")
        field = editor.fields["applicant.park_name"]
        assert field.query_one(Input).value == "星河科技园"
        assert not editor.model.dirty
        await pilot.press("ctrl+y")
        assert field.query_one(Input).value == "新园区"
        assert editor.model.dirty


async def test_row_table_add_copy_move_delete_and_total(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("budget[1].amount_wan")
        await pilot.pause()
        table = editor.tables["budget"]
        grid = table.grid
        total_before = str(grid.get_row("__total__")[3])
        assert total_before == "30.0"
        await pilot.press("ctrl+k")  # copy row 1 down
        assert editor.model is not None
        assert len(editor.model.data["budget"]) == 4
        assert str(grid.get_row("__total__")[3]) == "38.0"
        await pilot.press("enter")  # edit the copied row's amount
        await pilot.press(*"2.5", "enter")
        await pilot.pause()
        assert editor.model.data["budget"][1]["amount_wan"] == 2.5
        assert str(grid.get_row("__total__")[3]) == "32.5"
        await pilot.press("shift+up")
        assert editor.model.data["budget"][0]["amount_wan"] == 2.5
        await pilot.press("delete")
        assert [r["amount_wan"] for r in editor.model.data["budget"]] == [8, 12, 10]
        await pilot.press("ctrl+n")
        assert len(editor.model.data["budget"]) == 4 and editor.model.data["budget"][3] == {}
        await pilot.press("ctrl+z")
        assert len(editor.model.data["budget"]) == 3
        assert isinstance(grid, DataTable) and grid.row_count == 4  # 3 rows and 合计


async def test_enum_cell_is_chosen_from_the_form_words(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("annex1[2].method")
        await pilot.pause()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert editor.model is not None
        assert editor.model.data["annex1"][1]["method"] == "许可"


async def test_escape_asks_when_there_are_unsaved_edits(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("applicant.address")
        await pilot.pause()
        await pilot.press("x")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen"
        await pilot.press("escape")  # keep editing
        assert app.screen is editor
        assert editor.model is not None and editor.model.dirty
        await pilot.press("escape")
        await pilot.click("#discard")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
    assert '北京市海淀区星河路18号"' in (cases_repo / "XH-2022-001" / "case.toml").read_text(
        encoding="utf-8"
    )


async def test_go_to_field_by_chinese_label_selects_content(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot, build_all=False)
        await palette_go(pilot, "推送信息数量")
        field = editor.fields["targets.info_pushes"]
        box = field.query_one(Input)
        assert box.has_focus
        await pilot.press(*"1500")
        assert box.value == "1500"  # typing replaced the selected content
        await palette_go(pilot, "budget[2].note")
        assert editor.tables["budget"].current() == (2, "note")


async def test_quit_asks_when_there_are_unsaved_edits(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("applicant.address")
        await pilot.pause()
        await pilot.press("x", "ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen"
        await pilot.press("escape")
        assert app.screen is editor and app.is_running


async def test_a_new_row_of_a_period_table_takes_the_missing_period(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot, build_all=False)
        editor.jump_to("foundation.grants[2].design")
        await pilot.pause()
        await pilot.press("delete")
        assert editor.model is not None
        assert [r["period"] for r in editor.model.data["foundation"]["grants"]] == ["2021年"]
        await pilot.press("ctrl+n")
        assert editor.model.data["foundation"]["grants"][1] == {"period": "2022年1-9月"}


async def test_a_broken_case_opens_with_its_error_and_edits_nothing(cases_repo: Path) -> None:
    from tests.app_helpers import add_case

    add_case(cases_repo, "BAD-1", 'form = "bj-ipcluster-2022"\n[case\n')
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        pilot.app.open_case("BAD-1")  # type: ignore[attr-defined]
        await settle(pilot)
        text = str(app.screen.query_one(".broken").render())
        assert "TOML" in text and "第2行" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)


async def test_section_keys_pressed_quickly_each_move_one_section(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot, build_all=False)
        tabbed = editor.query_one(TabbedContent)
        ids = [p.id for p in tabbed.query("TabPane")]
        assert tabbed.active == ids[0]
        for _ in range(3):  # typed ahead: the sections are still being built
            app.post_message(events.Key("alt+right", None))
        await settle(pilot)
        assert tabbed.active == ids[3]
        await pilot.press("alt+left")
        await settle(pilot)
        assert tabbed.active == ids[2]


async def test_ctrl_q_enter_saves_the_edits_then_quits(cases_repo: Path) -> None:
    """The first, focused choice is the safe one: Enter saves (reason dialog, Enter) and quits."""
    from tests.conftest import git

    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        editor.jump_to("applicant.address")
        await pilot.pause()
        await pilot.press("end", *"甲", "ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen"
        await pilot.press("enter")  # 保存并退出
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReasonScreen"
        await pilot.press("enter")
        for _ in range(100):
            if not app.is_running:
                break
            await pilot.pause(0.05)
        assert not app.is_running
    text = (cases_repo / "XH-2022-001" / "case.toml").read_text(encoding="utf-8")
    assert '甲"' in text
    assert git(cases_repo, "status", "--porcelain").stdout == ""


ESCAPES = "\x1b[31m红色\x1b[0m \x1b]0;pwned\x07"
ESCAPES_TOML = '"\\u001b[31m红色\\u001b[0m \\u001b]0;pwned\\u0007"'


async def test_escape_sequences_in_values_show_as_codes_and_are_never_written_back(
    cases_repo: Path,
) -> None:
    """A value holding terminal escapes is shown as visible codes in its input; opening the
    case changes nothing; an edit saves the text as shown, never a raw escape the person did
    not type."""
    import re

    from tests.conftest import git

    path = cases_repo / "XH-2022-001" / "case.toml"
    text = re.sub(
        r'(?m)^address = "[^"\n]*"',
        lambda _m: f"address = {ESCAPES_TOML}",
        path.read_text("utf-8"),
        count=1,
    )
    path.write_text(text, encoding="utf-8")
    git(cases_repo, "commit", "-q", "--no-verify", "-am", "escapes")
    app = make_app(cases_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        assert editor.model is not None
        assert editor.model.data["applicant"]["address"] == ESCAPES
        box = editor.fields["applicant.address"].query_one(Input)
        assert "\x1b" not in box.value and "\x07" not in box.value
        assert "\\x1b[31m红色" in box.value and "\\x07" in box.value
        editor.jump_to("applicant.address")
        await pilot.pause()
        shot = app.export_screenshot()
        assert "\x1b" not in shot and "pwned" in shot
        assert not editor.model.dirty  # untouched: the value is kept as it is
        await pilot.press("end", "甲")
        await pilot.pause()
        edited = editor.model.data["applicant"]["address"]
        assert "\x1b" not in edited and "\x07" not in edited and edited.endswith("甲")
