"""Structure (rules.md § Structure): TOML.PARSE, FORM.UNKNOWN, SCHEMA.*, REQUIRED.*, PERIODS."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rules_support import (
    TODAY,
    Pass,
    Trigger,
    both,
    check,
    drop,
    example,
    example_dir,
    put,
    run_pass,
    run_trigger,
    trigger_id,
)

from tui.core.case import parse_toml_bytes, read_case
from tui.core.validate import validate_case

DRAFT = put("case.status", "draft")

TRIGGERS = [
    # SCHEMA.TYPE: text where a number goes, a float count, a quoted date, a number as text
    Trigger(
        "SCHEMA.TYPE",
        put("foundation.enterprises", "186"),
        "foundation.enterprises",
        says=("整数", "不要加引号"),
        name="quoted count",
    ),
    Trigger(
        "SCHEMA.TYPE",
        put("foundation.smes", Decimal("162.0")),
        "foundation.smes",
        says=("不能有小数",),
        name="float count",
    ),
    Trigger(
        "SCHEMA.TYPE",
        put("annex1[3].date", "2021-11-23"),
        "annex1[3].date",
        says=("日期",),
        name="quoted date",
    ),
    Trigger("SCHEMA.TYPE", put("applicant.postcode", 100085), "applicant.postcode", name="text"),
    Trigger(
        "SCHEMA.TYPE", put("foundation.has_ip_department", "是"), "foundation.has_ip_department"
    ),
    Trigger("SCHEMA.TYPE", put("budget[2]", "12万"), "budget[2]", name="row not a table"),
    # SCHEMA.ENUM: every enumeration of the form
    Trigger("SCHEMA.ENUM", put("case.status", "done"), "case.status", says=("draft", "submitted")),
    Trigger(
        "SCHEMA.ENUM",
        put("applicant.park_category", "市级园区"),
        "applicant.park_category",
        says=("北京市级科技园区/产业园区",),
        name="category",
    ),
    Trigger(
        "SCHEMA.ENUM",
        put("applicant.industries", ["人工智能", "区块链"]),
        "applicant.industries[2]",
        says=("区块链",),
        name="industry",
    ),
    Trigger(
        "SCHEMA.ENUM",
        put("applicant.industries", ["人工智能", "人工智能"]),
        "applicant.industries",
        says=("重复",),
        name="industry twice",
    ),
    Trigger("SCHEMA.ENUM", put("annex1[4].method", "抵押"), "annex1[4].method", name="method"),
    Trigger(
        "SCHEMA.ENUM",
        put("annex2[1].patent_type", "发明专利"),
        "annex2[1].patent_type",
        name="type",
    ),
    Trigger("SCHEMA.ENUM", put("annex2[2].demand", "购买"), "annex2[2].demand", name="demand"),
    # SCHEMA.UNKNOWN_KEY
    Trigger(
        "SCHEMA.UNKNOWN_KEY",
        put("applicant.leagl_rep", "周明远"),
        "applicant.leagl_rep",
        severity="warning",
        says=("legal_rep",),
    ),
    Trigger(
        "SCHEMA.UNKNOWN_KEY",
        put("annex1[2].remark", "x"),
        "annex1[2].remark",
        severity="warning",
        name="in a row",
    ),
    # SCHEMA.RANGE: negative count/amount, too many decimal places
    Trigger(
        "SCHEMA.RANGE",
        put("foundation.high_tech", -1),
        "foundation.high_tech",
        says=("-1", "负数"),
        name="negative count",
    ),
    Trigger(
        "SCHEMA.RANGE",
        put("budget[1].amount_wan", Decimal("-8.0")),
        "budget[1].amount_wan",
        name="negative amount",
    ),
    Trigger(
        "SCHEMA.RANGE",
        put("annex1[1].contract_yuan", Decimal("200000.001")),
        "annex1[1].contract_yuan",
        says=("200000.001", "2 位小数"),
        name="yuan decimals",
    ),
    Trigger(
        "SCHEMA.RANGE",
        put("foundation.funding[1].amount_wan", Decimal("45.1234567")),
        "foundation.funding[1].amount_wan",
        says=("6 位小数",),
        name="wan decimals",
    ),
    # REQUIRED.FIELD: errors once submitted
    Trigger(
        "REQUIRED.FIELD", drop("applicant.lead.mobile"), "applicant.lead.mobile", says=("未填写",)
    ),
    Trigger("REQUIRED.FIELD", put("applicant.name", "  "), "applicant.name", name="blank name"),
    Trigger("REQUIRED.FIELD", drop("applicant.park_name"), "applicant.park_name", name="park"),
    Trigger(
        "REQUIRED.FIELD", drop("applicant.contact.name"), "applicant.contact.name", name="contact"
    ),
    Trigger("REQUIRED.FIELD", put("applicant.overview", ""), "applicant.overview", name="overview"),
    Trigger("REQUIRED.FIELD", drop("targets.info_pushes"), "targets.info_pushes", name="target"),
    Trigger("REQUIRED.FIELD", drop("foundation.smes"), "foundation.smes", name="number of 二"),
    Trigger(
        "REQUIRED.FIELD",
        drop("foundation.grants[2].design"),
        "foundation.grants[2].design",
        name="period cell",
    ),
    Trigger(
        "REQUIRED.FIELD",
        put("foundation.cases_description", "\n"),
        "foundation.cases_description",
        name="description",
    ),
    Trigger("REQUIRED.FIELD", put("plan.objectives", ""), "plan.objectives", name="annex3 四"),
    Trigger("REQUIRED.FIELD", put("applicant.industries", []), "applicant.industries", name="none"),
    Trigger("REQUIRED.FIELD", put("case.status", ""), "case.status", severity="warning", name="st"),
    # ... warnings while a draft
    Trigger(
        "REQUIRED.FIELD",
        both(DRAFT, drop("applicant.credit_code")),
        "applicant.credit_code",
        severity="warning",
        name="draft",
    ),
    # REQUIRED.ROWS: no budget row, no annex2 row
    Trigger("REQUIRED.ROWS", put("budget", []), "budget", says=("至少填写一行",)),
    Trigger("REQUIRED.ROWS", drop("annex2"), "annex2", name="annex2 missing"),
    Trigger(
        "REQUIRED.ROWS", both(DRAFT, put("annex2", [])), "annex2", severity="warning", name="draft"
    ),
    # PERIODS: a period missing, repeated, or not of the form
    Trigger(
        "PERIODS",
        drop("foundation.demand[2]"),
        "foundation.demand",
        says=("2022年1-9月",),
        name="missing",
    ),
    Trigger(
        "PERIODS",
        put("foundation.grants[2].period", "2021年"),
        "foundation.grants[2].period",
        says=("重复",),
        name="repeated",
    ),
    Trigger(
        "PERIODS",
        put("foundation.pledges[2].period", "2022年"),
        "foundation.pledges[2].period",
        says=("2022年1-9月",),
        name="not of the form",
    ),
    Trigger(
        "PERIODS",
        put("foundation.funding[1].year", "2019"),
        "foundation.funding[1].year",
        says=("2020", "2021"),
        name="funding year",
    ),
    Trigger("PERIODS", put("foundation.licenses", []), "foundation.licenses", name="empty"),
]

PASSES = [
    Pass("SCHEMA.TYPE", put("foundation.funding[2].amount_wan", 62), name="int amount"),
    Pass("SCHEMA.TYPE", put("annex1[1].contract_yuan", Decimal("200000.50"))),
    Pass("SCHEMA.ENUM", put("case.status", "in_review")),
    Pass(
        "SCHEMA.ENUM",
        both(
            put("applicant.park_category", "其他"), put("applicant.park_category_other", "文创园")
        ),
    ),
    Pass("SCHEMA.UNKNOWN_KEY", put("opinion.text", "同意")),
    Pass("SCHEMA.RANGE", put("annex1[1].received_yuan", Decimal("199999.99")), name="2 places"),
    Pass("SCHEMA.RANGE", put("budget[1].amount_wan", Decimal("8.123456")), name="6 places"),
    Pass("SCHEMA.RANGE", put("foundation.high_tech", 0), name="zero"),
    Pass("REQUIRED.FIELD", put("applicant.contact.fax", ""), name="fax may be blank"),
    Pass("REQUIRED.FIELD", drop("opinion"), name="opinion may be blank"),
    Pass("REQUIRED.FIELD", put("case.acceptance_no", ""), name="acceptance_no"),
    Pass("REQUIRED.FIELD", drop("plan.other"), name="plan 五"),
    Pass("REQUIRED.ROWS", drop("annex1"), name="annex1 may be empty"),
    Pass("PERIODS", put("foundation.demand", list(reversed(example()["foundation"]["demand"])))),
]


@pytest.mark.parametrize("t", TRIGGERS, ids=trigger_id)
def test_rule_fires_at_its_field(t: Trigger, tmp_path: Path) -> None:
    run_trigger(t, tmp_path)


@pytest.mark.parametrize("p", PASSES, ids=trigger_id)
def test_valid_value_passes(p: Pass, tmp_path: Path) -> None:
    run_pass(p, tmp_path)


def test_example_has_no_structure_finding() -> None:
    rules = {f.rule for f in check(example())}
    assert not rules & {"SCHEMA.TYPE", "SCHEMA.ENUM", "SCHEMA.RANGE", "REQUIRED.FIELD", "PERIODS"}


@pytest.mark.parametrize(
    ("status", "severity"),
    [("draft", "warning"), ("submitted", "error"), ("in_review", "error"), ("approved", "error")],
)
def test_completeness_severity_follows_status(status: str, severity: str) -> None:
    data = example()
    data["case"]["status"] = status
    del data["applicant"]["email"]
    data["budget"] = []
    found = {f.rule: f.severity for f in check(data)}
    assert found["REQUIRED.FIELD"] == severity
    assert found["REQUIRED.ROWS"] == severity


def test_missing_section_is_one_finding() -> None:
    data = example()
    del data["targets"]
    found = [(f.rule, f.path) for f in check(data) if f.rule.startswith("REQUIRED")]
    assert found == [("REQUIRED.FIELD", "targets")]


# --- TOML.PARSE and FORM.UNKNOWN: the file, not the data ------------------------------------


def write_case(tmp_path: Path, raw: bytes) -> Path:
    folder = tmp_path / "XH-2022-009"
    folder.mkdir()
    (folder / "case.toml").write_bytes(raw)
    return folder


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    raw = (
        (example_dir(tmp_path) / "case.toml")
        .read_bytes()
        .replace(b"enterprises = 186", b"enterprises = 186 187")
    )
    case = read_case(write_case(tmp_path, raw))
    report = validate_case(case, TODAY)
    assert case.broken
    (f,) = report.findings
    assert (f.rule, f.severity, f.path, f.line) == ("TOML.PARSE", "error", None, 44)
    assert f.column is not None
    assert f"第44行第{f.column}列" in f.message


def test_not_utf8_gives_line_and_column(tmp_path: Path) -> None:
    raw = 'form = "bj-ipcluster-2022"\n[applicant]\nname = "星河"\n'.encode("gbk")
    (f,) = validate_case(read_case(write_case(tmp_path, raw)), TODAY).findings
    assert (f.rule, f.line, f.column) == ("TOML.PARSE", 3, 9)
    assert "UTF-8" in f.message


def test_valid_file_reads_with_exact_decimals(tmp_path: Path) -> None:
    case = read_case(example_dir(tmp_path))
    assert case.error is None
    assert case.data is not None
    assert case.data["foundation"]["funding"][1]["amount_wan"] == Decimal("62.0")
    assert case.data["annex1"][0]["date"] == date(2021, 6, 18)


def test_bom_is_tolerated() -> None:
    parsed = parse_toml_bytes(b'\xef\xbb\xbfform = "bj-ipcluster-2022"\n')
    assert parsed.error is None and parsed.data == {"form": "bj-ipcluster-2022"}


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b'form = "bj-ipcluster-2099"\n', "bj-ipcluster-2099"),
        (b"form = 2022\n", "form 应为文本"),
        (b'form = "../review"\n', "../review"),
        (b"", "没有写 form"),
    ],
)
def test_unknown_form(tmp_path: Path, line: bytes, says: str) -> None:
    raw = (example_dir(tmp_path) / "case.toml").read_bytes()
    raw = raw.replace(b'form = "bj-ipcluster-2022"', b"").replace(b"[case]", line + b"[case]", 1)
    report = validate_case(read_case(write_case(tmp_path, raw)), TODAY)
    (f,) = report.findings
    assert (f.rule, f.severity, f.path) == ("FORM.UNKNOWN", "error", "form")
    assert says in f.message and '"bj-ipcluster-2022"' in f.message


def test_known_form_passes(tmp_path: Path) -> None:
    report = validate_case(read_case(example_dir(tmp_path)), TODAY)
    assert report.errors == 0
    assert "FORM.UNKNOWN" not in {f.rule for f in report.findings}
