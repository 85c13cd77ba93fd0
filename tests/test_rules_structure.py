"""Structure (rules.md § Structure): TOML.PARSE, FORM.UNKNOWN, SCHEMA.*, REQUIRED.*, PERIODS."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rules_support import (
    TODAY,
    both,
    check,
    does,
    drop,
    drops,
    example,
    example_dir,
    family_tests,
    fires,
    passes,
    put,
    sets,
)

from tui.core.case import parse_toml_bytes, read_case
from tui.core.validate import validate_case

DRAFT = put("case.status", "draft")

TRIGGERS = [
    # SCHEMA.TYPE: text where a number goes, a float count, a quoted date, a number as text
    *fires(
        "SCHEMA.TYPE",
        sets("foundation.enterprises", "186", says=("整数", "不要加引号"), name="quoted count"),
        sets("foundation.smes", Decimal("162.0"), says=("不能有小数",), name="float count"),
        sets("annex1[3].date", "2021-11-23", says=("日期",), name="quoted date"),
        sets("applicant.postcode", 100085, name="text"),
        sets("foundation.has_ip_department", "是"),
        sets("budget[2]", "12万", name="row not a table"),
    ),
    # SCHEMA.ENUM: every enumeration of the form
    *fires(
        "SCHEMA.ENUM",
        sets("case.status", "done", says=("draft", "submitted")),
        sets(
            "applicant.park_category",
            "市级园区",
            says=("北京市级科技园区/产业园区",),
            name="category",
        ),
        sets(
            "applicant.industries",
            ["人工智能", "区块链"],
            at="applicant.industries[2]",
            says=("区块链",),
            name="industry",
        ),
        sets(
            "applicant.industries", ["人工智能", "人工智能"], says=("重复",), name="industry twice"
        ),
        sets("annex1[4].method", "抵押", name="method"),
        sets("annex2[1].patent_type", "发明专利", name="type"),
        sets("annex2[2].demand", "购买", name="demand"),
    ),
    *fires(
        "SCHEMA.UNKNOWN_KEY",
        sets("applicant.leagl_rep", "周明远", says=("legal_rep",)),
        sets("annex1[2].remark", "x", name="in a row"),
        severity="warning",
    ),
    # SCHEMA.RANGE: negative count/amount, too many decimal places
    *fires(
        "SCHEMA.RANGE",
        sets("foundation.high_tech", -1, says=("-1", "负数"), name="negative count"),
        sets("budget[1].amount_wan", Decimal("-8.0"), name="negative amount"),
        sets(
            "annex1[1].contract_yuan",
            Decimal("200000.001"),
            says=("200000.001", "2 位小数"),
            name="yuan decimals",
        ),
        sets(
            "foundation.funding[1].amount_wan",
            Decimal("45.1234567"),
            says=("6 位小数",),
            name="wan decimals",
        ),
    ),
    # REQUIRED.FIELD: errors once submitted
    *fires(
        "REQUIRED.FIELD",
        drops("applicant.lead.mobile", says=("未填写",)),
        sets("applicant.name", "  ", name="blank name"),
        drops("applicant.park_name", name="park"),
        drops("applicant.contact.name", name="contact"),
        sets("applicant.overview", "", name="overview"),
        drops("targets.info_pushes", name="target"),
        drops("foundation.smes", name="number of 二"),
        drops("foundation.grants[2].design", name="period cell"),
        sets("foundation.cases_description", "\n", name="description"),
        sets("plan.objectives", "", name="annex3 四"),
        sets("applicant.industries", [], name="none"),
    ),
    # ... warnings for a blank status, and while a draft
    *fires(
        "REQUIRED.FIELD",
        sets("case.status", "", name="st"),
        does(both(DRAFT, drop("applicant.credit_code")), at="applicant.credit_code", name="draft"),
        severity="warning",
    ),
    # REQUIRED.ROWS: no budget row, no annex2 row
    *fires(
        "REQUIRED.ROWS",
        sets("budget", [], says=("至少填写一行",)),
        drops("annex2", name="annex2 missing"),
    ),
    *fires(
        "REQUIRED.ROWS",
        does(both(DRAFT, put("annex2", [])), at="annex2", name="draft"),
        severity="warning",
    ),
    # PERIODS: a period missing, repeated, or not of the form
    *fires(
        "PERIODS",
        drops(
            "foundation.demand[2]", at="foundation.demand", says=("2022年1-9月",), name="missing"
        ),
        sets("foundation.grants[2].period", "2021年", says=("重复",), name="repeated"),
        sets(
            "foundation.pledges[2].period", "2022年", says=("2022年1-9月",), name="not of the form"
        ),
        sets("foundation.funding[1].year", "2019", says=("2020", "2021"), name="funding year"),
        sets("foundation.licenses", [], name="empty"),
    ),
]

PASSES = [
    *passes(
        "SCHEMA.TYPE",
        sets("foundation.funding[2].amount_wan", 62, name="int amount"),
        sets("annex1[1].contract_yuan", Decimal("200000.50")),
    ),
    *passes(
        "SCHEMA.ENUM",
        sets("case.status", "in_review"),
        does(
            both(
                put("applicant.park_category", "其他"),
                put("applicant.park_category_other", "文创园"),
            )
        ),
    ),
    *passes("SCHEMA.UNKNOWN_KEY", sets("opinion.text", "同意")),
    *passes(
        "SCHEMA.RANGE",
        sets("annex1[1].received_yuan", Decimal("199999.99"), name="2 places"),
        sets("budget[1].amount_wan", Decimal("8.123456"), name="6 places"),
        sets("foundation.high_tech", 0, name="zero"),
    ),
    *passes(
        "REQUIRED.FIELD",
        sets("applicant.contact.fax", "", name="fax may be blank"),
        drops("opinion", name="opinion may be blank"),
        sets("case.acceptance_no", "", name="acceptance_no"),
        drops("plan.other", name="plan 五"),
    ),
    *passes("REQUIRED.ROWS", drops("annex1", name="annex1 may be empty")),
    *passes(
        "PERIODS", sets("foundation.demand", list(reversed(example()["foundation"]["demand"])))
    ),
]


test_rule_fires_at_its_field, test_valid_value_passes = family_tests(TRIGGERS, PASSES)


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
