"""The field-level three-way merge on real case files (no git needed except for git's line merge)."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import EXAMPLE

from tui.core.merge import (
    MISSING,
    merge_case_file,
    merge_driver,
    row_keys_for,
    same,
)

CASE = (EXAMPLE / "case.toml").read_text(encoding="utf-8")
REL = "XH-2022-001/case.toml"


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def merge(base: str, ours: str, theirs: str, choices: Any = "ours") -> Any:
    return merge_case_file(REL, base.encode(), ours.encode(), theirs.encode(), choices)


def data(text: str) -> dict[str, Any]:
    return tomllib.loads(text, parse_float=Decimal)


def test_row_identities_come_from_the_form() -> None:
    keys = row_keys_for(REL, data(CASE))
    assert keys["annex1"] == ("patent_no", "method", "date")
    assert keys["annex2"] == ("patent_no",)
    assert keys["budget"] == ("item",)
    assert keys["foundation.demand"] == ("period",)
    assert keys["foundation.funding"] == ("year",)
    assert row_keys_for("XH-2022-001/reviews/li.wei.toml")["waivers"] == ("rule",)


def test_comments_and_layout_of_both_sides_survive() -> None:
    ours = edit(CASE, "# 项目负责人", "# 项目负责人（本地补充的注释）")
    ours = edit(ours, 'mobile = "13801234567"', 'mobile = "13801230001"')
    theirs = edit(CASE, "received_yuan = 150000", "received_yuan = 140000  # 回单已核对")
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    lines = set(merged.text.splitlines())
    assert "[applicant.lead]                    # 项目负责人（本地补充的注释）" in lines
    assert 'mobile = "13801230001"              # 手机' in lines
    assert "received_yuan = 140000  # 回单已核对" in lines
    # Everything else is ours byte for byte.
    expected = edit(ours, "received_yuan = 150000", "received_yuan = 140000  # 回单已核对")
    assert merged.text == expected


def test_a_field_deleted_on_one_side_and_untouched_on_the_other_goes() -> None:
    theirs = edit(CASE, 'fax = "010-62345680"                # 传真号码\n', "")
    ours = edit(CASE, 'name = "陈晓"', 'name = "陈晓明"')
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    contact = data(merged.text)["applicant"]["contact"]
    assert "fax" not in contact and contact["name"] == "陈晓明"


def test_same_change_on_both_sides_is_no_conflict() -> None:
    both = edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230001"')
    merged = merge(CASE, both, both)
    assert merged.conflicts == [] and merged.text == both


def test_same_field_two_ways_is_one_conflict_settled_by_choice() -> None:
    ours = edit(CASE, "received_yuan = 150000", "received_yuan = 140000")
    theirs = edit(CASE, "received_yuan = 150000", "received_yuan = 130000")
    merged = merge(CASE, ours, theirs)
    (c,) = merged.conflicts
    assert c.path == "annex1[2].received_yuan"
    assert (c.base, c.ours, c.theirs) == (150000, 140000, 130000)
    assert "patent_no" not in c.path and "ZL202011187302.6" in c.key
    for side, value in (("ours", 140000), ("theirs", 130000), ("base", 150000)):
        chosen = merge(CASE, ours, theirs, {c.key: side})
        assert data(chosen.text)["annex1"][1]["received_yuan"] == value


def test_true_is_not_one_and_an_amount_keeps_its_value() -> None:
    assert not same(True, 1) and same(Decimal("10.0"), 10) and not same("1", 1)
    assert not same(MISSING, None)


def test_rows_added_with_the_same_identity_merge_their_fields() -> None:
    row = '\n[[budget]]\nitem = "宣传培训"\n'
    ours = edit(CASE, "[opinion]", row.lstrip() + 'note = "两场培训"\n\n[opinion]')
    theirs = edit(CASE, "[opinion]", row.lstrip() + "amount_wan = 2.5\n\n[opinion]")
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    new = data(merged.text)["budget"][-1]
    assert new == {"item": "宣传培训", "note": "两场培训", "amount_wan": Decimal("2.5")}


def test_period_rows_are_matched_by_period_not_position() -> None:
    # Theirs swaps the two demand rows (same values); ours edits the second one's items.
    first = CASE.index("[[foundation.demand]]")
    second = CASE.index("[[foundation.demand]]", first + 1)
    end = CASE.index("[[foundation.grants]]")
    a, b = CASE[first:second], CASE[second:end]
    theirs = CASE[:first] + b.rstrip("\n") + "\n\n" + a.rstrip("\n") + "\n\n" + CASE[end:]
    ours = CASE[:second] + b.replace("items = ", "items = 1", 1) + CASE[end:]
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    rows = {r["period"]: r for r in data(merged.text)["foundation"]["demand"]}
    base_rows = {r["period"]: r for r in data(CASE)["foundation"]["demand"]}
    edited_period = data(CASE)["foundation"]["demand"][1]["period"]
    assert rows[edited_period]["items"] == int("1" + str(base_rows[edited_period]["items"]))


def test_an_unreadable_side_falls_back_to_the_line_merge() -> None:
    ours = edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230001')  # unclosed string
    theirs = edit(CASE, 'name = "陈晓"', 'name = "陈晓明"')
    merged = merge(CASE, ours, theirs)
    assert merged.textual and merged.conflicts == []  # clean by lines: as git would
    assert 'mobile = "13801230001 ' in merged.text and 'name = "陈晓明"' in merged.text
    # The same line both ways: the whole file is one conflict, with git's markers.
    theirs = edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230002"')
    merged = merge(CASE, ours, theirs)
    (c,) = merged.conflicts
    assert c.kind == "file" and c.path == ""
    assert "<<<<<<< ours" in merged.text and 'mobile = "13801230002"' in merged.text
    assert merge(CASE, ours, theirs, {"": "theirs"}).text == theirs


def test_bytes_that_are_not_utf8_do_not_stop_the_merge() -> None:
    base = CASE.encode()
    ours = edit(CASE, 'name = "陈晓"', 'name = "陈晓明"').encode()
    theirs = CASE.encode().replace("# 传真号码".encode(), b"# \xff")
    merged = merge_case_file(REL, base, ours, theirs)
    assert merged.conflicts == []
    out = merged.text.encode("utf-8", errors="surrogateescape")
    assert b"# \xff" in out and "陈晓明".encode() in out


def test_the_driver_writes_the_result_where_git_reads_it(tmp_path: Path) -> None:
    files = {}
    for name, text in (
        ("O", CASE),
        ("A", edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230001"')),
        ("B", edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230002"')),
    ):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    assert merge_driver(files["O"], files["A"], files["B"], REL) == 1
    text = files["A"].read_text(encoding="utf-8")
    assert text.count("<<<<<<< ours") == 1 and text.count(">>>>>>> theirs") == 1
    files["B"].write_text(edit(CASE, 'name = "陈晓"', 'name = "陈晓明"'), encoding="utf-8")
    files["A"].write_text(
        edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230001"'), encoding="utf-8"
    )
    assert merge_driver(files["O"], files["A"], files["B"], REL) == 0
    merged = data(files["A"].read_text(encoding="utf-8"))
    assert merged["applicant"]["contact"]["name"] == "陈晓明"
    assert merged["applicant"]["lead"]["mobile"] == "13801230001"


def test_rows_moved_by_theirs_keep_their_new_order() -> None:
    first = CASE.index("[[foundation.demand]]")
    second = CASE.index("[[foundation.demand]]", first + 1)
    end = CASE.index("[[foundation.grants]]")
    a, b = CASE[first:second], CASE[second:end]
    theirs = CASE[:first] + b.rstrip("\n") + "\n\n" + a.rstrip("\n") + "\n\n" + CASE[end:]
    ours = edit(CASE, 'name = "陈晓"', 'name = "陈晓明"')
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    periods = [r["period"] for r in data(merged.text)["foundation"]["demand"]]
    assert periods == [r["period"] for r in data(theirs)["foundation"]["demand"]]
    assert data(merged.text)["applicant"]["contact"]["name"] == "陈晓明"


def test_lists_without_repeats_merge_as_sets() -> None:
    evidence = 'evidence = ["attachments/2021-06-18-assignment.pdf"]'
    ours = edit(CASE, evidence, evidence.replace('"]', '", "attachments/a.pdf"]'))
    ours = edit(ours, '"人工智能", ', "")
    theirs = edit(CASE, evidence, evidence.replace('"]', '", "attachments/b.pdf"]'))
    theirs = edit(theirs, '"集成电路"]', '"集成电路", "医药健康"]')
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    result = data(merged.text)
    assert result["annex1"][0]["evidence"] == [
        "attachments/2021-06-18-assignment.pdf",
        "attachments/a.pdf",
        "attachments/b.pdf",
    ]
    assert result["applicant"]["industries"] == ["新一代信息技术", "集成电路", "医药健康"]


def test_a_comment_added_by_theirs_survives_next_to_ours_value_change() -> None:
    ours = edit(CASE, 'mobile = "13801234567"', 'mobile = "13801230001"')
    theirs = edit(CASE, "[applicant.contact]", "# 联系人2026年起换人\n[applicant.contact]")
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(
        ours, "[applicant.contact]", "# 联系人2026年起换人\n[applicant.contact]"
    )


def test_a_corrected_patent_number_is_the_same_row_for_the_other_side() -> None:
    ours = edit(CASE, 'patent_no = "ZL202011187302.6"', 'patent_no = "ZL202011187302.7"')
    theirs = edit(CASE, "received_yuan = 150000", "received_yuan = 140000")
    merged = merge(CASE, ours, theirs)
    assert merged.conflicts == []
    rows = data(merged.text)["annex1"]
    assert len(rows) == len(data(CASE)["annex1"])
    assert (rows[1]["patent_no"], rows[1]["received_yuan"]) == ("ZL202011187302.7", 140000)
