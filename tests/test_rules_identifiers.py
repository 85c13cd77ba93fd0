"""Identifiers (rules.md § Identifiers): patent numbers, credit code, phones, postcode, e-mail."""

from __future__ import annotations

import string

from rules_support import both, does, family_tests, fires, passes, put, sets

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
    *fires(
        "ID.PATENT_FORMAT",
        sets(
            "annex1[2].patent_no",
            "ZL20201118730.6",
            says=("ZL20201118730.6", "12位", "8位", "X"),
            name="11 digits",
        ),
        sets("annex2[1].patent_no", "US10234567B2", name="foreign"),
        sets("annex1[1].patent_no", "ZL201911034521.Y", name="bad check character"),
        sets("annex1[1].patent_no", "ZL201911034521..8", name="two dots"),
    ),
    # ID.PATENT_CHECK: the expected character is named
    *fires(
        "ID.PATENT_CHECK",
        sets("annex1[5].patent_no", WRONG_CHECK, says=("应为 8", "ZL202310138721.8")),
        sets(
            "annex1[5].patent_no",
            "95115608.3",
            says=("应为 X", "95115608.X"),
            name="old format expects X",
        ),
        sets("annex2[3].patent_no", "CN 2021 3302 1456.0", says=("应为 6",), name="spaces and CN"),
    ),
    # ID.PATENT_TYPE: the type digit names the kind
    *fires(
        "ID.PATENT_TYPE",
        sets("annex2[2].patent_type", "发明", says=("发明", "实用新型", "第5位是 2")),
        does(
            both(put("annex2[1].patent_no", INVENTION_8), put("annex2[1].patent_type", "外观设计")),
            at="annex2[1].patent_type",
            says=("发明",),
            name="type 8",
        ),
        does(
            both(
                put("annex2[1].patent_no", patent("94303456", prefix="")),
                put("annex2[1].patent_type", "发明"),
            ),
            at="annex2[1].patent_type",
            says=("外观设计", "第3位是 3"),
            name="old format",
        ),
    ),
    *fires(
        "ID.CREDIT_CODE",
        sets(
            "applicant.credit_code",
            "91110108MA01C3KQ5A",
            says=("校验码是 A", "应为 K"),
            name="check character",
        ),
        sets("applicant.credit_code", "91110108MAO1C3KQ5K", says=("O",), name="letter O"),
        sets("applicant.credit_code", "91110108ma01c3kq5k", says=("大写",), name="lower case"),
        sets(
            "applicant.credit_code",
            "91110108MA01C3KQ5",
            says=("17 位", "18 位"),
            name="17 characters",
        ),
        sets(
            "applicant.credit_code",
            credit("91ABCDEFMA01C3KQ5"),
            says=("第 3 个字符是 A", "行政区划码", "数字"),
            name="letters in the division code",
        ),
    ),
    *fires(
        "ID.CREDIT_REGION",
        sets("applicant.credit_code", "91350100M000100Y43", says=("350100", "北京市")),
        severity="warning",
    ),
    *fires(
        "ID.MOBILE",
        sets("applicant.lead.mobile", "1380123456", says=("11 位",), name="10 digits"),
        sets("applicant.contact.mobile", "12912345678"),
        sets("applicant.contact.mobile", "010-62345678", name="a landline"),
    ),
    # ID.LANDLINE (landline and fax)
    *fires(
        "ID.LANDLINE",
        sets(
            "applicant.lead.landline",
            "62345678",
            says=("区号", "010-62345678"),
            name="no area code",
        ),
        sets("applicant.contact.fax", "010-12345", name="fax"),
        sets("applicant.contact.landline", "010-62345679 分机 12", name="extension word"),
    ),
    *fires(
        "ID.POSTCODE",
        sets("applicant.postcode", "10008"),
        sets("applicant.postcode", "1000８5", name="wide"),
    ),
    *fires(
        "ID.EMAIL",
        sets("applicant.email", "ip@xinghe-park"),
        sets("applicant.email", "ip xinghe.cn", name="no @"),
    ),
]

PASSES = [
    *passes(
        "ID.PATENT_FORMAT",
        sets("annex1[2].patent_no", "ZL2020111873026", name="no dot"),
        sets("annex1[2].patent_no", "CN202011187302.6", name="CN"),
        sets("annex1[2].patent_no", "202011187302.6", name="no prefix"),
        sets("annex1[2].patent_no", "ZL 2020 1118 7302.6", name="spaces"),
    ),
    *passes(
        "ID.PATENT_CHECK",
        sets("annex1[5].patent_no", "ZL202310138721.8", name="spec example"),
        sets("annex1[5].patent_no", "95115608.X", name="old with X"),
        sets("annex1[5].patent_no", "ZL95115608X", name="old ZL no dot"),
        sets("annex1[5].patent_no", "zl202022234519.x", name="lower case"),
        sets("annex1[5].patent_no", patent("200610012345"), name="computed"),
    ),
    *passes(
        "ID.PATENT_TYPE",
        does(
            both(put("annex2[1].patent_no", INVENTION_8), put("annex2[1].patent_type", "发明")),
            name="8 invention",
        ),
        does(
            both(put("annex2[2].patent_no", UTILITY_9), put("annex2[2].patent_type", "实用新型")),
            name="9 utility",
        ),
    ),
    *passes(
        "ID.CREDIT_CODE",
        sets("applicant.credit_code", credit("91110105MA00ABCD1"), name="calc"),
        sets("applicant.credit_code", credit("12110000400000999"), name="digits"),
        sets("applicant.credit_code", credit("A1110108MA01C3KQ5"), name="first A"),
        sets("applicant.credit_code", credit("N2110108MA01C3KQ5"), name="first N"),
        sets("applicant.credit_code", credit("Y1110108MA01C3KQ5"), name="first Y"),
    ),
    *passes("ID.CREDIT_REGION", sets("applicant.credit_code", credit("92110228MA0XYHJKL"))),
    *passes(
        "ID.MOBILE",
        sets("applicant.lead.mobile", "19912345678"),
        sets("applicant.lead.mobile", "138 0123 4567", name="spaces"),
    ),
    *passes(
        "ID.LANDLINE",
        sets("applicant.lead.landline", "(010)62345678", name="parens"),
        sets("applicant.lead.landline", "（010）62345678", name="wide parens"),
        sets("applicant.lead.landline", "(010)-62345678", name="parens dash"),
        sets("applicant.lead.landline", "010-62345678转8001", name="zhuan"),
        sets("applicant.lead.landline", "010-62345678 转 801", name="zhuan spaces"),
        sets("applicant.lead.landline", "010-62345678-8001", name="dash ext"),
        sets("applicant.contact.fax", "0755-8765432", name="7 digits"),
        sets("applicant.contact.fax", "", name="blank fax"),
    ),
    *passes("ID.POSTCODE", sets("applicant.postcode", "102206")),
    *passes("ID.EMAIL", sets("applicant.email", "li.wen-jing+ip@mail.xinghe.com.cn")),
]


test_rule_fires_at_its_field, test_valid_value_passes = family_tests(TRIGGERS, PASSES)
