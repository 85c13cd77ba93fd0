"""The guide's rules, one module per family, each function next to its line of rules.md.

A rule is a small function ``(ctx) -> Iterable[Finding]`` registered with ``@rule(...)``
under the rule IDs it can report. Figures come from the form's schema (``ctx.form``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..findings import Finding, Severity
from ..paths import Part, format_path, get_at
from ..schema import Form

RuleFn = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredRule:
    ids: tuple[str, ...]
    check: RuleFn


REGISTRY: list[RegisteredRule] = []


def rule(*ids: str) -> Callable[[RuleFn], RuleFn]:
    """Register a check under the rule IDs it reports."""

    def wrap(fn: RuleFn) -> RuleFn:
        REGISTRY.append(RegisteredRule(ids, fn))
        return fn

    return wrap


@dataclass
class Context:
    """What a rule sees: the parsed case, its form, today, and the case folder.

    A rule that depends on the day asks ``after_today(day)`` rather than comparing with
    ``today`` itself: the dates asked about are kept in ``compared``, and the findings stay
    the same on any other day on which every one of them gets the same answer (the case
    index reuses summaries across days by this; ``tests/test_index_days.py`` holds rules to it).
    """

    data: dict[str, Any]
    form: Form
    today: date
    directory: Path | None = None
    compared: set[date] = field(default_factory=set)

    def after_today(self, day: date) -> bool:
        """Whether ``day`` has not come yet (is later than today); remembers the question."""
        self.compared.add(day)
        return day > self.today

    @property
    def status(self) -> str:
        case = self.data.get("case")
        status = case.get("status") if isinstance(case, dict) else None
        return status if isinstance(status, str) and status else "draft"

    def severity(self, rule_id: str) -> Severity:
        meta = self.form.rules.get(rule_id)
        if meta is None:
            return "error"
        if meta.draft_severity and self.status == "draft":
            return meta.draft_severity  # type: ignore[return-value]
        return meta.severity  # type: ignore[return-value]

    def finding(
        self,
        rule_id: str,
        path: str | tuple[Part, ...] | None,
        message: str,
        severity: Severity | None = None,
    ) -> Finding:
        where = format_path(path) if isinstance(path, tuple) else path
        return Finding(rule_id, severity or self.severity(rule_id), where, message)

    def label(self, path: str | tuple[Part, ...]) -> str:
        return self.form.label(path)

    # Values as the rules need them: None when missing or of the wrong type (the
    # structure rules report the type; later rules just skip what they cannot read).
    def get(self, *parts: Part) -> Any:
        return get_at(self.data, parts)

    def number(self, *parts: Part) -> Decimal | int | None:
        return as_number(get_at(self.data, parts))

    def count(self, *parts: Part) -> int | None:
        value = get_at(self.data, parts)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def text(self, *parts: Part) -> str:
        value = get_at(self.data, parts)
        return value if isinstance(value, str) else ""

    def rows(self, *parts: Part) -> Iterator[tuple[int, dict[str, Any]]]:
        """(1-based row number, row) of a table, skipping rows that are not tables."""
        table = get_at(self.data, parts)
        if isinstance(table, list):
            for n, row in enumerate(table, 1):
                if isinstance(row, dict):
                    yield n, row


def as_number(value: Any) -> Decimal | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return None


def fmt_amount(value: Decimal | int) -> str:
    """An amount as people write it: no exponent, no trailing zeros after the point."""
    d = Decimal(value)
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def run_rules(ctx: Context) -> list[Finding]:
    """Every registered rule on one parsed case, in registration (= rules.md) order."""
    out: list[Finding] = []
    for registered in REGISTRY:
        out.extend(registered.check(ctx))
    return out


def all_rule_ids() -> set[str]:
    return {rid for r in REGISTRY for rid in r.ids}


FAMILIES = ("structure", "identifiers", "eligibility", "annexes", "targets", "budget")


def load_families() -> None:
    """Import every family so that its rules register, in the order of rules.md's tables."""
    for name in FAMILIES:
        importlib.import_module(f"{__name__}.{name}")
