"""Helpers for the rule tests: the spec's example case as data, changed one field at a time.

Each family module lists ``TRIGGERS`` (a change that must give the rule's finding at a field)
and ``PASSES`` (a change that must not), one table a rule: ``fires(rule, rows…)`` and
``passes(rule, rows…)`` with rows made by ``sets``/``drops``/``does``; ``family_tests`` gives the
two tests that run them. ``test_rules_all.py`` checks every rule ID has both.
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
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


@dataclass(frozen=True)
class Row:
    """One line of a rule's table: a change, the field the finding names, words of the message."""

    change: Change
    path: str | None
    says: tuple[str, ...] = ()
    name: str = ""
    needs_files: bool = False


def sets(
    path: str,
    value: Any,
    *,
    says: tuple[str, ...] = (),
    at: str | None = None,
    name: str = "",
    needs_files: bool = False,
) -> Row:
    """Set ``path`` to ``value``; the finding names ``path`` (or ``at``) and says ``says``."""
    return Row(put(path, value), path if at is None else at, says, name, needs_files)


def drops(path: str, *, says: tuple[str, ...] = (), at: str | None = None, name: str = "") -> Row:
    """Remove ``path``; the finding names ``path`` (or ``at``) and says ``says``."""
    return Row(drop(path), path if at is None else at, says, name)


def does(
    change: Change,
    *,
    at: str | None = None,
    says: tuple[str, ...] = (),
    name: str = "",
    needs_files: bool = False,
) -> Row:
    """Any other change (several fields, a whole row); the finding names ``at``."""
    return Row(change, at, says, name, needs_files)


def fires(rule: str, *rows: Row, severity: str = "error") -> list[Trigger]:
    """The table of one rule: each row's change gives ``rule`` with ``severity`` at its field."""
    return [Trigger(rule, r.change, r.path, severity, r.says, r.name, r.needs_files) for r in rows]


def passes(rule: str, *rows: Row) -> list[Pass]:
    """The table of one rule: each row's change is valid (no finding of ``rule``, no error)."""
    assert all(not r.says for r in rows), "a passing row has no message to check"
    return [Pass(rule, r.change, r.name, r.needs_files) for r in rows]


def family_tests(
    triggers: list[Trigger], passes: list[Pass]
) -> tuple[Callable[[Trigger, Path], None], Callable[[Pass, Path], None]]:
    """The two tests every family module runs over its tables (assign them to test_* names)."""

    @pytest.mark.parametrize("t", triggers, ids=trigger_id)
    def test_rule_fires_at_its_field(t: Trigger, tmp_path: Path) -> None:
        run_trigger(t, tmp_path)

    @pytest.mark.parametrize("p", passes, ids=trigger_id)
    def test_valid_value_passes(p: Pass, tmp_path: Path) -> None:
        run_pass(p, tmp_path)

    return test_rule_fires_at_its_field, test_valid_value_passes


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
