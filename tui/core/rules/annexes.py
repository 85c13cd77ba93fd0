"""Consistency (rules.md § Consistency): the foundation's parts and sums, annex 1 and annex 2."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .. import ids
from ..findings import Finding
from ..ids import shorten
from . import Context, as_number, fmt_amount, rule

WAN = Decimal(10000)
CENT = Decimal("0.01")


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def _dated_rows(ctx: Context, table: str, key: str) -> Iterator[tuple[int, dict[str, Any], date]]:
    """The rows of ``table`` whose ``key`` is a date (anything else is SCHEMA.TYPE's)."""
    for n, row in ctx.rows(table):
        day = _day(row.get(key))
        if day is not None:
            yield n, row, day


def _after_today(
    ctx: Context, where: tuple[str, int, str], what: str, day: date, fix: str
) -> Finding:
    """ANNEX1.DATE / ANNEX2.DATE: a date of a row that has not come yet."""
    table, n, _ = where
    return ctx.finding(
        f"{table.upper()}.DATE",
        where,
        f"附件{table[-1]} 第{n}行 {what} {day}：晚于今天（{ctx.today}）；{fix}",
    )


def _repeats(
    ctx: Context, table: str, key_of: Callable[[dict[str, Any]], Hashable | None]
) -> Iterator[tuple[int, dict[str, Any], int]]:
    """Rows whose key an earlier row already has: (row number, row, the earlier row's number).
    A key of None (nothing to compare) is skipped."""
    first: dict[Hashable, int] = {}
    for n, row in ctx.rows(table):
        key = key_of(row)
        if key is None:
            continue
        if key in first:
            yield n, row, first[key]
        else:
            first[key] = n


@rule("SUM.PARTS")
def foundation_parts(ctx: Context) -> Iterator[Finding]:
    """中小微 / 国家高新 / 专精特新 are parts of 入驻企业."""
    total = ctx.count("foundation", "enterprises")
    if total is None:
        return
    for key in ("smes", "high_tech", "specialized"):
        part = ctx.count("foundation", key)
        if part is not None and part > total:
            yield ctx.finding(
                "SUM.PARTS",
                ("foundation", key),
                f"{ctx.label(('foundation', key))} {part} 家，超过了入驻企业数量 {total} 家；部分不能多于总数",
            )


@rule("SUM.PAID")
def paid_within_contract(ctx: Context) -> Iterator[Finding]:
    for table in ("assignments", "licenses"):
        for n, row in ctx.rows("foundation", table):
            contract, paid = as_number(row.get("contract_wan")), as_number(row.get("paid_wan"))
            if contract is not None and paid is not None and paid > contract:
                period = row.get("period", f"第{n}行")
                yield ctx.finding(
                    "SUM.PAID",
                    ("foundation", table, n, "paid_wan"),
                    f"{ctx.label(('foundation', table))} {period}：实际支付 {fmt_amount(paid)} 万元"
                    f"超过合同金额 {fmt_amount(contract)} 万元；请核对",
                )


@rule("ANNEX1.DATE")
def annex1_dates(ctx: Context) -> Iterator[Finding]:
    start = ctx.form.start_date
    for n, _row, day in _dated_rows(ctx, "annex1", "date"):
        if day < start:
            yield ctx.finding(
                "ANNEX1.DATE",
                ("annex1", n, "date"),
                f"附件1 第{n}行 登记/备案时间 {day}：早于 {start}；清单只列 {_zh_date(start)}以来的转化，"
                "更早的转化不计入",
            )
        elif ctx.after_today(day):
            yield _after_today(
                ctx, ("annex1", n, "date"), "登记/备案时间", day, "请填写已完成的登记/备案日期"
            )


@rule("ANNEX1.AMOUNTS")
def annex1_amounts(ctx: Context) -> Iterator[Finding]:
    for n, row in ctx.rows("annex1"):
        contract = as_number(row.get("contract_yuan"))
        if contract is None:
            continue
        for key in ("received_yuan", "patent_amount_yuan"):
            value = as_number(row.get(key))
            if value is not None and value > contract:
                yield ctx.finding(
                    "ANNEX1.AMOUNTS",
                    ("annex1", n, key),
                    f"附件1 第{n}行 {ctx.label(('annex1', n, key)).split(' ')[-1]} {fmt_amount(value)} 元"
                    f"超过合同额 {fmt_amount(contract)} 元；请核对",
                )


def _patent_key(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    number = ids.parse_patent(value)
    return number.key if number else ids.normalize_patent(value)


@rule("ANNEX1.DUPLICATE")
def annex1_duplicates(ctx: Context) -> Iterator[Finding]:

    def deal(row: dict[str, Any]) -> Hashable | None:
        key = (_patent_key(row.get("patent_no")), row.get("method"), _day(row.get("date")))
        return key if key[0] is not None and isinstance(key[1], str) and key[2] else None

    for n, row, earlier in _repeats(ctx, "annex1", deal):
        yield ctx.finding(
            "ANNEX1.DUPLICATE",
            ("annex1", n),
            f"附件1 第{n}行与第{earlier}行重复（同一专利 {row['patent_no']}、同一转化方式「{row['method']}」、"
            f"同一日期 {row['date']}）；如确为两笔交易请核对日期，否则删除一行",
        )


@rule("ANNEX1.EVIDENCE")
def annex1_evidence(ctx: Context) -> Iterator[Finding]:
    """Each deal points at evidence files inside the case folder."""
    meta = ctx.form.rules.get("ANNEX1.EVIDENCE")
    empty_severity = meta.empty_severity if meta and meta.empty_severity else "warning"
    folder = _Folder(ctx.directory.resolve()) if ctx.directory else None
    for n, row in ctx.rows("annex1"):
        evidence = row.get("evidence", [])
        if not isinstance(evidence, list):
            continue  # SCHEMA.TYPE
        if not evidence:
            yield ctx.finding(
                "ANNEX1.EVIDENCE",
                ("annex1", n, "evidence"),
                f"附件1 第{n}行：没有列出证明材料；请把登记/备案记录、合同、发票或转账单放入案卷的"
                " attachments/ 并在此列出",
                severity=empty_severity,  # type: ignore[arg-type]
            )
            continue
        for item in evidence:
            if not isinstance(item, str):
                continue
            problem = _evidence_problem(item, folder)
            if problem:
                yield ctx.finding(
                    "ANNEX1.EVIDENCE",
                    ("annex1", n, "evidence"),
                    f"附件1 第{n}行 证明材料「{shorten(item)}」：{problem}",
                )


_MISSING_FILE = "案卷目录中没有这个文件；请放入文件或改正路径"


def _evidence_problem(item: str, folder: _Folder | Path | None) -> str | None:
    if isinstance(folder, Path):
        folder = _Folder(folder)
    if not item.strip():
        return "路径为空；请写案卷目录内的相对路径，如 attachments/合同.pdf"
    text = item.replace("\\", "/")
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    if text.startswith("/") or ".." in parts or (len(item) > 1 and item[1] == ":"):
        return "指向案卷目录之外；请把文件放入案卷目录（如 attachments/），并写相对路径"
    if folder is None:
        return None
    if folder.plain_file(parts):  # no link on the way: found by listing, no resolve() needed
        return None
    target = folder.root.joinpath(*parts).resolve()
    if not target.is_relative_to(folder.root):
        return "经链接指向案卷目录之外；请把文件本身放入案卷目录"
    if not target.is_file():
        return _MISSING_FILE
    return None


class _Folder:
    """A case folder, each of its directories listed at most once per check (``os.scandir``
    reports links and types without a system call per file): 60 deals cost a listing or two."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._listings: dict[tuple[str, ...], dict[str, str] | None] = {}

    def _kind(self, parts: tuple[str, ...]) -> str | None:
        where = parts[:-1]
        if where not in self._listings:
            self._listings[where] = self._list(where)
        listing = self._listings[where]
        return listing.get(parts[-1]) if listing is not None else None

    def _list(self, where: tuple[str, ...]) -> dict[str, str] | None:
        try:
            with os.scandir(self.root.joinpath(*where)) as entries:
                return {e.name: _entry_kind(e) for e in entries}
        except OSError:
            return None

    def plain_file(self, parts: tuple[str, ...]) -> bool:
        """True: a regular file reached through plain directories. False: ask the long way."""
        if not parts:
            return False
        for i in range(1, len(parts)):
            if self._kind(parts[:i]) != "dir":
                return False
        return self._kind(parts) == "file"


def _entry_kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    return "file" if entry.is_file(follow_symlinks=False) else "other"


@rule("ANNEX1.VS_FOUNDATION")
def annex1_vs_foundation(ctx: Context) -> Iterator[Finding]:
    """Per period, annex 1's deals of a kind (the applicant's own) do not exceed the zone's
    figures in the foundation table of that kind: annex 1 may be less, never more."""
    periods = ctx.form.periods("periods")
    table_of: dict[str, dict[str, str]] = ctx.form.guide.get("annex1_vs_foundation", {})
    deals: dict[tuple[Any, Any], tuple[int, Decimal]] = {}
    for _n, row in ctx.rows("annex1"):
        day, method = _day(row.get("date")), row.get("method")
        if day is None or not isinstance(method, str) or method not in table_of:
            continue
        amount = as_number(row.get("contract_yuan")) or 0
        for period in periods:
            if period.contains(day):
                count, total = deals.get((method, period.label), (0, Decimal(0)))
                deals[(method, period.label)] = (count + 1, total + amount)
    for method, spec in table_of.items():
        section, table = spec["table"].split(".")
        for n, row in ctx.rows(section, table):
            label = row.get("period")
            if not isinstance(label, str) or not any(p.label == label for p in periods):
                continue
            count, total_yuan = deals.get((method, label), (0, Decimal(0)))
            total_wan = Decimal(total_yuan) / WAN
            stated_count = row.get(spec["count"])
            stated_amount = as_number(row.get(spec["amount"]))
            name = ctx.label((section, table))
            count_node = ctx.form.node((section, table, 1, spec["count"])) or {}
            unit = count_node.get("x-unit", "件")
            if (
                isinstance(stated_count, int)
                and not isinstance(stated_count, bool)
                and count > stated_count
            ):
                yield ctx.finding(
                    "ANNEX1.VS_FOUNDATION",
                    (section, table, n, spec["count"]),
                    f"{name} {label}：填的是 {stated_count} {unit}，附件1 中同期「{method}」却有 {count} 行；"
                    "附件1 只列本单位促成的转化，不会多于园区的总数，请核对",
                )
            # 万元 as the form prints them (two decimals): 35.00 万元 and 350 012.34 元 agree
            printed_wan = total_wan.quantize(CENT, rounding=ROUND_HALF_UP)
            if stated_amount is not None and printed_wan > Decimal(stated_amount):
                yield ctx.finding(
                    "ANNEX1.VS_FOUNDATION",
                    (section, table, n, spec["amount"]),
                    f"{name} {label}：填的是 {fmt_amount(stated_amount)} 万元，附件1 中同期「{method}」"
                    f"合同额合计却有 {fmt_amount(total_yuan)} 元（{printed_wan} 万元）；"
                    "附件1 只列本单位促成的转化，不会多于园区的总额，请核对",
                )


@rule("ANNEX2.DATE")
def annex2_dates(ctx: Context) -> Iterator[Finding]:
    for n, row, day in _dated_rows(ctx, "annex2", "grant_date"):
        number = (
            ids.parse_patent(row["patent_no"]) if isinstance(row.get("patent_no"), str) else None
        )
        if number is not None and day.year < number.filing_year:
            yield ctx.finding(
                "ANNEX2.DATE",
                ("annex2", n, "grant_date"),
                f"附件2 第{n}行 授权日期 {day}：早于专利号所示的申请年份 {number.filing_year} 年；"
                "授权不会早于申请，请核对日期或专利号",
            )
        elif ctx.after_today(day):
            yield _after_today(
                ctx, ("annex2", n, "grant_date"), "授权日期", day, "请填写已授权的日期"
            )


@rule("ANNEX2.PRICE")
def annex2_price(ctx: Context) -> Iterator[Finding]:
    for n, row in ctx.rows("annex2"):
        has_price = "price_yuan" in row
        negotiable = row.get("negotiable") is True
        if not has_price and not negotiable:
            yield ctx.finding(
                "ANNEX2.PRICE",
                ("annex2", n, "price_yuan"),
                f"附件2 第{n}行：既没有可接受报价，也没有选议价；请填写报价（元）或写 negotiable = true",
            )
        elif has_price and negotiable:
            yield ctx.finding(
                "ANNEX2.PRICE",
                ("annex2", n, "price_yuan"),
                f"附件2 第{n}行：同时填了报价 {row['price_yuan']} 元和议价；二者只选其一",
            )


@rule("ANNEX2.DUPLICATE")
def annex2_duplicates(ctx: Context) -> Iterator[Finding]:
    for n, row, earlier in _repeats(ctx, "annex2", lambda row: _patent_key(row.get("patent_no"))):
        yield ctx.finding(
            "ANNEX2.DUPLICATE",
            ("annex2", n, "patent_no"),
            f"附件2 第{n}行：专利 {row['patent_no']} 与第{earlier}行重复；同一专利只列一次",
        )
