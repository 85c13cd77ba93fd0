"""Check cases against their form's rules and apply reviewers' waivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .case import Case, read_case
from .findings import Finding
from .review import Review, apply_waivers, check_review, read_reviews
from .rules import Context, load_families, run_rules
from .schema import Form, FormError, available_forms, load_form

load_families()


@dataclass
class CaseReport:
    """A case with its findings: what `validate`, the list and the editor show."""

    case: Case
    findings: list[Finding]
    reviews: list[Review] = field(default_factory=list)
    form: Form | None = None
    # The dates the rules compared with today: on another day the findings are the same
    # unless one of these dates lies on the other side of it (see ``Context.after_today``).
    compared: frozenset[date] = frozenset()

    @property
    def case_id(self) -> str:
        return self.case.case_id

    @property
    def status(self) -> str:
        return self.case.status

    @property
    def broken(self) -> bool:
        return self.case.broken

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.counts_as_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.counts_as_warning)

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case.case_id,
            "form": self.case.form_name,
            "status": self.case.status or None,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_json() for f in self.findings],
        }


def check_data(
    data: dict[str, Any],
    form: Form,
    today: date,
    directory: Path | None = None,
    compared: set[date] | None = None,
) -> list[Finding]:
    """All rules of the form on parsed case data, in rules.md order.

    ``compared``, when given, receives the dates the rules compared with today."""
    ctx = Context(data, form, today, directory)
    findings = run_rules(ctx)
    if compared is not None:
        compared.update(ctx.compared)
    order = {rid: i for i, rid in enumerate(form.rules)}
    findings.sort(key=lambda f: order.get(f.rule, len(order)))
    return findings


def validate_case(
    case: Case, today: date | None = None, reviews: list[Review] | None = None
) -> CaseReport:
    """Findings of one case and its reviews. Never raises on a bad file."""
    today = today or date.today()
    if reviews is None:
        reviews = read_reviews(case.directory)
    findings: list[Finding] = []
    form: Form | None = None
    compared: set[date] = set()
    if case.error is not None:
        findings.append(case.error)
    elif case.data is not None:
        name = case.form_name
        try:
            form = load_form(name) if name is not None else None
        except FormError:
            form = None
        if form is None:
            findings.append(Finding("FORM.UNKNOWN", "error", "form", _unknown_form(case)))
        else:
            findings.extend(check_data(case.data, form, today, case.directory, compared))
    for review in reviews:
        findings.extend(check_review(review, form, case.data))
    if form is not None:
        findings = apply_waivers(findings, reviews, form)
    return CaseReport(case, findings, reviews, form, frozenset(compared))


def _unknown_form(case: Case) -> str:
    known = "、".join(f'"{n}"' for n in available_forms()) or "（无）"
    value = (case.data or {}).get("form")
    if value is None:
        what = "没有写 form（申报书类别）"
    elif isinstance(value, str):
        what = f"form = {value!r}：没有这个申报书的 schema（schema/{value}.schema.json）"
    else:
        what = "form 应为文本"
    return f"{what}；应写 form = {known.split('、')[0]}（可用：{known}）"


def validate_dir(
    cases_dir: Path, case_ids: list[str], today: date | None = None
) -> list[CaseReport]:
    return [validate_case(read_case(cases_dir / cid, cid), today) for cid in case_ids]
