"""save_case: only the changed lines change, one commit per save, refusals change nothing."""

from __future__ import annotations

import copy
import os
import pwd
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, anjuan, git

from tui.core.case import blob_id, read_case
from tui.core.edit import apply_changes, parse_value
from tui.core.paths import PathError
from tui.core.schema import load_form
from tui.core.store import ConflictError, SaveRefused, StoreError, save_case

CID = "XH-2022-001"
TODAY = date(2022, 10, 1)


def load(cases: Path) -> tuple[dict[str, Any], str]:
    case = read_case(cases / CID, CID)
    assert case.data is not None and case.version is not None
    return copy.deepcopy(case.data), case.version


def text_of(cases: Path) -> str:
    return (cases / CID / "case.toml").read_bytes().decode("utf-8")


def commits(cases: Path) -> int:
    return int(git(cases, "rev-list", "--count", "HEAD").stdout)


def replace_line(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_one_changed_value_changes_one_line_and_makes_one_commit(cases_repo: Path) -> None:
    before = text_of(cases_repo)
    data, version = load(cases_repo)
    data["targets"]["info_pushes"] = 1500
    result = save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    expected = replace_line(
        before,
        "info_pushes = 1200                  # 7.",
        "info_pushes = 1500                  # 7.",
    )
    assert text_of(cases_repo) == expected
    assert [(c.path, c.old, c.new) for c in result.changes] == [("targets.info_pushes", 1200, 1500)]
    assert result.version == blob_id(expected.encode())
    assert commits(cases_repo) == 2
    subject = git(cases_repo, "log", "-1", "--format=%s").stdout.strip()
    assert subject == f"{CID}: targets.info_pushes 1200 → 1500"
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_saving_the_same_data_writes_nothing_and_commits_nothing(cases_repo: Path) -> None:
    before = (cases_repo / CID / "case.toml").read_bytes()
    data, version = load(cases_repo)
    data["foundation"]["funding"][1]["amount_wan"] = Decimal("62")  # same amount as 62.0
    result = save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    assert result.commit is None and result.changes == []
    assert (cases_repo / CID / "case.toml").read_bytes() == before
    assert commits(cases_repo) == 1


def test_comment_column_and_multiline_strings_keep_their_layout(cases_repo: Path) -> None:
    before = text_of(cases_repo)
    data, version = load(cases_repo)
    data["applicant"]["name"] = "北京星河园"
    data["applicant"]["overview"] = "一行。\n两行。\n"
    data["foundation"]["funding"][1]["amount_wan"] = Decimal("70.25")
    save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    after = text_of(cases_repo)
    expected = replace_line(
        before,
        'name = "北京星河科技园运营管理有限公司"   # 申报单位名称',
        'name = "北京星河园"                       # 申报单位名称',
    )
    start = expected.index('overview = """\n') + len('overview = """\n')
    end = expected.index('"""', start)
    expected = expected[:start] + "一行。\n两行。\n" + expected[end:]
    expected = replace_line(expected, "amount_wan = 62.0\n", "amount_wan = 70.25\n")
    assert after == expected


HAND_MADE_LEAD = (
    'lead = { name = "李文静",title=\'知识产权服务中心主任\' , landline = "010-62345678", '
    'mobile = "13801234567" }   # 项目负责人\n'
)


def hand_formatted(crlf: bool = False) -> str:
    """The example rewritten by a person: odd spacing, an inline table, comments between rows."""
    text = EXAMPLE.joinpath("case.toml").read_text(encoding="utf-8")
    block_start = text.index("[applicant.lead]")
    block_end = text.index("[applicant.contact]")
    text = text[:block_start] + text[block_end:]
    text = replace_line(text, 'overview = """\n', HAND_MADE_LEAD + 'overview = """\n')
    text = replace_line(text, "info_pushes = 1200 ", "info_pushes   =1200")
    text = replace_line(text, "activities = 6 ", "  activities=6  ")
    third = text.index("[[annex1]]\ndate = 2021-11-23")
    text = text[:third] + "# 以下两行来自2021年第四季度台账\n#   （手工核对过）\n\n" + text[third:]
    if crlf:
        text = text.replace("\n", "\r\n")
    return text


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
def test_hand_formatted_file_survives_byte_for_byte(cases_repo: Path, crlf: bool) -> None:
    original = hand_formatted(crlf)
    path = cases_repo / CID / "case.toml"
    path.write_bytes(original.encode("utf-8"))
    git(cases_repo, "commit", "-qam", "hand formatted")
    data, version = load(cases_repo)
    assert data["applicant"]["lead"]["mobile"] == "13801234567"
    data["applicant"]["lead"]["mobile"] = "13900000000"
    data["targets"]["info_pushes"] = 1500
    data["annex1"][3]["received_yuan"] = 4000000
    save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    nl = "\r\n" if crlf else "\n"
    expected = original.replace('mobile = "13801234567" }', 'mobile = "13900000000" }')
    expected = replace_line(
        expected, "info_pushes   =1500".replace("1500", "1200"), "info_pushes   =1500"
    )
    expected = replace_line(
        expected,
        f"contract_yuan = 5000000{nl}received_yuan = 5000000{nl}",
        f"contract_yuan = 5000000{nl}received_yuan = 4000000{nl}",
    )
    assert path.read_bytes().decode("utf-8") == expected


def test_unchanged_save_of_hand_formatted_file_is_identical(cases_repo: Path) -> None:
    original = hand_formatted(crlf=True).encode("utf-8")
    path = cases_repo / CID / "case.toml"
    path.write_bytes(original)
    git(cases_repo, "commit", "-qam", "hand formatted")
    data, version = load(cases_repo)
    data["case"]["status"] = "draft"
    save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    data["case"]["status"] = "submitted"
    save_case(cases_repo, CID, data, today=TODAY)
    assert path.read_bytes() == original


def rows_block(text: str, name: str, n: int) -> str:
    """The text of row n (1-based) of [[name]], up to the next header."""
    marker = f"[[{name}]]"
    starts = []
    pos = text.find(marker)
    while pos != -1:
        starts.append(pos)
        pos = text.find(marker, pos + 1)
    start = starts[n - 1]
    end = text.find("\n[", start + 1) + 1
    return text[start:end]


def test_appended_row_copies_the_layout_of_the_rows_above(cases_repo: Path) -> None:
    before = text_of(cases_repo)
    data, version = load(cases_repo)
    new_row = {
        "date": date(2022, 9, 1),
        "patent_no": "ZL202011654212.3",
        "method": "转让",
        "supplier": "北京某大学",
        "recipient": "北京云杉数据科技有限公司",
        "contract_yuan": 90000,
        "received_yuan": 90000,
        "patent_amount_yuan": 90000,
        "evidence": [],
    }
    data["annex1"].append(dict(reversed(list(new_row.items()))))  # key order as given: reversed
    result = save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    assert [c.path for c in result.changes] == ["annex1[8]"]
    after = text_of(cases_repo)
    seventh = rows_block(before, "annex1", 7)
    expected_row = (
        "[[annex1]]\n"
        "date = 2022-09-01\n"
        'patent_no = "ZL202011654212.3"\n'
        'method = "转让"\n'
        'supplier = "北京某大学"\n'
        'recipient = "北京云杉数据科技有限公司"\n'
        "contract_yuan = 90000\n"
        "received_yuan = 90000\n"
        "patent_amount_yuan = 90000\n"
        "evidence = []\n"
        "\n"
    )
    assert after == before.replace(seventh, seventh + expected_row)


def test_deleted_inserted_and_moved_rows(cases_repo: Path) -> None:
    before = text_of(cases_repo)
    data, version = load(cases_repo)
    rows = data["annex1"]
    fifth = rows[4]
    data["annex1"] = [rows[0], rows[2], rows[3], rows[5], rows[6], fifth]  # drop 2nd, move 5th
    data["annex2"].insert(
        1, {**data["annex2"][2], "name": "新需求", "patent_no": "ZL202133021999.8"}
    )
    result = save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    after = text_of(cases_repo)
    assert rows_block(before, "annex1", 2) not in after
    assert rows_block(before, "annex1", 5).rstrip("\n") in after  # moved row kept verbatim
    assert after.index('patent_no = "ZL201911290077.6"') < after.index(
        'patent_no = "ZL202022234519.X"'
    )
    assert 'name = "新需求"' in after
    assert read_case(cases_repo / CID, CID).data == data
    paths = [c.path for c in result.changes]
    assert "annex1[2]" in paths and "annex2[2]" in paths
    assert before.split("[[annex1]]")[0] == after.split("[[annex1]]")[0]


def test_stale_expected_version_is_refused_and_nothing_is_written(cases_repo: Path) -> None:
    data, version = load(cases_repo)
    other = copy.deepcopy(data)
    other["targets"]["activities"] = 7
    save_case(cases_repo, CID, other, expected_version=version, today=TODAY)
    saved = (cases_repo / CID / "case.toml").read_bytes()
    data["targets"]["info_pushes"] = 1500
    with pytest.raises(ConflictError, match="重新打开"):
        save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    assert (cases_repo / CID / "case.toml").read_bytes() == saved
    assert commits(cases_repo) == 2


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("annex1[2].method", "买卖", "SCHEMA.ENUM"),
        ("targets.info_pushes", "很多", "SCHEMA.TYPE"),
    ],
)
def test_wrong_type_or_word_outside_the_list_is_refused(
    cases_repo: Path, path: str, value: Any, rule: str
) -> None:
    before = (cases_repo / CID / "case.toml").read_bytes()
    data, version = load(cases_repo)
    data = apply_changes(data, {path: value})
    with pytest.raises(SaveRefused) as info:
        save_case(cases_repo, CID, data, expected_version=version, today=TODAY)
    assert [f.rule for f in info.value.findings] == [rule]
    assert (cases_repo / CID / "case.toml").read_bytes() == before
    assert commits(cases_repo) == 1


def test_reason_and_login_are_recorded_as_trailers(cases_repo: Path) -> None:
    data, version = load(cases_repo)
    data["targets"]["info_pushes"] = 1500
    save_case(
        cases_repo,
        CID,
        data,
        expected_version=version,
        today=TODAY,
        as_name="王芳",
        reason="按评审意见调整",
    )
    shown = git(cases_repo, "log", "-1", "--format=%an%n%B").stdout
    assert shown.startswith("王芳\n")
    assert "Anjuan-Reason: 按评审意见调整" in shown
    assert "Anjuan-Login: " in shown


def test_apply_changes_appends_rows_and_names_bad_paths() -> None:
    case = read_case(EXAMPLE, CID)
    assert case.data is not None
    form = load_form("bj-ipcluster-2022")
    data = apply_changes(
        case.data,
        {
            "annex1[8].date": date(2022, 9, 1),
            "annex1[8].method": "转让",
            "targets.info_pushes": 1500,
        },
        form.node,
    )
    assert data["annex1"][7] == {"date": date(2022, 9, 1), "method": "转让"}
    assert case.data["targets"]["info_pushes"] == 1200  # the input is not changed
    with pytest.raises(PathError, match=r"annex1\[10\].*只有 7 行.*\[8\]"):
        apply_changes(case.data, {"annex1[10].date": date(2022, 9, 1)}, form.node)
    with pytest.raises(PathError, match=r"targets\.info_push.*不存在"):
        apply_changes(case.data, {"targets.info_push": 1}, form.node)
    with pytest.raises(PathError, match="无法识别"):
        apply_changes(case.data, {"targets..x": 1}, form.node)


def test_parse_value_reads_toml_values() -> None:
    assert parse_value("12") == 12
    assert parse_value('"text"') == "text"
    assert parse_value("2022-03-01") == date(2022, 3, 1)
    assert parse_value("true") is True
    assert parse_value("3.50") == Decimal("3.50")
    assert parse_value("转让") == "转让"
    with pytest.raises(PathError, match="不是 TOML 值"):
        parse_value('"unclosed')


def test_set_with_no_git_identity_uses_the_login_name(cases_repo: Path, tmp_path: Path) -> None:
    """The login is the uid's account: LOGNAME/USER, which anyone can set, are ignored."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER", "EMAIL"))
    }
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / "none"))
    env["LOGNAME"] = env["USER"] = "zhang.san"
    result = subprocess.run(
        [
            *anjuan_cmd(),
            "set",
            CID,
            "targets.info_pushes",
            "1500",
            "--cases",
            str(cases_repo),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "targets.info_pushes 1200 → 1500" in result.stdout
    who = git(cases_repo, "log", "-1", "--format=%an <%ae>%n%(trailers:key=Anjuan-Login)").stdout
    me = pwd.getpwuid(os.getuid()).pw_name
    assert who.startswith(f"{me} <{me}@anjuan.local>")
    assert f"Anjuan-Login: {me}" in who and "zhang.san" not in who


def anjuan_cmd() -> list[str]:
    import sys

    return [sys.executable, "-m", "tui.cli"]


def test_set_refuses_a_word_outside_the_list_with_exit_2(cases_repo: Path) -> None:
    before = (cases_repo / CID / "case.toml").read_bytes()
    result = anjuan("set", CID, "annex1[2].method", "买卖", "--cases", str(cases_repo))
    assert result.returncode == 2
    assert "SCHEMA.ENUM" in result.stderr and "未保存" in result.stderr
    assert (cases_repo / CID / "case.toml").read_bytes() == before


def test_set_outside_git_says_what_to_do(tmp_path: Path) -> None:
    import shutil

    cases = tmp_path / "loose"
    shutil.copytree(EXAMPLE, cases / CID)
    before = (cases / CID / "case.toml").read_bytes()
    with pytest.raises(StoreError, match="anjuan init"):
        data, version = load(cases)
        data["targets"]["info_pushes"] = 1500
        save_case(cases, CID, data, expected_version=version, today=TODAY)
    assert (cases / CID / "case.toml").read_bytes() == before


def test_cached_read_is_the_file_as_it_is_now(cases_repo: Path) -> None:
    from tui.core.store import read_case_cached

    folder = cases_repo / EXAMPLE.name
    first = read_case_cached(folder)
    assert first.data == read_case(folder).data and first.version == read_case(folder).version
    assert read_case_cached(folder).data is first.data  # the same bytes: the parse is reused
    path = folder / "case.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("星河科技园运营", "星河科技城运营", 1), encoding="utf-8")
    changed = read_case_cached(folder)
    assert changed.version != first.version and changed.version == read_case(folder).version
    assert changed.data is not None and changed.data["applicant"]["name"].startswith(
        "北京星河科技城"
    )
    path.write_text("[case\n", encoding="utf-8")
    broken = read_case_cached(folder)
    assert broken.data is None and broken.error == read_case(folder).error  # line and column
    path.unlink()
    assert read_case_cached(folder).error == read_case(folder).error
