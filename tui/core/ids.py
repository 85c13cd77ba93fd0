"""Identifier checks as plain functions: patent numbers, credit codes, phones, postcodes, e-mail.

The rules (``rules/identifiers.py``) and the TUI's validators both call these, so a value is
judged the same everywhere. Each ``check_*`` returns None when the value is right, else the
rule ID and a Chinese explanation of what right looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import mul

PATENT_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
PATENT_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)
_PATENT = re.compile(r"^(ZL|CN)?(\d{12}|\d{8})\.?([0-9X])$", re.ASCII)
PATENT_TYPES = {"1": "发明", "8": "发明", "2": "实用新型", "9": "实用新型", "3": "外观设计"}

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT = re.compile(f"^[{CREDIT_CHARSET}]{{18}}$")

_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^(?:\(0\d{2,3}\)|0\d{2,3})-?\d{7,8}(?:(?:-|转)\d{1,6})?$", re.ASCII)
_POSTCODE = re.compile(r"^\d{6}$", re.ASCII)
_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$", re.ASCII
)

Problem = tuple[str, str]  # (rule ID, what is wrong and what right looks like)


def shorten(text: str, limit: int = 60) -> str:
    """A value as quoted in a message: a pasted page is cut, so the message stays readable."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=4096)  # the same numbers are checked by several rules
def patent_check_char(digits: str) -> str:
    """The check character of a CN application number's 12 or 8 digits (10 is ``X``)."""
    weights = PATENT_WEIGHTS_12 if len(digits) == 12 else PATENT_WEIGHTS_8
    if len(digits) != len(weights) or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not 12 or 8 digits: {digits!r}")
    # digit × weight over the ASCII codes, less the weights × ord("0"): one pass in C
    total = (sum(map(mul, digits.encode("ascii"), weights)) - 48 * sum(weights)) % 11
    return "X" if total == 10 else str(total)


@dataclass(frozen=True)
class PatentNo:
    prefix: str
    digits: str
    check: str

    @property
    def normalized(self) -> str:
        return f"{self.prefix}{self.digits}.{self.check}"

    @property
    def key(self) -> str:
        """The number without prefix: ZL2023… and CN2023… and 2023… are the same patent."""
        return f"{self.digits}.{self.check}"

    @property
    def type_digit(self) -> str:
        return self.digits[4] if len(self.digits) == 12 else self.digits[2]

    @property
    def filing_year(self) -> int:
        if len(self.digits) == 12:
            return int(self.digits[:4])
        yy = int(self.digits[:2])
        return 1900 + yy if yy >= 85 else 2000 + yy


def normalize_patent(text: str) -> str:
    return re.sub(r"\s+", "", text).upper().replace("．", ".")


@lru_cache(maxsize=4096)  # the same numbers are checked by several rules
def parse_patent(text: str) -> PatentNo | None:
    m = _PATENT.match(text) or _PATENT.match(normalize_patent(text))  # most are written plainly
    if not m:
        return None
    return PatentNo(m.group(1) or "", m.group(2), m.group(3))


def check_patent(text: str) -> Problem | None:
    number = parse_patent(text)
    if number is None:
        return (
            "ID.PATENT_FORMAT",
            f"「{shorten(text)}」不是中国专利申请号；应为（ZL/CN）+12位数字（2003年起）或8位数字（2003年前）"
            "+ 小数点 + 校验位 0-9 或 X，如 ZL202310138721.8、95115608.X",
        )
    expected = patent_check_char(number.digits)
    if number.check != expected:
        return (
            "ID.PATENT_CHECK",
            f"「{shorten(text)}」的校验位是 {number.check}，按申请号计算应为 {expected}"
            f"（{number.prefix}{number.digits}.{expected}）；请核对专利号",
        )
    return None


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def check_credit_code(text: str) -> Problem | None:
    code = text.strip()
    if not _CREDIT.match(code):
        bad = sorted({c for c in code if c not in CREDIT_CHARSET})
        if bad and code.upper() == code:
            why = f"含有不允许的字符 {''.join(bad)}（代码不用 I、O、Z、S、V）"
        elif bad:
            why = f"含有小写或不允许的字符 {''.join(bad)}（字母应大写，且不用 I、O、Z、S、V）"
        else:
            why = f"长度为 {len(code)} 位"
        return (
            "ID.CREDIT_CODE",
            f"「{shorten(text)}」{why}；统一社会信用代码应为 18 位数字或大写字母，如 91350100M000100Y43",
        )
    region = code[2:8]
    if not region.isdigit():
        at = next(i for i, c in enumerate(region, 3) if not c.isdigit())
        return (
            "ID.CREDIT_CODE",
            f"「{shorten(text)}」第 {at} 个字符是 {code[at - 1]}；第 3-8 位是登记管理机关的行政区划码，"
            "只能是数字（如北京市海淀区 110108）",
        )
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        return (
            "ID.CREDIT_CODE",
            f"「{shorten(text)}」的校验码是 {code[17]}，按前17位计算应为 {expected}；请核对统一社会信用代码",
        )
    return None


def credit_region(text: str) -> str:
    """Characters 3–8: the administrative division where the unit is registered."""
    return text.strip().upper()[2:8]


def _compact_phone(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text).replace("（", "(").replace("）", ")").replace("—", "-")


def check_mobile(text: str) -> Problem | None:
    digits = re.sub(r"[\s-]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _MOBILE.match(digits):
        return (
            "ID.MOBILE",
            f"「{shorten(text)}」不是手机号；应为 1 开头、第二位 3-9 的 11 位数字，如 13801234567",
        )
    return None


def check_landline(text: str) -> Problem | None:
    if not _LANDLINE.match(_compact_phone(text)):
        return (
            "ID.LANDLINE",
            f"「{shorten(text)}」不是固定电话；应为区号 + 7-8 位号码，如 010-62345678 或 (010)62345678，"
            "分机写在 - 或 转 之后",
        )
    return None


def check_postcode(text: str) -> Problem | None:
    if not _POSTCODE.match(text.strip()):
        return ("ID.POSTCODE", f"「{shorten(text)}」不是邮编；应为 6 位数字，如 100085")
    return None


def check_email(text: str) -> Problem | None:
    if not _EMAIL.match(text.strip()):
        return ("ID.EMAIL", f"「{shorten(text)}」不是电子邮件地址；应形如 name@example.cn")
    return None


CHECKS = {
    "patent_no": check_patent,
    "credit_code": check_credit_code,
    "mobile": check_mobile,
    "landline": check_landline,
    "postcode": check_postcode,
    "email": check_email,
}
