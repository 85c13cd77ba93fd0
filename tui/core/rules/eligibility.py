"""Eligibility (rules.md § Eligibility, 申报要求): department, staff, size, SME share, 其他."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

from ..findings import Finding
from . import Context, fmt_amount, rule


@rule("ELIG.IP_DEPT")
def ip_department(ctx: Context) -> Iterator[Finding]:
    if ctx.get("foundation", "has_ip_department") is False:
        yield ctx.finding(
            "ELIG.IP_DEPT",
            "foundation.has_ip_department",
            "是否成立知识产权管理部门：填的是「否」；指南要求申报单位设有知识产权管理部门",
        )


@rule("ELIG.STAFF")
def staff(ctx: Context) -> Iterator[Finding]:
    full = ctx.count("foundation", "ip_staff_fulltime")
    part = ctx.count("foundation", "ip_staff_parttime")
    if full is not None and part is not None and full + part == 0:
        yield ctx.finding(
            "ELIG.STAFF",
            "foundation.ip_staff_fulltime",
            "知识产权运营服务专职和兼职人员总数都是 0；指南要求配置专业的工作人员（至少 1 人）",
        )


@rule("ELIG.ENTERPRISES")
def enterprises(ctx: Context) -> Iterator[Finding]:
    count = ctx.count("foundation", "enterprises")
    least = int(ctx.form.figure("min_enterprises"))
    if count is not None and count < least:
        yield ctx.finding(
            "ELIG.ENTERPRISES",
            "foundation.enterprises",
            f"入驻企业数量 {count} 家，少于指南要求的 {least} 家；特色模式园区可由评审专家豁免",
        )


@rule("ELIG.SME_RATIO")
def sme_ratio(ctx: Context) -> Iterator[Finding]:
    total = ctx.count("foundation", "enterprises")
    smes = ctx.count("foundation", "smes")
    ratio: Decimal = ctx.form.figure("min_sme_ratio")
    if not total or smes is None:
        return
    if Decimal(smes) < ratio * total:
        share = (Decimal(smes) * 100 / total).quantize(Decimal("0.1"))
        yield ctx.finding(
            "ELIG.SME_RATIO",
            "foundation.smes",
            f"中小微企业 {smes} 家，占入驻企业 {total} 家的 {share}%，低于指南要求的 "
            f"{fmt_amount(ratio * 100)}%（应至少 {math.ceil(ratio * total)} 家）",
        )


@rule("ELIG.OTHER_EXPLAINED")
def other_explained(ctx: Context) -> Iterator[Finding]:
    if (
        ctx.get("applicant", "park_category") == "其他"
        and not ctx.text("applicant", "park_category_other").strip()
    ):
        yield ctx.finding(
            "ELIG.OTHER_EXPLAINED",
            "applicant.park_category_other",
            "园区或集聚区类别选了「其他」，但没有说明；请在「其他（请说明）」中写明类别",
        )
    industries = ctx.get("applicant", "industries")
    if (
        isinstance(industries, list)
        and "其他" in industries
        and not ctx.text("applicant", "industries_other").strip()
    ):
        yield ctx.finding(
            "ELIG.OTHER_EXPLAINED",
            "applicant.industries_other",
            "主导产业选了「其他」，但没有注明；请在「其他（请注明）」中写明产业",
        )
