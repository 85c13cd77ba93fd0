"""The audit trail read at field level: log, diff, blame, restore — with plain-git commits mixed in."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import anjuan, git

from tui.core.case import read_case
from tui.core.history import case_blame, case_diff, case_log, restore_case
from tui.core.store import StoreError, save_case

CID = "XH-2022-001"
TODAY = date(2022, 10, 1)


def edit(cases: Path, who: str, reason: str | None = None, **fields: Any) -> str:
    """Save through the product: fields given as section__key=value."""
    case = read_case(cases / CID, CID)
    assert case.data is not None
    data = copy.deepcopy(case.data)
    for name, value in fields.items():
        section, key = name.split("__")
        data[section][key] = value
    result = save_case(
        cases, CID, data, as_name=who, reason=reason, expected_version=case.version, today=TODAY
    )
    assert result.commit
    return result.commit


def hand_edit(cases: Path, old: str, new: str) -> None:
    path = cases / CID / "case.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_log_mixes_product_saves_and_plain_git_hand_edits(cases_repo: Path) -> None:
    edit(cases_repo, "王芳", "按指南调整", targets__info_pushes=1500)
    # A person edits with an editor: re-aligns comments (not a change) and changes one value,
    # then commits with plain git.
    hand_edit(
        cases_repo,
        "demand_items = 60                   # 1.",
        "demand_items = 64   # 1.",
    )
    hand_edit(cases_repo, "activities = 6                      #", "activities = 6 #")
    git(cases_repo, "commit", "-qam", "改需求数")
    edit(cases_repo, "李伟", targets__activities=8)

    log = case_log(cases_repo, CID)
    assert [e.author for e in log[:3]] == ["李伟", "Test Person", "王芳"]
    assert [[(c.path, c.old, c.new) for c in e.changes] for e in log[:3]] == [
        [("targets.activities", 6, 8)],
        [("targets.demand_items", 60, 64)],
        [("targets.info_pushes", 1200, 1500)],
    ]
    assert log[2].reason == "按指南调整" and log[1].reason is None
    assert log[2].login and log[1].login is None  # plain git leaves no login trailer
    assert log[-1].subject == "samples"


def test_log_json_from_the_command(cases_repo: Path) -> None:
    edit(cases_repo, "王芳", "补录", targets__info_pushes=1500)
    result = anjuan("log", CID, "--format", "json", "--cases", str(cases_repo))
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["log"]
    first = entries[0]
    assert first["author"] == "王芳" and first["reason"] == "补录"
    assert first["changes"] == [{"path": "targets.info_pushes", "old": 1200, "new": 1500}]
    assert {"commit", "login", "time"} <= first.keys()
    text = anjuan("log", CID, "--cases", str(cases_repo)).stdout
    assert "targets.info_pushes 1200 → 1500" in text and "理由：补录" in text


def test_restore_is_a_new_commit_and_shows_in_the_log(cases_repo: Path) -> None:
    first = edit(cases_repo, "王芳", targets__info_pushes=1500)
    edit(cases_repo, "王芳", targets__info_pushes=1800, targets__activities=9)
    before = int(git(cases_repo, "rev-list", "--count", "HEAD").stdout)
    result = restore_case(cases_repo, CID, first, as_name="李伟", reason="误改", today=TODAY)
    assert result.commit
    assert int(git(cases_repo, "rev-list", "--count", "HEAD").stdout) == before + 1
    data = read_case(cases_repo / CID, CID).data
    assert data and data["targets"]["info_pushes"] == 1500 and data["targets"]["activities"] == 6
    top = case_log(cases_repo, CID)[0]
    assert top.author == "李伟" and top.reason == "误改" and "恢复到" in top.subject
    assert {(c.path, c.old, c.new) for c in top.changes} == {
        ("targets.info_pushes", 1800, 1500),
        ("targets.activities", 9, 6),
    }


def test_restore_from_the_command_and_a_bad_revision(cases_repo: Path) -> None:
    edit(cases_repo, "王芳", targets__info_pushes=1500)
    ok = anjuan("restore", CID, "HEAD~1", "--cases", str(cases_repo))
    assert ok.returncode == 0, ok.stderr
    assert "targets.info_pushes 1500 → 1200" in ok.stdout
    bad = anjuan("restore", CID, "no-such-rev", "--cases", str(cases_repo))
    assert bad.returncode == 2 and "anjuan log" in bad.stderr


def test_diff_defaults_to_last_commit_against_the_working_file(cases_repo: Path) -> None:
    first = edit(cases_repo, "王芳", targets__info_pushes=1500)
    hand_edit(cases_repo, 'name = "李文静"', 'name = "李文"')
    changes = case_diff(cases_repo, CID)
    assert [(c.path, c.old, c.new) for c in changes] == [("applicant.lead.name", "李文静", "李文")]
    between = case_diff(cases_repo, CID, f"{first}~1", first)
    assert [(c.path, c.old, c.new) for c in between] == [("targets.info_pushes", 1200, 1500)]
    shown = anjuan("diff", CID, "--cases", str(cases_repo)).stdout
    assert 'applicant.lead.name "李文静" → "李文"' in shown


def test_blame_follows_fields_across_inserted_rows(cases_repo: Path) -> None:
    base = git(cases_repo, "rev-parse", "HEAD").stdout.strip()
    case = read_case(cases_repo / CID, CID)
    assert case.data
    data = copy.deepcopy(case.data)
    data["annex1"][5]["received_yuan"] = 250000
    changed = save_case(cases_repo, CID, data, as_name="王芳", today=TODAY).commit
    data = copy.deepcopy(data)
    data["annex1"].insert(0, {**data["annex1"][1], "patent_no": "ZL202011187302.6"})
    inserted = save_case(cases_repo, CID, data, as_name="李伟", today=TODAY).commit
    lines = {b.path: b for b in case_blame(cases_repo, CID)}
    assert lines["annex1[7].received_yuan"].commit == changed  # row 6 is now row 7
    assert lines["annex1[7].received_yuan"].author == "王芳"
    assert lines["annex1[7].contract_yuan"].commit == base
    assert lines["annex1[1].patent_no"].commit == inserted
    assert lines["targets.info_pushes"].commit == base
    only = case_blame(cases_repo, CID, "annex1[7]")
    assert {b.path for b in only} >= {"annex1[7].received_yuan", "annex1[7].date"}
    with pytest.raises(StoreError, match="没有字段"):
        case_blame(cases_repo, CID, "annex1[99]")


def test_blame_marks_uncommitted_fields(cases_repo: Path) -> None:
    hand_edit(cases_repo, "info_pushes = 1200", "info_pushes = 1300")
    (line,) = case_blame(cases_repo, CID, "targets.info_pushes")
    assert line.commit is None and line.value == 1300
    shown = anjuan("blame", CID, "targets.info_pushes", "--cases", str(cases_repo)).stdout
    assert "未提交" in shown and "1300" in shown


def test_merge_of_two_branches_blames_each_side(cases_repo: Path) -> None:
    git(cases_repo, "checkout", "-qb", "side")
    side = edit(cases_repo, "李伟", opinion__text="同意。")
    git(cases_repo, "checkout", "-q", "main")
    main = edit(cases_repo, "王芳", targets__info_pushes=1500)
    git(cases_repo, "merge", "-q", "--no-edit", "side")
    lines = {b.path: b for b in case_blame(cases_repo, CID)}
    assert lines["opinion.text"].commit == side
    assert lines["targets.info_pushes"].commit == main
    merge = case_log(cases_repo, CID)[0]
    assert merge.changes == []  # a clean merge decides nothing itself


def test_reviews_saved_with_the_case_show_in_the_log(cases_repo: Path) -> None:
    reviews = cases_repo / CID / "reviews"
    reviews.mkdir()
    (reviews / "li.wei.toml").write_text(
        'reviewer = "li.wei"\ndecision = "revise"\nscore = 70\n', encoding="utf-8"
    )
    edit(cases_repo, "李伟", targets__info_pushes=1500)
    assert git(cases_repo, "status", "--porcelain").stdout == ""
    top = case_log(cases_repo, CID)[0]
    paths = [c.path for c in top.changes]
    assert paths[0] == "targets.info_pushes"
    assert "reviews/li.wei.toml:decision" in paths
    message = git(cases_repo, "log", "-1", "--format=%B").stdout
    assert "reviews/li.wei.toml" in message


def test_a_leftover_uncommitted_edit_is_committed_and_named(cases_repo: Path) -> None:
    hand_edit(cases_repo, 'mobile = "13801234567"', 'mobile = "13800000000"')
    edit(cases_repo, "王芳", targets__info_pushes=1500)
    message = git(cases_repo, "log", "-1", "--format=%B").stdout
    assert "targets.info_pushes 1200 → 1500" in message
    assert 'applicant.lead.mobile "13801234567" → "13800000000"' in message
    assert git(cases_repo, "status", "--porcelain").stdout == ""
    changes = {c.path for c in case_log(cases_repo, CID)[0].changes}
    assert changes == {"targets.info_pushes", "applicant.lead.mobile"}


def test_a_review_saved_on_its_own_is_one_commit_with_its_fields(cases_repo: Path) -> None:
    from tests.app_helpers import map_account
    from tui.core.store import SaveRefused, save_review

    map_account(cases_repo, "li.wei")  # only li.wei's account writes li.wei's file
    first = save_review(
        cases_repo, CID, "li.wei", {"reviewer": "li.wei", "decision": "revise", "score": 70}
    )
    assert first.commit
    text = (cases_repo / CID / "reviews" / "li.wei.toml").read_text(encoding="utf-8")
    path = cases_repo / CID / "reviews" / "li.wei.toml"
    path.write_text(text.replace("score = 70", "score = 70  # 初评"), encoding="utf-8")
    second = save_review(
        cases_repo,
        CID,
        "li.wei",
        {"reviewer": "li.wei", "decision": "recommend", "score": 70},
        expected_version=None,
        as_name="li.wei",
    )
    assert [(c.path, c.old, c.new) for c in second.changes] == [
        ("reviews/li.wei.toml:decision", "revise", "recommend")
    ]
    assert "score = 70  # 初评" in path.read_text(encoding="utf-8")  # the comment stays
    with pytest.raises(SaveRefused):
        save_review(cases_repo, CID, "li.wei", {"reviewer": "li.wei", "decision": "maybe"})
    top = case_log(cases_repo, CID)[0]
    assert top.author == "li.wei"
    assert [c.path for c in top.changes] == ["reviews/li.wei.toml:decision"]
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_field_log_lists_only_the_commits_that_touched_the_field(cases_repo: Path) -> None:
    from tui.core.history import field_log

    edit(cases_repo, "王芳", targets__info_pushes=1500)
    edit(cases_repo, "李伟", targets__activities=8)
    edit(cases_repo, "王芳", targets__info_pushes=1600)
    entries = field_log(cases_repo, CID, "targets.info_pushes")
    assert [(e.author, [(c.old, c.new) for c in e.changes]) for e in entries[:2]] == [
        ("王芳", [(1500, 1600)]),
        ("王芳", [(1200, 1500)]),
    ]
    assert entries[-1].subject == "samples"  # the case was created there
    assert len(entries) == 3


def test_log_and_diff_show_an_inf_typed_by_hand(cases_repo: Path) -> None:
    """A hand edit may write inf or nan where an amount goes: listed as written, no crash."""
    path = cases_repo / "XH-2022-001" / "case.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("amount_wan = 45.5", "amount_wan = inf", 1), encoding="utf-8")
    git(cases_repo, "commit", "-q", "--no-verify", "-am", "hand edit")
    for command in (["log"], ["diff", "XH-2022-001", "HEAD~1"]):
        done = anjuan("--cases", str(cases_repo), *command[:1], "XH-2022-001", *command[2:])
        assert done.returncode == 0, done.stderr
        assert "45.5 → inf" in done.stdout, done.stdout
