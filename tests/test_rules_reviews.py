"""Reviews (rules.md § Reviews): reviewers' files, their format, and waivers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rules_support import TODAY, example_dir

from tui.core.case import read_case
from tui.core.validate import CaseReport, validate_case

GOOD = """\
reviewer = "li.wei"
decision = "recommend"
score = 82
summary = "需求库覆盖面好；附件1第5行到账金额待核实。"

[[notes]]
at = 2026-11-20T10:12:00+08:00
path = "annex1[5].received_yuan"
text = "到账10万元与银行回单不符，请补充材料。"
resolved = false
"""

WAIVE_ENTERPRISES = """
[[waivers]]
rule = "ELIG.ENTERPRISES"
reason = "特色模式园区，指南允许适当放宽数量规模限制。"
"""


def case_with_review(
    tmp_path: Path, review: str, name: str = "li.wei", small: bool = False
) -> CaseReport:
    folder = example_dir(tmp_path)
    if small:  # 60 enterprises, 50 SMEs: ELIG.ENTERPRISES, the waivable warning
        path = folder / "case.toml"
        text = path.read_text("utf-8")
        text = re.sub(r"(?m)^enterprises = 186", "enterprises = 60", text)
        text = re.sub(r"(?m)^smes = 162", "smes = 50", text)
        text = re.sub(r"(?m)^high_tech = 58", "high_tech = 20", text)
        text = re.sub(r"(?m)^custody_enterprises = 90", "custody_enterprises = 25", text)
        path.write_text(text, "utf-8")
    (folder / "reviews").mkdir()
    (folder / "reviews" / f"{name}.toml").write_text(review, "utf-8")
    return validate_case(read_case(folder), TODAY)


def review_findings(report: CaseReport) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.file, f.path) for f in report.findings if f.file != "case.toml"]


def test_a_well_formed_review_has_no_finding(tmp_path: Path) -> None:
    report = case_with_review(tmp_path, GOOD)
    assert review_findings(report) == []
    (review,) = report.reviews
    assert (review.reviewer, review.decision, review.score) == ("li.wei", "recommend", 82)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (('decision = "recommend"', 'decision = "accept"'), "recommend"),
        (("score = 82", "score = 101"), "0–100"),
        (("score = 82", "score = -1"), "负数"),
        (("score = 82", 'score = "82"'), "整数"),
        (('path = "annex1[5].received_yuan"', 'path = "annex1[5].recieved_yuan"'), "recieved_yuan"),
        (('path = "annex1[5].received_yuan"', 'path = "annex1[9].received_yuan"'), "不存在"),
        (('path = "annex1[5].received_yuan"', 'path = "附件1 第5行"'), "字段路径"),
        (("resolved = false", "resolved = false\nurgent = true"), "urgent"),
        (('text = "到账10万元与银行回单不符，请补充材料。"', 'text = ""'), "未填写"),
    ],
)
def test_review_format(tmp_path: Path, change: tuple[str, str], says: str) -> None:
    report = case_with_review(tmp_path, GOOD.replace(*change))
    found = [f for f in report.findings if f.file == "reviews/li.wei.toml"]
    assert [(f.rule, f.severity) for f in found] == [("REVIEW.SCHEMA", "error")]
    assert says in found[0].message and "reviews/li.wei.toml" in found[0].message
    assert report.errors == 1  # a broken review is an error of the case (in any status)


def test_broken_review_file_is_a_parse_finding(tmp_path: Path) -> None:
    report = case_with_review(tmp_path, 'decision = "recommend\n')
    ((rule, file, _path),) = review_findings(report)
    assert (rule, file) == ("TOML.PARSE", "reviews/li.wei.toml")
    assert report.findings[-1].line == 1


def test_waiver_marks_the_finding_and_keeps_it(tmp_path: Path) -> None:
    report = case_with_review(tmp_path, GOOD + WAIVE_ENTERPRISES, small=True)
    (f,) = [f for f in report.findings if f.rule == "ELIG.ENTERPRISES"]
    assert f.severity == "warning" and f.path == "foundation.enterprises"
    assert f.waived_by == "li.wei"
    assert f.waiver_reason is not None and "特色模式" in f.waiver_reason
    assert not f.counts_as_warning
    assert report.waived == 1
    assert f.to_json()["waived_by"] == "li.wei"
    assert review_findings(report) == []


def test_without_waiver_the_warning_counts(tmp_path: Path) -> None:
    report = case_with_review(tmp_path, GOOD, small=True)
    (f,) = [f for f in report.findings if f.rule == "ELIG.ENTERPRISES"]
    assert f.waived_by is None and f.counts_as_warning


def test_waiver_without_reason_waives_nothing(tmp_path: Path) -> None:
    review = GOOD + '\n[[waivers]]\nrule = "ELIG.ENTERPRISES"\nreason = ""\n'
    report = case_with_review(tmp_path, review, small=True)
    (f,) = [f for f in report.findings if f.rule == "ELIG.ENTERPRISES"]
    assert f.waived_by is None
    assert ("REVIEW.SCHEMA", "reviews/li.wei.toml", None) in review_findings(report)


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("ELIG.STAFF", "不可豁免"),
        ("ELIG.ENTERPRISE", "没有规则"),
        ("TARGET.CUSTODY", "ELIG.SME_RATIO"),
    ],
)
def test_waiver_of_a_rule_that_cannot_be_waived(tmp_path: Path, rule: str, says: str) -> None:
    review = GOOD + f'\n[[waivers]]\nrule = "{rule}"\nreason = "评审认为可以接受。"\n'
    report = case_with_review(tmp_path, review)
    found = [f for f in report.findings if f.file != "case.toml"]
    assert [(f.rule, f.severity) for f in found] == [("REVIEW.WAIVER", "error")]
    assert rule in found[0].message and says in found[0].message


def test_non_waivable_waiver_leaves_the_finding_counting(tmp_path: Path) -> None:
    review = GOOD + '\n[[waivers]]\nrule = "ELIG.IP_DEPT"\nreason = "x"\n'
    folder_report = case_with_review(tmp_path, review)
    assert all(f.waived_by is None for f in folder_report.findings)


def test_reviewer_defaults_to_the_file_name(tmp_path: Path) -> None:
    review = GOOD.replace('reviewer = "li.wei"\n', "") + WAIVE_ENTERPRISES
    report = case_with_review(tmp_path, review, name="wang.fang", small=True)
    (f,) = [f for f in report.findings if f.rule == "ELIG.ENTERPRISES"]
    assert f.waived_by == "wang.fang"


def test_review_of_a_missing_case(tmp_path: Path) -> None:
    folder = tmp_path / "XH-2022-404"
    (folder / "reviews").mkdir(parents=True)
    (folder / "reviews" / "li.wei.toml").write_text(GOOD, "utf-8")
    report = validate_case(read_case(folder), TODAY)
    assert report.case.broken
    assert report.findings[0].rule == "TOML.PARSE" and "case.toml" in report.findings[0].message
    assert report.errors >= 1
