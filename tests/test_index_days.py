"""The case index across days: an entry is reused on another day exactly when no date its
rules compared with today lies between the two days; only the cases that have one are read
and checked again, in either direction of time."""

from __future__ import annotations

import ast
import itertools
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

from conftest import EXAMPLE, ROOT, git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_index import index_files, shown, truth

from tui.core.case import read_case
from tui.core.index import CaseSummary, IndexStats, case_summaries
from tui.core.validate import validate_case

TODAY = date(2026, 11, 27)
DATE_LINE = re.compile(r"^((?:grant_)?date = )\d{4}-\d{2}-\d{2}", re.MULTILINE)


def set_dates(case_toml: Path, days: dict[int, date]) -> None:
    """Give the n-th date of 附件1/附件2 (0-based, annex1 rows first) a new value."""
    text = case_toml.read_text(encoding="utf-8")
    found = list(DATE_LINE.finditer(text))
    assert len(found) == 10  # 7 deals in annex 1, 3 patents in annex 2
    for n in sorted(days, reverse=True):
        m = found[n]
        text = text[: m.start()] + m.group(1) + days[n].isoformat() + text[m.end() :]
    case_toml.write_text(text, encoding="utf-8")


def listed(cases: Path, day: date) -> tuple[dict[str, CaseSummary], IndexStats]:
    """The list on ``day``, checked against every case read afresh; and what the index did."""
    stats = IndexStats()
    summaries = case_summaries(cases, day, stats=stats)
    assert shown(summaries) == truth(cases, day)
    return {s.case_id: s for s in summaries}, stats


def with_cases(repo: Path, count: int) -> Path:
    for n in range(2, count + 1):
        shutil.copytree(EXAMPLE, repo / f"XH-2022-{n:03d}")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "more cases")
    return repo


def test_next_day_rechecks_no_case_without_a_coming_date(cases_repo: Path) -> None:
    cases = with_cases(cases_repo, 6)
    first, stats = listed(cases, TODAY)
    assert (stats.checked, stats.reused) == (6, 0)
    (index,) = index_files(cases)
    stored = index.read_bytes()
    for later in (TODAY + timedelta(days=1), TODAY + timedelta(days=400), TODAY):
        again, stats = listed(cases, later)
        assert (stats.checked, stats.reused) == (0, 6)
        assert again == first
    assert index_files(cases) == [index] and index.read_bytes() == stored  # nothing to write


def test_a_date_between_the_two_days_rechecks_that_case_only(cases_repo: Path) -> None:
    cases = with_cases(cases_repo, 3)
    set_dates(cases / "XH-2022-002" / "case.toml", {2: date(2026, 12, 1)})  # a deal in annex 1
    set_dates(cases / "XH-2022-003" / "case.toml", {8: date(2026, 12, 3)})  # a grant in annex 2
    git(cases, "commit", "-q", "--no-verify", "-am", "dates to come")
    eve = date(2026, 11, 30)
    clean = read_case(cases / "XH-2022-001").data
    assert clean is not None

    on_eve, stats = listed(cases, eve)
    assert stats.checked == 3
    base = on_eve["XH-2022-001"].errors
    assert on_eve["XH-2022-002"].errors == base + 1  # 2026-12-01 has not come on 11-30
    assert on_eve["XH-2022-003"].errors == base + 1

    on_day, stats = listed(cases, date(2026, 12, 1))  # the deal's day has come
    assert (stats.checked, stats.reused) == (1, 2)
    assert on_day["XH-2022-002"].errors == base
    assert on_day["XH-2022-003"].errors == base + 1

    _same, stats = listed(cases, date(2026, 12, 2))  # nothing dated 12-02
    assert (stats.checked, stats.reused) == (0, 3)

    on_grant, stats = listed(cases, date(2026, 12, 3))
    assert (stats.checked, stats.reused) == (1, 2)
    assert [s.errors for s in on_grant.values()] == [base, base, base]


def test_going_back_in_time(cases_repo: Path) -> None:
    cases = with_cases(cases_repo, 3)
    set_dates(cases / "XH-2022-002" / "case.toml", {2: date(2026, 12, 1)})
    git(cases, "commit", "-q", "--no-verify", "-am", "a deal to come")
    after, stats = listed(cases, date(2026, 12, 5))
    base = after["XH-2022-001"].errors
    assert after["XH-2022-002"].errors == base

    back, stats = listed(cases, date(2026, 12, 1))  # the deal's own day: it has come
    assert (stats.checked, stats.reused) == (0, 3)
    assert back["XH-2022-002"].errors == base

    back, stats = listed(cases, date(2026, 11, 30))  # the day before: it has not
    assert (stats.checked, stats.reused) == (1, 2)
    assert back["XH-2022-002"].errors == base + 1

    # the example's last deal is dated 2022-08-15: the day before, every case has one to come
    early, stats = listed(cases, date(2022, 8, 14))
    assert (stats.checked, stats.reused) == (3, 0)
    assert early["XH-2022-001"].errors == base + 1
    _on, stats = listed(cases, date(2022, 8, 15))
    assert stats.checked == 3


def test_a_stored_range_of_days_that_is_not_a_range_is_not_believed(cases_repo: Path) -> None:
    from test_index import rewrite_index

    cases = with_cases(cases_repo, 3)
    listed(cases, TODAY)

    def garble(data: dict) -> None:  # type: ignore[type-arg]
        entries = list(data["cases"].values())
        entries[0]["days"] = ["2026-13-01", None]
        entries[1]["days"] = [20261127, None]
        del entries[2]["days"]
        for entry in entries:
            entry["summary"][4] = 99  # errors

    rewrite_index(cases, garble)
    _again, stats = listed(cases, TODAY + timedelta(days=1))
    assert stats.checked == 3

    def widen(data: dict) -> None:  # type: ignore[type-arg]
        for entry in data["cases"].values():
            entry["days"] = ["2099-01-01", None]

    rewrite_index(cases, widen)
    _again, stats = listed(cases, TODAY)
    assert stats.checked == 3


# --- only Context.after_today reads the day ---------------------------------------------------

CORE = ROOT / "tui" / "core"
# Every module whose code runs while a case is checked (validate_case and what it calls).
CHECKING = [
    *(
        f"{name}.py"
        for name in ("validate", "review", "case", "findings", "schema", "paths", "ids")
    ),
    *(p.relative_to(CORE).as_posix() for p in sorted((CORE / "rules").glob("*.py"))),
]


def day_reads() -> set[tuple[str, str, str]]:
    """(module, function, how) of each place the checking code reads a day or the clock:
    ``how`` is "message" inside an f-string, "default" for ``today or date.today()``."""
    found: set[tuple[str, str, str]] = set()
    for name in CHECKING:
        tree = ast.parse((CORE / name).read_text(encoding="utf-8"))

        def visit(node: ast.AST, where: str, how: str, name: str = name) -> None:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                where = f"{where}.{node.name}" if where else node.name
            if isinstance(node, ast.JoinedStr):
                how = "message"
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                last = node.values[-1]
                if (
                    isinstance(last, ast.Call)
                    and isinstance(last.func, ast.Attribute)
                    and last.func.attr == "today"
                    and not last.args
                ):
                    found.add((name, where, "default"))
                    for value in node.values[:-1]:
                        visit(value, where, how)
                    return
            if isinstance(node, ast.Attribute) and node.attr in ("today", "now", "utcnow"):
                found.add((name, where, how))
            for child in ast.iter_child_nodes(node):
                visit(child, where, how)

        visit(tree, "", "compare")
    return found


def test_only_after_today_compares_with_the_day() -> None:
    """The index keeps summaries across days because the checking code compares with the
    day only through ``Context.after_today``, which records the dates it was asked about.
    A rule that reads ``ctx.today`` (or the clock) itself must ask ``ctx.after_today(d)``."""
    reads = day_reads()
    compares = {(m, f) for m, f, how in reads if how == "compare"}
    assert compares == {("rules/__init__.py", "Context.after_today")}
    assert ("rules/annexes.py", "_after_today", "message") in reads
    assert {(m, f) for m, f, how in reads if how == "default"} == {("validate.py", "validate_case")}


def test_after_today_records_the_dates_that_decided_findings() -> None:
    case = read_case(EXAMPLE)
    report = validate_case(case, TODAY)
    assert report.compared == {
        *(date.fromisoformat(d) for d in ("2021-06-18", "2021-09-02", "2021-11-23")),
        *(date.fromisoformat(d) for d in ("2021-12-09", "2022-03-11", "2022-05-27")),
        *(date.fromisoformat(d) for d in ("2022-08-15", "2020-04-21", "2022-01-14")),
        date(2021, 10, 8),
    }


# --- any days, any dates: the index says what a fresh check says ------------------------------

BASE = date(2026, 11, 20)
RUNS = itertools.count()
offsets = st.integers(min_value=-2, max_value=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    dates=st.dictionaries(st.integers(0, 9), offsets, min_size=1, max_size=10),
    days=st.lists(offsets, min_size=1, max_size=6),
)
def test_index_agrees_with_a_fresh_check_on_any_day(
    cases_repo: Path, dates: dict[int, int], days: list[int]
) -> None:
    """Random annex dates around random days: every list equals validate_case of each file,
    and the case is read again exactly when a date lies between the day of its entry and
    the day of the list (d > day is the rule: a date d separates days a < b when a < d <= b)."""
    case = cases_repo / EXAMPLE.name / "case.toml"
    shutil.copyfile(EXAMPLE / "case.toml", case)
    chosen = {BASE + timedelta(days=k) for k in dates.values()}
    set_dates(case, {n: BASE + timedelta(days=k) for n, k in dates.items()})
    with case.open("a", encoding="utf-8") as fh:  # a file no earlier example has written
        fh.write(f"# {next(RUNS)}\n")
    entry_day: date | None = None  # the day the case's entry was made for
    for k in days:
        day = BASE + timedelta(days=k)
        _summaries, stats = listed(cases_repo, day)
        low, high = sorted((entry_day or day, day))
        rechecked = entry_day is None or any(low < d <= high for d in chosen)
        assert (stats.checked, stats.reused) == (int(rechecked), 1 - rechecked), (
            entry_day,
            day,
            sorted(chosen),
        )
        if rechecked:
            entry_day = day
