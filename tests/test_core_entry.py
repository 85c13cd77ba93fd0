import datetime as dt
from decimal import Decimal

import pytest

from tui.core.entry import EntryError, parse_date, parse_integer, parse_number


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("１２", Decimal(12)),
        ("-3", Decimal(-3)),
        ("－３", Decimal(-3)),
        ("1.5", Decimal("1.5")),
        ("１。５", Decimal("1.5")),
        (" 1,000 ", Decimal(1000)),
        ("１，０００", Decimal(1000)),
    ],
)
def test_numbers_as_typed(typed: str, value: Decimal) -> None:
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["abc-1.5", "", "1.2.3", "12万", "--3", "1,00"])
def test_unreadable_numbers_refused(typed: str) -> None:
    with pytest.raises(EntryError, match="不是数字"):
        parse_number(typed)


def test_integer() -> None:
    assert parse_integer("３００") == 300
    with pytest.raises(EntryError, match="整数"):
        parse_integer("1.5")


@pytest.mark.parametrize(
    "typed",
    ["2022-07-01", "2022/7/1", "2022.7.1", "2022年7月1日", "２０２２／７／１", "2022 年 7 月 1 日"],
)
def test_dates_as_typed(typed: str) -> None:
    assert parse_date(typed) == dt.date(2022, 7, 1)


@pytest.mark.parametrize("typed", ["2022", "7/1/2022", "2022-13-01", "2022-02-30", "明天"])
def test_unreadable_dates_refused(typed: str) -> None:
    with pytest.raises(EntryError, match="日期"):
        parse_date(typed)
