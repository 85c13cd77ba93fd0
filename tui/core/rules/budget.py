"""Budget (rules.md § 经费预算): the cap per unit and the uses the guide excludes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..findings import Finding
from ..ids import shorten
from . import Context, as_number, fmt_amount, rule


def budget_total(ctx: Context) -> Decimal:
    total = Decimal(0)
    for _n, row in ctx.rows("budget"):
        amount = as_number(row.get("amount_wan"))
        if amount is not None:
            total += amount
    return total


@rule("BUDGET.CAP")
def cap(ctx: Context) -> Iterator[Finding]:
    limit: Decimal = ctx.form.figure("budget_cap_wan")
    total = budget_total(ctx)
    if total > limit:
        yield ctx.finding(
            "BUDGET.CAP",
            "budget",
            f"经费预算合计 {fmt_amount(total)} 万元，超过指南规定的每家单位最多 {fmt_amount(limit)} 万元；"
            "超出部分不会获得支持",
        )


@rule("BUDGET.FORBIDDEN")
def forbidden_uses(ctx: Context) -> Iterator[Finding]:
    words: list[str] = ctx.form.guide.get("budget_forbidden", [])
    rule_text = ctx.form.guide.get("budget_forbidden_text", "经费不得用于这些开支")
    for n, row in ctx.rows("budget"):
        for key in ("item", "note"):
            text = row.get(key)
            if not isinstance(text, str):
                continue
            hits = [w for w in words if w in text]
            if hits:
                yield ctx.finding(
                    "BUDGET.FORBIDDEN",
                    ("budget", n, key),
                    f"经费预算 第{n}行：「{shorten(text)}」涉及「{'、'.join(hits)}」；指南规定{rule_text}",
                )
