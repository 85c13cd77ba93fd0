"""Reading numbers and dates as people type them (e.g. with a Chinese input method).

Full-width digits and punctuation are folded to ASCII; dates accept
2022-07-01, 2022/7/1, 2022.7.1 and 2022年7月1日.  Anything that cannot be read
is refused with a Chinese message instead of dropping characters silently.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = ["EntryError", "fold_width", "parse_date", "parse_integer", "parse_number"]


class EntryError(ValueError):
    """The typed text cannot be read; the message is Chinese and says why."""


_EXTRA = str.maketrans({"。": ".", "－": "-", "—": "-", "−": "-", "，": ",", "、": ","})


def fold_width(text: str) -> str:
    """Full-width digits, signs and punctuation to their ASCII forms; strip spaces."""
    return unicodedata.normalize("NFKC", text).translate(_EXTRA).strip()


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str) -> Decimal:
    """'１２' → 12, '-3' → -3, '1.5' → 1.5, '1,000' → 1000; refuse 'abc-1.5'."""
    folded = fold_width(text)
    plain = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", folded)
    if not _NUMBER.fullmatch(plain):
        raise EntryError(f"“{text}”不是数字：请只写数字，可带负号和小数点，如 -3 或 1.5")
    try:
        return Decimal(plain)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise EntryError(f"“{text}”不是数字") from exc


def parse_integer(text: str) -> int:
    """Like parse_number but the value must be whole."""
    value = parse_number(text)
    if value != value.to_integral_value():
        raise EntryError(f"“{text}”不是整数：这里请写整数，如 12")
    return int(value)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(text: str) -> _dt.date:
    """'2022/7/1', '2022年7月1日', '２０２２-07-01' → date(2022, 7, 1)."""
    folded = fold_width(text)
    match = _DATE.fullmatch(folded)
    if match is None:
        raise EntryError(f"“{text}”不是日期：请写成 2022-07-01、2022/7/1 或 2022年7月1日")
    year, month, day = (int(g) for g in match.groups())
    try:
        return _dt.date(year, month, day)
    except ValueError as exc:
        raise EntryError(f"“{text}”不是有效日期：{year}年{month}月没有{day}日或月份不对") from exc
