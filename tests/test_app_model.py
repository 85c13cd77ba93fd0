"""The editor's change list and conflict merge use the core's one diff (``diff_data``)."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from tests.app_helpers import make_app, settle
from tests.conftest import EXAMPLE, git
from tests.test_app_editor import open_editor
from tests.test_app_flows import type_into
from tui.app.model import change_line, clone
from tui.app.screens.conflict import merge
from tui.core.edit import diff_data
from tui.core.schema import load_form

FORM = load_form("bj-ipcluster-2022")


def example() -> dict:  # type: ignore[type-arg]
    text = (EXAMPLE / "case.toml").read_text(encoding="utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def lines(old: dict, new: dict) -> list[str]:  # type: ignore[type-arg]
    return [change_line(FORM.label(c.path), c) for c in diff_data(old, new)]


def test_change_lines_name_fields_by_label_and_rows_once() -> None:
    old = example()
    new = clone(old)
    new["targets"]["info_pushes"] = 1500
    del new["applicant"]["address"]
    assert lines(old, new) == [  # in the file's order
        f"申报单位地址：{old['applicant']['address']} → （空）",
        "推送信息数量：1200 → 1500",
    ]
    new = clone(old)
    second = new["budget"].pop(1)  # a row out of the middle: one change, not a shift of rows
    (line,) = lines(old, new)
    assert line.startswith(f'四、经费预算（成本测算） 第2行：删除一行 {{item = "{second["item"]}"')
    new = clone(old)
    new["budget"].append({})
    assert lines(old, new) == ["四、经费预算（成本测算） 第4行：新增一行 （空）"]


def test_merge_keeps_their_fields_and_my_rows() -> None:
    base = example()
    disk, mine = clone(base), clone(base)
    disk["targets"]["info_pushes"] = 1300
    disk["applicant"]["lead"]["title"] = "中心副主任"
    mine["applicant"]["lead"]["title"] = "主任"
    del mine["budget"][1]
    del mine["applicant"]["address"]
    merged = merge(base, disk, mine, keep_mine={"applicant.lead.title"})
    assert merged["targets"]["info_pushes"] == 1300  # theirs
    assert merged["applicant"]["lead"]["title"] == "主任"  # both changed: mine kept
    assert merged["budget"] == mine["budget"]  # my row deletion
    assert "address" not in merged["applicant"]  # my removal
    merged = merge(base, disk, mine, keep_mine=set())
    assert merged["applicant"]["lead"]["title"] == "中心副主任"


async def test_the_save_preview_lists_what_the_commit_will(cases_repo: Path) -> None:
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 40)) as pilot:
        editor = await open_editor(pilot)
        await type_into(pilot, editor, "targets.info_pushes", "1500")
        editor.jump_to("budget[2].item")
        await settle(pilot)
        await pilot.press("delete")
        await pilot.press("ctrl+s")
        await settle(pilot)
        preview = str(app.screen.query_one(".changes").render()).splitlines()
        assert preview[0] == "推送信息数量：1200 → 1500"
        assert preview[1].startswith("四、经费预算（成本测算） 第2行：删除一行 {item = ")
        assert len(preview) == 2
        await pilot.press("enter")
        await settle(pilot)
    message = git(cases_repo, "log", "-1", "--format=%B").stdout
    assert "- targets.info_pushes 1200 → 1500" in message
    assert "- budget[2] 删除一行" in message
