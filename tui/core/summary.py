"""``anjuan summary``: one row per case and a 合计 row, in any export format."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .export import TOTAL_LABEL, Cell, Column, Table, render
from .index import CaseSummary
from .schema import FormError, available_forms, load_form, load_review_schema

SUMMARY_COLUMNS = [
    Column("case", "案卷", wrap=False),
    Column("applicant", "申报单位", wrap=True),
    Column("park", "园区", wrap=True),
    Column("status", "状态"),
    Column("enterprises", "入驻企业（家）", "int"),
    Column("smes", "中小微企业（家）", "int"),
    Column("requested", "申请金额（万元）", "amount", 6),
    Column("errors", "错误", "int"),
    Column("warnings", "警告", "int"),
    Column("decisions", "评审意见", wrap=True),
    Column("score", "平均分", "amount", 1),
]


def _status_words() -> dict[str, str]:
    """Status words in Chinese, from the newest form's schema (x-enum-titles)."""
    for name in reversed(available_forms()):
        try:
            node = load_form(name).node("case.status") or {}
        except FormError:
            continue
        return dict(zip(node.get("enum", []), node.get("x-enum-titles", []), strict=False))
    return {}


def _decision_words() -> dict[str, str]:
    """Reviewers' decisions in Chinese, from the review schema (x-enum-titles)."""
    try:
        node = load_review_schema()["properties"]["decision"]
    except (OSError, KeyError):
        return {}
    return dict(zip(node.get("enum", []), node.get("x-enum-titles", []), strict=False))


def summary_table(summaries: Sequence[CaseSummary]) -> Table:
    words = _status_words()
    decision_words = _decision_words()
    rows: list[list[Cell]] = []
    enterprises = smes = errors = warnings = 0
    requested = Decimal(0)
    for s in summaries:
        decisions = []
        for d in s.decisions:
            who, _, what = d.rpartition(":")
            decisions.append(f"{who}：{decision_words.get(what, what)}" if who else d)
        status = "无法读取" if s.broken else words.get(s.status, s.status)
        rows.append(
            [
                s.case_id,
                s.applicant,
                s.park,
                status,
                s.enterprises,
                s.smes,
                s.requested_wan,
                s.errors,
                s.warnings,
                "\n".join(decisions),
                s.mean_score,
            ]
        )
        enterprises += s.enterprises or 0
        smes += s.smes or 0
        requested += s.requested_wan or 0
        errors += s.errors
        warnings += s.warnings
    total: list[Cell] = [
        TOTAL_LABEL,
        None,
        None,
        None,
        enterprises,
        smes,
        requested,
        errors,
        warnings,
        None,
        None,
    ]
    return Table("summary", "案卷汇总", list(SUMMARY_COLUMNS), rows, total)


def export_summary(summaries: Sequence[CaseSummary], fmt: str) -> str | bytes:
    return render([summary_table(summaries)], fmt, "案卷汇总")
