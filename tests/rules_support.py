"""Helpers for the rule tests: the spec's example case as data, changed one field at a time.

Each family module lists ``TRIGGERS`` (a change that must give the rule's finding at a field)
and ``PASSES`` (a change that must not); ``test_rules_all.py`` checks every rule ID has both.
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import EXAMPLE

from tui.core.findings import Finding
from tui.core.paths import parse_path
from tui.core.schema import load_form
from tui.core.validate import check_data

TODAY = date(2026, 11, 27)
FORM = load_form("bj-ipcluster-2022")
_EXAMPLE_DATA = tomllib.loads((EXAMPLE / "case.toml").read_text("utf-8"), parse_float=Decimal)

Change = Callable[[dict[str, Any]], None]


def example() -> dict[str, Any]:
    """A fresh copy of the spec example's parsed data (valid: no error)."""
    return copy.deepcopy(_EXAMPLE_DATA)


def example_dir(tmp_path: Path) -> Path:
    """A real copy of the example's folder (case.toml and attachments) in tmp_path."""
    target = tmp_path / "XH-2022-001"
    shutil.copytree(EXAMPLE, target)
    return target


def put(path: str, value: Any) -> Change:
    """Set a field (rows 1-based); a row one past the end is appended."""

    def change(data: dict[str, Any]) -> None:
        *head, last = parse_path(path)
        cur: Any = data
        for part in head:
            cur = cur[part - 1] if isinstance(part, int) else cur.setdefault(part, {})
        if isinstance(last, int):
            if last == len(cur) + 1:
                cur.append(value)
            else:
                cur[last - 1] = value
        else:
            cur[last] = value

    return change


def drop(path: str) -> Change:
    """Remove a field or a row."""

    def change(data: dict[str, Any]) -> None:
        *head, last = parse_path(path)
        cur: Any = data
        for part in head:
            cur = cur[part - 1] if isinstance(part, int) else cur[part]
        if isinstance(last, int):
            del cur[last - 1]
        else:
            del cur[last]

    return change


def both(*changes: Change) -> Change:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)

    return change


def check(
    data: dict[str, Any], directory: Path | None = None, today: date = TODAY
) -> list[Finding]:
    return check_data(data, FORM, today, directory)


@dataclass(frozen=True)
class Trigger:
    """``change`` applied to the example gives ``rule`` at ``path`` with ``severity``; the
    message contains every word of ``says`` (the figures that disagree, what right looks like)."""

    rule: str
    change: Change
    path: str | None
    severity: str = "error"
    says: tuple[str, ...] = ()
    name: str = ""
    needs_files: bool = False


@dataclass(frozen=True)
class Pass:
    """``change`` applied to the example gives no finding of ``rule`` (a valid value)."""

    rule: str
    change: Change
    name: str = ""
    needs_files: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def trigger_id(t: Trigger | Pass) -> str:
    return f"{t.rule}:{t.name}" if t.name else t.rule


def run_trigger(t: Trigger, tmp_path: Path) -> None:
    data = example()
    t.change(data)
    directory = example_dir(tmp_path) if t.needs_files else None
    found = check(data, directory)
    hits = [f for f in found if f.rule == t.rule and f.path == t.path]
    assert hits, f"no {t.rule} at {t.path}; got {[(f.rule, f.path) for f in found]}"
    for f in hits:
        assert f.severity == t.severity, f
    message = " ".join(f.message for f in hits)
    for word in t.says:
        assert word in message, (word, message)


def run_pass(p: Pass, tmp_path: Path) -> None:
    data = example()
    p.change(data)
    directory = example_dir(tmp_path) if p.needs_files else None
    found = check(data, directory)
    assert not [f for f in found if f.rule == p.rule], [(f.rule, f.path, f.message) for f in found]
    assert not [f for f in found if f.severity == "error"], [
        (f.rule, f.path, f.message) for f in found if f.severity == "error"
    ]


# rules.md, table by table: rule ID → severity ("draft" = warning in draft, else error;
# "evidence" = warning when the list is empty, else error). Kept here so the tests run from a
# clean clone without ../shared.
RULES_MD: dict[str, str] = {
    "TOML.PARSE": "error",
    "FORM.UNKNOWN": "error",
    "SCHEMA.TYPE": "error",
    "SCHEMA.ENUM": "error",
    "SCHEMA.UNKNOWN_KEY": "warning",
    "SCHEMA.RANGE": "error",
    "REQUIRED.FIELD": "draft",
    "REQUIRED.ROWS": "draft",
    "PERIODS": "error",
    "ID.PATENT_FORMAT": "error",
    "ID.PATENT_CHECK": "error",
    "ID.PATENT_TYPE": "error",
    "ID.CREDIT_CODE": "error",
    "ID.CREDIT_REGION": "warning",
    "ID.MOBILE": "error",
    "ID.LANDLINE": "error",
    "ID.POSTCODE": "error",
    "ID.EMAIL": "error",
    "ELIG.IP_DEPT": "error",
    "ELIG.STAFF": "error",
    "ELIG.ENTERPRISES": "warning",
    "ELIG.SME_RATIO": "warning",
    "ELIG.OTHER_EXPLAINED": "error",
    "SUM.PARTS": "error",
    "SUM.PAID": "warning",
    "ANNEX1.DATE": "error",
    "ANNEX1.AMOUNTS": "warning",
    "ANNEX1.DUPLICATE": "warning",
    "ANNEX1.EVIDENCE": "evidence",
    "ANNEX1.VS_FOUNDATION": "warning",
    "ANNEX2.DATE": "error",
    "ANNEX2.PRICE": "error",
    "ANNEX2.DUPLICATE": "warning",
    "TARGET.DEMAND_ENTERPRISES": "error",
    "TARGET.DEMAND_ITEMS": "error",
    "TARGET.SME_BUYERS": "error",
    "TARGET.CUSTODY": "error",
    "TARGET.INFO_PUSHES": "error",
    "TARGET.ACTIVITIES": "error",
    "TARGET.DEMAND_COLLECTION": "error",
    "TARGET.MATCHMAKING": "error",
    "BUDGET.CAP": "warning",
    "BUDGET.FORBIDDEN": "warning",
    "REVIEW.SCHEMA": "error",
    "REVIEW.WAIVER": "error",
}
WAIVABLE = {"ELIG.ENTERPRISES", "ELIG.SME_RATIO"}
# Rules about files rather than data: tested on real files in test_rules_structure/_reviews.
FILE_RULES = {"TOML.PARSE", "FORM.UNKNOWN", "REVIEW.SCHEMA", "REVIEW.WAIVER"}
