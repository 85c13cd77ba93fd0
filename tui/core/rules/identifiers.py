"""Identifiers (rules.md § Identifiers): patent numbers, credit code, phones, postcode, e-mail.

Which fields hold which kind of identifier is read from the schema (``x-check``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from .. import ids
from ..findings import Finding
from ..paths import Part
from ..schema import Form
from . import Context, rule

Template = tuple[Part | None, ...]  # None stands for "every row"


@cache
def _checked_fields(form: Form) -> tuple[tuple[Template, str], ...]:
    out: list[tuple[Template, str]] = []

    def visit(node: dict[str, Any], parts: Template) -> None:
        if "x-check" in node:
            out.append((parts, node["x-check"]))
        if node.get("type") == "object":
            for key, child in node.get("properties", {}).items():
                visit(child, (*parts, key))
        elif node.get("type") == "array" and node.get("items", {}).get("type") == "object":
            visit(node["items"], (*parts, None))

    visit(form.schema, ())
    return tuple(out)


def _values(data: Any, template: Template) -> list[tuple[tuple[Part, ...], Any]]:
    """(path, value) of every field a template names (None stands for every row)."""
    level: list[tuple[tuple[Part, ...], Any]] = [((), data)]
    for head in template:
        found: list[tuple[tuple[Part, ...], Any]] = []
        for parts, cur in level:
            if head is None:
                if isinstance(cur, list):
                    found.extend(((*parts, n), row) for n, row in enumerate(cur, 1))
            elif isinstance(cur, dict) and head in cur:
                found.append(((*parts, head), cur[head]))
        level = found
    return level


@rule(
    "ID.PATENT_FORMAT",
    "ID.PATENT_CHECK",
    "ID.CREDIT_CODE",
    "ID.MOBILE",
    "ID.LANDLINE",
    "ID.POSTCODE",
    "ID.EMAIL",
)
def identifier_fields(ctx: Context) -> Iterator[Finding]:
    """Every field the schema marks with ``x-check`` holds a well-formed identifier."""
    for template, check in _checked_fields(ctx.form):
        fn = ids.CHECKS[check]
        for parts, value in _values(ctx.data, template):
            if not isinstance(value, str) or not value.strip():
                continue  # wrong type and blank are the structure rules' business
            problem = fn(value)
            if problem:
                rid, why = problem
                yield ctx.finding(rid, parts, f"{ctx.label(parts)}：{why}")


@rule("ID.CREDIT_REGION")
def credit_region(ctx: Context) -> Iterator[Finding]:
    """The guide asks for a unit registered in Beijing: division code 11xxxx."""
    code = ctx.text("applicant", "credit_code")
    if not code or ids.check_credit_code(code):
        return
    prefix = ctx.form.guide.get("region_prefix", "11")
    region = ids.credit_region(code)
    if not region.startswith(prefix):
        place = ctx.form.guide.get("region_name", "北京市")
        yield ctx.finding(
            "ID.CREDIT_REGION",
            ("applicant", "credit_code"),
            f"{ctx.label(('applicant', 'credit_code'))}：登记管理机关行政区划码为 {region}，"
            f"不是{place}（{prefix}开头）；指南要求申报单位在{place}登记注册",
        )


@rule("ID.PATENT_TYPE")
def annex2_patent_type(ctx: Context) -> Iterator[Finding]:
    """annex2's 专利类型 agrees with the type digit of the number."""
    for n, row in ctx.rows("annex2"):
        number = (
            ids.parse_patent(row["patent_no"]) if isinstance(row.get("patent_no"), str) else None
        )
        stated = row.get("patent_type")
        if number is None or not isinstance(stated, str) or not stated:
            continue
        implied = ids.PATENT_TYPES.get(number.type_digit)
        if implied and implied != stated:
            yield ctx.finding(
                "ID.PATENT_TYPE",
                ("annex2", n, "patent_type"),
                f"附件2 第{n}行 专利类型：填的是「{stated}」，但专利号 {row['patent_no']} 的第"
                f"{5 if len(number.digits) == 12 else 3}位是 {number.type_digit}，表示「{implied}」",
            )


def filing_year(text: Any) -> int | None:
    number = ids.parse_patent(text) if isinstance(text, str) else None
    return number.filing_year if number else None
