"""End-to-end QA of the command line: what a programme officer (or a script) would notice."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from conftest import anjuan, git

CASE = "XH-2022-001"
# C0/C1 controls and bidi overrides: none may reach a terminal raw, in any output format.
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NASTY = "A\x1b[31mB\x07C\x9bD\u202eE"
NASTY_TOML = '"A\\u001b[31mB\\u0007C\\u009bD\\u202eE"'


def _set_nasty_name(cases: Path) -> None:
    done = anjuan("set", CASE, "applicant.name", NASTY_TOML, "--cases", str(cases))
    assert done.returncode == 0, done.stderr


def test_json_outputs_escape_c1_controls_and_bidi_overrides_but_keep_the_value(
    cases_repo: Path,
) -> None:
    _set_nasty_name(cases_repo)
    for command in (
        ["log", CASE, "--format", "json"],
        ["diff", CASE, "HEAD~1", "--format", "json"],
        ["blame", CASE, "applicant.name", "--format", "json"],
    ):
        done = anjuan(*command, "--cases", str(cases_repo))
        assert done.returncode == 0, done.stderr
        assert not RAW.search(done.stdout), (command, done.stdout)
        assert json.loads(done.stdout)
    log = json.loads(anjuan("log", CASE, "--format", "json", "--cases", str(cases_repo)).stdout)
    assert log["log"][0]["changes"][0]["new"] == NASTY


def test_text_outputs_show_bidi_overrides_as_codes(cases_repo: Path) -> None:
    _set_nasty_name(cases_repo)
    for command in (
        ["log", CASE],
        ["diff", CASE, "HEAD~1"],
        ["blame", CASE, "applicant.name"],
        ["export", CASE, "all"],
        ["summary"],
        ["summary", "--format", "csv"],
    ):
        done = anjuan(*command, "--cases", str(cases_repo))
        assert done.returncode == 0, done.stderr
        assert not RAW.search(done.stdout + done.stderr), (command, done.stdout)
    blame = anjuan("blame", CASE, "applicant.name", "--cases", str(cases_repo)).stdout
    assert "\\u202e" in blame and "\\x9b" in blame


def test_output_file_suffix_chooses_the_format_when_none_is_given(
    cases_repo: Path, tmp_path: Path
) -> None:
    xlsx = tmp_path / "附件1.xlsx"
    done = anjuan("export", CASE, "annex1", "-o", str(xlsx), "--cases", str(cases_repo))
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(xlsx)
    csv_file = tmp_path / "summary.csv"
    done = anjuan("summary", "-o", str(csv_file), "--cases", str(cases_repo))
    assert done.returncode == 0, done.stderr
    assert csv_file.read_text("utf-8-sig").startswith("案卷,申报单位")
    # an explicit --format wins over the suffix
    text = tmp_path / "表.xlsx"
    done = anjuan(
        "export", CASE, "budget", "-o", str(text), "--format", "github", "--cases", str(cases_repo)
    )
    assert done.returncode == 0, done.stderr
    assert text.read_text("utf-8").startswith("|")


def test_an_integer_toml_cannot_hold_is_refused_and_nothing_is_written(cases_repo: Path) -> None:
    before = (cases_repo / CASE / "case.toml").read_bytes()
    done = anjuan(
        "set", CASE, "targets.activities", "9" * 30, "budget[1].amount_wan", "9" * 20,
        "--cases", str(cases_repo),
    )  # fmt: skip
    assert done.returncode == 2
    assert "targets.activities" in done.stderr and "TOML 整数范围" in done.stderr
    assert "budget[1].amount_wan" in done.stderr
    assert (cases_repo / CASE / "case.toml").read_bytes() == before
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_a_hand_written_huge_integer_is_a_validation_error(cases_repo: Path) -> None:
    path = cases_repo / CASE / "case.toml"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"(?m)^activities = \d+", "activities = " + "1" * 25, text), "utf-8")
    done = anjuan("validate", CASE, "--format", "json", "--cases", str(cases_repo))
    assert done.returncode == 1
    found = json.loads(done.stdout)["cases"][0]["findings"]
    assert any(f["rule"] == "SCHEMA.TYPE" and f["path"] == "targets.activities" for f in found)


def test_a_datetime_of_the_wrong_type_is_described_in_iso_form(cases_repo: Path) -> None:
    done = anjuan("set", CASE, "applicant.name", "1979-05-27T07:32:00Z", "--cases", str(cases_repo))
    assert done.returncode == 2
    assert "1979-05-27T07:32:00+00:00" in done.stderr and "datetime.datetime" not in done.stderr


def test_the_tui_without_a_terminal_says_so_instead_of_drawing_into_a_pipe(
    cases_repo: Path,
) -> None:
    done = anjuan("--cases", str(cases_repo))  # stdout is a pipe here, as in CI or a script
    assert done.returncode == 2
    assert "\x1b" not in done.stdout and done.stdout == ""
    assert "终端" in done.stderr and "anjuan validate" in done.stderr


def test_a_case_named_twice_is_checked_once(cases_repo: Path) -> None:
    done = anjuan("validate", CASE, CASE, "--format", "json", "--cases", str(cases_repo))
    assert [c["case"] for c in json.loads(done.stdout)["cases"]] == [CASE]


def test_a_folder_without_case_toml_gets_one_message_with_one_fix(cases_repo: Path) -> None:
    (cases_repo / "XH-2022-099").mkdir()
    for command in (
        ["set", "XH-2022-099", "targets.activities", "5"],
        ["export", "XH-2022-099", "annex1"],
    ):
        done = anjuan(*command, "--cases", str(cases_repo))
        assert done.returncode == 2
        assert "没有 case.toml" in done.stderr and "anjuan new" in done.stderr
        assert done.stderr.count("；请") == 1, done.stderr
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_init_with_an_empty_dir_refuses_instead_of_making_the_current_folder_a_repo(
    tmp_path: Path,
) -> None:
    here = tmp_path / "work"
    here.mkdir()
    done = anjuan("init", "", cwd=here)
    assert done.returncode == 2 and "DIR 为空" in done.stderr
    assert list(here.iterdir()) == []


def test_an_empty_cases_option_is_refused_not_taken_as_the_default(
    cases_repo: Path, tmp_path: Path
) -> None:
    done = anjuan("validate", "--cases", "", cwd=cases_repo.parent)
    assert done.returncode == 2 and "--cases 为空" in done.stderr


def test_a_too_long_case_id_is_called_too_long(cases_repo: Path) -> None:
    done = anjuan("new", "A" * 65, "--cases", str(cases_repo))
    assert done.returncode == 2
    assert "65 个字符，超过 64 个" in done.stderr and "不允许的字符" not in done.stderr


def test_a_file_without_a_header_is_told_the_columns_of_the_table_it_goes_to(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = tmp_path / "需求.csv"
    source.write_text("a,b\n1,2\n", "utf-8")
    done = anjuan("import", CASE, "annex2", str(source), "--cases", str(cases_repo))
    assert done.returncode == 2
    assert "找不到表头" in done.stderr and "专利名称" in done.stderr
    assert "登记/备案时间" not in done.stderr  # annex1's columns, not annex2's
