"""Identifiers (rules.md § Identifiers): patent numbers, credit code, phones, postcode, e-mail."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from rules_support import Pass, Trigger, both, put, run_pass, run_trigger, trigger_id

CREDIT_CHARS = "".join(c for c in string.digits + string.ascii_uppercase if c not in "IOSVZ")


def patent_check(digits: str) -> str:
    """Check character written differently from the product: weight of position i is 2 + i mod 8."""
    total = 0
    for i, d in enumerate(digits):
        total += int(d) * (2 + i % 8)
    r = total % 11
    return "0123456789X"[r]


def credit_check(first17: str) -> str:
    """GB 32100 check character: weight of position i is 3**i mod 31."""
    total = sum(CREDIT_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_CHARS[-total % 31]


def patent(digits: str, prefix: str = "ZL", dot: str = ".") -> str:
    return f"{prefix}{digits}{dot}{patent_check(digits)}"


def credit(first17: str) -> str:
    return first17 + credit_check(first17)


def test_independent_formulas_agree_with_the_spec_examples() -> None:
    assert patent("202310138721") == "ZL202310138721.8"
    assert patent("95115608", prefix="") == "95115608.X"
    assert credit("91350100M000100Y4") == "91350100M000100Y43"


INVENTION_8 = patent("201880012345")  # PCT national phase: type digit 8 is an invention
UTILITY_9 = patent("201990054321")
WRONG_CHECK = "ZL202310138721." + ("5" if patent_check("202310138721") != "5" else "6")

TRIGGERS = [
    # ID.PATENT_FORMAT
    Trigger(
        "ID.PATENT_FORMAT",
        put("annex1[2].patent_no", "ZL20201118730.6"),
        "annex1[2].patent_no",
        says=("ZL20201118730.6", "12位", "8位", "X"),
        name="11 digits",
    ),
    Trigger(
        "ID.PATENT_FORMAT",
        put("annex2[1].patent_no", "US10234567B2"),
        "annex2[1].patent_no",
        name="foreign",
    ),
    Trigger(
        "ID.PATENT_FORMAT",
        put("annex1[1].patent_no", "ZL201911034521.Y"),
        "annex1[1].patent_no",
        name="bad check character",
    ),
    Trigger(
        "ID.PATENT_FORMAT",
        put("annex1[1].patent_no", "ZL201911034521..8"),
        "annex1[1].patent_no",
        name="two dots",
    ),
    # ID.PATENT_CHECK: the expected character is named
    Trigger(
        "ID.PATENT_CHECK",
        put("annex1[5].patent_no", WRONG_CHECK),
        "annex1[5].patent_no",
        says=("应为 8", "ZL202310138721.8"),
    ),
    Trigger(
        "ID.PATENT_CHECK",
        put("annex1[5].patent_no", "95115608.3"),
        "annex1[5].patent_no",
        says=("应为 X", "95115608.X"),
        name="old format expects X",
    ),
    Trigger(
        "ID.PATENT_CHECK",
        put("annex2[3].patent_no", "CN 2021 3302 1456.0"),
        "annex2[3].patent_no",
        says=("应为 6",),
        name="spaces and CN",
    ),
    # ID.PATENT_TYPE: the type digit names the kind
    Trigger(
        "ID.PATENT_TYPE",
        put("annex2[2].patent_type", "发明"),
        "annex2[2].patent_type",
        says=("发明", "实用新型", "第5位是 2"),
    ),
    Trigger(
        "ID.PATENT_TYPE",
        both(put("annex2[1].patent_no", INVENTION_8), put("annex2[1].patent_type", "外观设计")),
        "annex2[1].patent_type",
        says=("发明",),
        name="type 8",
    ),
    Trigger(
        "ID.PATENT_TYPE",
        both(
            put("annex2[1].patent_no", patent("94303456", prefix="")),
            put("annex2[1].patent_type", "发明"),
        ),
        "annex2[1].patent_type",
        says=("外观设计", "第3位是 3"),
        name="old format",
    ),
    # ID.CREDIT_CODE
    Trigger(
        "ID.CREDIT_CODE",
        put("applicant.credit_code", "91110108MA01C3KQ5A"),
        "applicant.credit_code",
        says=("校验码是 A", "应为 K"),
        name="check character",
    ),
    Trigger(
        "ID.CREDIT_CODE",
        put("applicant.credit_code", "91110108MAO1C3KQ5K"),
        "applicant.credit_code",
        says=("O",),
        name="letter O",
    ),
    Trigger(
        "ID.CREDIT_CODE",
        put("applicant.credit_code", "91110108ma01c3kq5k"),
        "applicant.credit_code",
        says=("大写",),
        name="lower case",
    ),
    Trigger(
        "ID.CREDIT_CODE",
        put("applicant.credit_code", "91110108MA01C3KQ5"),
        "applicant.credit_code",
        says=("17 位", "18 位"),
        name="17 characters",
    ),
    # ID.CREDIT_REGION
    Trigger(
        "ID.CREDIT_REGION",
        put("applicant.credit_code", "91350100M000100Y43"),
        "applicant.credit_code",
        severity="warning",
        says=("350100", "北京市"),
    ),
    # ID.MOBILE
    Trigger(
        "ID.MOBILE",
        put("applicant.lead.mobile", "1380123456"),
        "applicant.lead.mobile",
        says=("11 位",),
        name="10 digits",
    ),
    Trigger(
        "ID.MOBILE", put("applicant.contact.mobile", "12912345678"), "applicant.contact.mobile"
    ),
    Trigger(
        "ID.MOBILE",
        put("applicant.contact.mobile", "010-62345678"),
        "applicant.contact.mobile",
        name="a landline",
    ),
    # ID.LANDLINE (landline and fax)
    Trigger(
        "ID.LANDLINE",
        put("applicant.lead.landline", "62345678"),
        "applicant.lead.landline",
        says=("区号", "010-62345678"),
        name="no area code",
    ),
    Trigger(
        "ID.LANDLINE",
        put("applicant.contact.fax", "010-12345"),
        "applicant.contact.fax",
        name="fax",
    ),
    Trigger(
        "ID.LANDLINE",
        put("applicant.contact.landline", "010-62345679 分机 12"),
        "applicant.contact.landline",
        name="extension word",
    ),
    # ID.POSTCODE
    Trigger("ID.POSTCODE", put("applicant.postcode", "10008"), "applicant.postcode"),
    Trigger("ID.POSTCODE", put("applicant.postcode", "1000８5"), "applicant.postcode", name="wide"),
    # ID.EMAIL
    Trigger("ID.EMAIL", put("applicant.email", "ip@xinghe-park"), "applicant.email"),
    Trigger("ID.EMAIL", put("applicant.email", "ip xinghe.cn"), "applicant.email", name="no @"),
]

PASSES = [
    Pass("ID.PATENT_FORMAT", put("annex1[2].patent_no", "ZL2020111873026"), name="no dot"),
    Pass("ID.PATENT_FORMAT", put("annex1[2].patent_no", "CN202011187302.6"), name="CN"),
    Pass("ID.PATENT_FORMAT", put("annex1[2].patent_no", "202011187302.6"), name="no prefix"),
    Pass("ID.PATENT_FORMAT", put("annex1[2].patent_no", "ZL 2020 1118 7302.6"), name="spaces"),
    Pass("ID.PATENT_CHECK", put("annex1[5].patent_no", "ZL202310138721.8"), name="spec example"),
    Pass("ID.PATENT_CHECK", put("annex1[5].patent_no", "95115608.X"), name="old with X"),
    Pass("ID.PATENT_CHECK", put("annex1[5].patent_no", "ZL95115608X"), name="old ZL no dot"),
    Pass("ID.PATENT_CHECK", put("annex1[5].patent_no", "zl202022234519.x"), name="lower case"),
    Pass("ID.PATENT_CHECK", put("annex1[5].patent_no", patent("200610012345")), name="computed"),
    Pass(
        "ID.PATENT_TYPE",
        both(put("annex2[1].patent_no", INVENTION_8), put("annex2[1].patent_type", "发明")),
        name="8 invention",
    ),
    Pass(
        "ID.PATENT_TYPE",
        both(put("annex2[2].patent_no", UTILITY_9), put("annex2[2].patent_type", "实用新型")),
        name="9 utility",
    ),
    Pass("ID.CREDIT_CODE", put("applicant.credit_code", credit("91110105MA00ABCD1")), name="calc"),
    Pass(
        "ID.CREDIT_CODE", put("applicant.credit_code", credit("12110000400000999")), name="digits"
    ),
    Pass("ID.CREDIT_REGION", put("applicant.credit_code", credit("92110228MA0XYHJKL"))),
    Pass("ID.MOBILE", put("applicant.lead.mobile", "19912345678")),
    Pass("ID.MOBILE", put("applicant.lead.mobile", "138 0123 4567"), name="spaces"),
    Pass("ID.LANDLINE", put("applicant.lead.landline", "(010)62345678"), name="parens"),
    Pass("ID.LANDLINE", put("applicant.lead.landline", "（010）62345678"), name="wide parens"),
    Pass("ID.LANDLINE", put("applicant.lead.landline", "(010)-62345678"), name="parens dash"),
    Pass("ID.LANDLINE", put("applicant.lead.landline", "010-62345678转8001"), name="zhuan"),
    Pass("ID.LANDLINE", put("applicant.lead.landline", "010-62345678 转 801"), name="zhuan spaces"),
    Pass("ID.LANDLINE", put("applicant.lead.landline", "010-62345678-8001"), name="dash ext"),
    Pass("ID.LANDLINE", put("applicant.contact.fax", "0755-8765432"), name="7 digits"),
    Pass("ID.LANDLINE", put("applicant.contact.fax", ""), name="blank fax"),
    Pass("ID.POSTCODE", put("applicant.postcode", "102206")),
    Pass("ID.EMAIL", put("applicant.email", "li.wen-jing+ip@mail.xinghe.com.cn")),
]


@pytest.mark.parametrize("t", TRIGGERS, ids=trigger_id)
def test_rule_fires_at_its_field(t: Trigger, tmp_path: Path) -> None:
    run_trigger(t, tmp_path)


@pytest.mark.parametrize("p", PASSES, ids=trigger_id)
def test_valid_value_passes(p: Pass, tmp_path: Path) -> None:
    run_pass(p, tmp_path)
