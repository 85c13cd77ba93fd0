"""One summary per case for the case list and ``anjuan summary``.

First version: reads and validates every case each time. Issue 6 replaces the inside with
an index keyed by git blob ids (kept outside the tracked tree, rebuilt for what changed,
never trusted over the files); the signature stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from .case import read_case
from .repo import list_case_ids
from .validate import CaseReport, validate_case


@dataclass(frozen=True)
class CaseSummary:
    """What the list shows of a case without opening it."""

    case_id: str
    applicant: str
    park: str
    status: str
    errors: int
    warnings: int
    broken: bool
    enterprises: int | None
    smes: int | None
    requested_wan: Decimal | None
    decisions: tuple[str, ...]
    mean_score: Decimal | None
    version: str | None


def summarize(report: CaseReport) -> CaseSummary:
    data = report.case.data or {}
    applicant = data.get("applicant") if isinstance(data.get("applicant"), dict) else {}
    foundation = data.get("foundation") if isinstance(data.get("foundation"), dict) else {}
    assert isinstance(applicant, dict) and isinstance(foundation, dict)

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    def count(value: object) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    requested: Decimal | None = None
    budget = data.get("budget")
    if isinstance(budget, list):
        requested = Decimal(0)
        for row in budget:
            amount = row.get("amount_wan") if isinstance(row, dict) else None
            if isinstance(amount, int | Decimal) and not isinstance(amount, bool):
                requested += amount
    scores = [r.score for r in report.reviews if r.score is not None]
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1")) if scores else None
    return CaseSummary(
        case_id=report.case_id,
        applicant=text(applicant.get("name")),
        park=text(applicant.get("park_name")),
        status=report.case.status,
        errors=report.errors,
        warnings=report.warnings,
        broken=report.case.broken,
        enterprises=count(foundation.get("enterprises")),
        smes=count(foundation.get("smes")),
        requested_wan=requested,
        decisions=tuple(f"{r.reviewer}:{r.decision}" for r in report.reviews if r.decision),
        mean_score=mean,
        version=report.case.version,
    )


def case_summaries(cases_dir: Path, today: date | None = None) -> list[CaseSummary]:
    """A summary of every case in the directory, in name order. Never raises for a bad file."""
    ids, _skipped = list_case_ids(cases_dir)
    return [summarize(validate_case(read_case(cases_dir / cid, cid), today)) for cid in ids]
