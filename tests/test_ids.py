"""The identifier functions the rules and the TUI's validators share (tui.core.ids)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tui.core import ids


@pytest.mark.parametrize(
    ("text", "digits", "check", "year", "kind"),
    [
        ("ZL202310138721.8", "202310138721", "8", 2023, "发明"),
        ("CN202122345678.1", "202122345678", "1", 2021, "实用新型"),
        ("202133021456.6", "202133021456", "6", 2021, "外观设计"),
        ("ZL2023101387218", "202310138721", "8", 2023, "发明"),
        ("zl 2023 1013 8721．8", "202310138721", "8", 2023, "发明"),
        ("95115608.X", "95115608", "X", 1995, "发明"),
        ("02223456.x", "02223456", "X", 2002, "实用新型"),
    ],
)
def test_parse_patent(text: str, digits: str, check: str, year: int, kind: str) -> None:
    number = ids.parse_patent(text)
    assert number is not None
    assert (number.digits, number.check, number.filing_year) == (digits, check, year)
    assert ids.PATENT_TYPES[number.type_digit] == kind
    assert number.key == f"{digits}.{check}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ZL",
        "ZL20231013872.8",
        "ZL2023101387210.8",
        "EP1234567",
        "ZL202310138721-8",
        "2023１0138721.8",
    ],
)
def test_not_a_patent_number(text: str) -> None:
    assert ids.parse_patent(text) is None
    problem = ids.check_patent(text)
    assert problem is not None and problem[0] == "ID.PATENT_FORMAT"


def test_patent_check_names_the_right_character() -> None:
    assert ids.check_patent("ZL202310138721.8") is None
    assert ids.check_patent("95115608.X") is None
    rule, message = ids.check_patent("ZL202310138721.X") or ("", "")
    assert rule == "ID.PATENT_CHECK" and "应为 8" in message and "ZL202310138721.8" in message


def test_credit_code() -> None:
    assert ids.check_credit_code("91350100M000100Y43") is None
    assert ids.check_credit_code("91110108MA01C3KQ5K") is None
    assert ids.credit_region("91110108MA01C3KQ5K") == "110108"
    rule, message = ids.check_credit_code("91350100M000100Y44") or ("", "")
    assert rule == "ID.CREDIT_CODE" and "应为 3" in message
    for bad in (
        "91350100M000100Y4",
        "91350100M000100Y4I",
        "9135O100M000100Y43",
        "913501 0M000100Y43",
    ):
        assert ids.check_credit_code(bad) is not None, bad


@pytest.mark.parametrize(
    ("fn", "good", "bad"),
    [
        (
            ids.check_mobile,
            ["13801234567", "19912345678", "+86 138 0123 4567"],
            ["1380123456", "23801234567", "12012345678", "138012345678"],
        ),
        (
            ids.check_landline,
            [
                "010-62345678",
                "(010)62345678",
                "01062345678",
                "0755-8765432",
                "010-62345678转8001",
                "010-62345678-01",
            ],
            [
                "62345678",
                "10-62345678",
                "010-6234567890",
                "010-62345678转",
                "010-62345678 ext 1",
                "(010-62345678",
            ],
        ),
        (ids.check_postcode, ["100085", " 100085 "], ["10008", "1000850", "10008A"]),
        (
            ids.check_email,
            ["a@b.cn", "li.wei+x@mail.example.com.cn"],
            ["a@b", "@b.cn", "a b@c.cn", "a@@b.cn"],
        ),
    ],
)
def test_contact_formats(fn: Callable[[str], object], good: list[str], bad: list[str]) -> None:
    for value in good:
        assert fn(value) is None, value
    for value in bad:
        assert fn(value) is not None, value


def test_a_pasted_page_is_cut_in_the_message() -> None:
    page = "附件1" * 500
    for check in ids.CHECKS.values():
        problem = check(page)
        assert problem is not None and len(problem[1]) < 250 and "…" in problem[1]
