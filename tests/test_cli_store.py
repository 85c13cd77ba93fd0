"""The store's commands as a script would use them: set, restore, log, diff, blame."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import anjuan, git

CID = "XH-2022-001"


def run(cases: Path, *args: str) -> tuple[int, str, str]:
    result = anjuan(*args, "--cases", str(cases))
    return result.returncode, result.stdout, result.stderr


def test_set_several_pairs_is_one_commit_with_every_field_in_the_message(cases_repo: Path) -> None:
    code, stdout, stderr = run(
        cases_repo,
        "set",
        CID,
        "targets.info_pushes",
        "1500",
        "applicant.lead.mobile",
        '"13900000000"',
        "annex1[8]",
        '{date = 2022-09-01, patent_no = "ZL202011654212.3", method = "转让", supplier = "甲大学",'
        ' recipient = "乙公司", contract_yuan = 1000, received_yuan = 1000,'
        " patent_amount_yuan = 1000, evidence = []}",
        "--reason",
        "补录第8行",
        "--as",
        "王芳",
    )
    assert code == 0, stderr
    assert int(git(cases_repo, "rev-list", "--count", "HEAD").stdout) == 2
    message = git(cases_repo, "log", "-1", "--format=%an%n%B").stdout
    assert message.startswith("王芳\n")
    for line in (
        "targets.info_pushes 1200 → 1500",
        'applicant.lead.mobile "13801234567" → "13900000000"',
        "annex1[8] 新增一行",
        "Anjuan-Reason: 补录第8行",
    ):
        assert line in message
    assert "annex1[8].evidence" in stdout  # the new row's warning is shown, the save went through


def test_set_appends_a_row_field_by_field(cases_repo: Path) -> None:
    code, _, stderr = run(
        cases_repo,
        "set",
        CID,
        "case.status",
        "draft",  # a draft may be incomplete: the new row is saved with its findings
        "annex2[4].name",
        "一种传感器",
        "annex2[4].patent_no",
        '"ZL202133021999.8"',
    )
    assert code == 0, stderr
    text = (cases_repo / CID / "case.toml").read_text(encoding="utf-8")
    assert '[[annex2]]\nname = "一种传感器"\npatent_no = "ZL202133021999.8"\n' in text


def test_set_with_an_odd_number_of_arguments_changes_nothing(cases_repo: Path) -> None:
    before = (cases_repo / CID / "case.toml").read_bytes()
    code, _, stderr = run(cases_repo, "set", CID, "targets.info_pushes")
    assert code == 2 and "成对" in stderr
    code, _, stderr = run(cases_repo, "set", "NO-SUCH", "targets.info_pushes", "1")
    assert code == 2 and "没有案卷" in stderr
    assert (cases_repo / CID / "case.toml").read_bytes() == before


def test_control_characters_from_a_case_never_reach_the_terminal(cases_repo: Path) -> None:
    code, _, stderr = run(cases_repo, "set", CID, "opinion.text", '"同意\\u001b[31m申报"')
    assert code == 0, stderr
    for args in (("log", CID), ("blame", CID, "opinion.text"), ("diff", CID, "HEAD~1", "HEAD")):
        code, stdout, stderr = run(cases_repo, *args)
        assert code == 0, stderr
        assert "\x1b" not in stdout
        assert "申报" in stdout


def test_diff_and_blame_as_json(cases_repo: Path) -> None:
    run(cases_repo, "set", CID, "targets.info_pushes", "1500")
    code, stdout, _ = run(cases_repo, "diff", CID, "HEAD~1", "HEAD", "--format", "json")
    assert code == 0
    assert json.loads(stdout) == [{"path": "targets.info_pushes", "old": 1200, "new": 1500}]
    code, stdout, _ = run(cases_repo, "blame", CID, "targets.info_pushes", "--format", "json")
    (line,) = json.loads(stdout)
    head = git(cases_repo, "rev-parse", "HEAD").stdout.strip()
    assert line["commit"] == head and line["value"] == 1500 and line["login"]
    code, stdout, _ = run(cases_repo, "diff", CID)
    assert code == 0 and stdout.strip() == "没有字段变化"
