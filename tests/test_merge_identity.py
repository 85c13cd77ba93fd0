"""Three-way merges match rows by identity: over random edit pairs on both sides, nothing
either side did is lost or lands on another row (issue 11 item 4). The editor's conflict
screen, ``sync`` and the merge driver share this merge (``tui.core.merge``)."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.merge import merge_data

BASE: dict[str, Any] = tomllib.loads((EXAMPLE / "case.toml").read_text(encoding="utf-8"))
ROWS = len(BASE["annex1"])
FIELDS = ("recipient", "supplier", "contract_yuan")  # not the row's identity fields

Op = tuple[str, int, str, Any]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("delete"), st.integers(0, ROWS - 1), st.just(""), st.none()),
        st.tuples(
            st.just("edit"),
            st.integers(0, ROWS - 1),
            st.sampled_from(FIELDS),
            st.integers(1, 10**6),
        ),
        st.tuples(st.just("insert"), st.integers(0, ROWS), st.just(""), st.integers(1, 10**6)),
    ),
    max_size=6,
)


def apply(side: str, changes: list[Op]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The base with these changes; and what they did, by row identity (patent_no)."""
    data = copy.deepcopy(BASE)
    rows = data["annex1"]
    did: dict[str, Any] = {"deleted": set(), "edited": {}, "inserted": {}}
    for n, (kind, at, name, value) in enumerate(changes):
        if kind == "insert":
            row = dict(BASE["annex1"][0], patent_no=f"ZL2022{side}{n:05d}.X", contract_yuan=value)
            rows.insert(min(at, len(rows)), row)
            did["inserted"][row["patent_no"]] = row
        elif at < len(rows):
            key = rows[at]["patent_no"]
            if kind == "delete":
                del rows[at]
                did["deleted"].add(key)
                for edited in [e for e in did["edited"] if e[0] == key]:
                    del did["edited"][edited]
                did["inserted"].pop(key, None)
            else:
                shown = value if name == "contract_yuan" else f"{side}-{value}"
                rows[at][name] = shown
                if key in did["inserted"]:
                    did["inserted"][key] = dict(rows[at])
                else:
                    did["edited"][(key, name)] = shown
    return data, did


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ours_ops=ops, theirs_ops=ops)
def test_nothing_either_side_did_is_lost_or_moved(ours_ops: list[Op], theirs_ops: list[Op]) -> None:
    ours, mine = apply("o", ours_ops)
    theirs, other = apply("t", theirs_ops)
    merged, result = merge_data(BASE, ours, theirs)  # conflicts keep ours
    rows = {r["patent_no"]: r for r in merged["annex1"]}
    assert len(rows) == len(merged["annex1"])  # no row doubled
    conflicted = {c.path for c in result.conflicts}
    for did, over in ((mine, other), (other, mine)):
        for key, row in did["inserted"].items():
            assert rows.get(key) == row  # an added row arrives whole
        for key in did["deleted"]:
            edited_there = any(k == key for k, _ in over["edited"])
            if not edited_there:
                assert key not in rows  # a deletion is kept
        for (key, name), value in did["edited"].items():
            if key in over["deleted"]:
                continue  # deleted there, edited here: a reported conflict
            if (key, name) in over["edited"] and over["edited"][(key, name)] != value:
                assert conflicted  # both changed the field: a conflict, ours kept
                continue
            assert rows[key][name] == value  # the edit is on its own row
    base_rows = {r["patent_no"]: r for r in BASE["annex1"]}
    for key, row in rows.items():  # and nothing else changed on any row
        if key in base_rows:
            for name in FIELDS:
                touched = (key, name) in mine["edited"] or (key, name) in other["edited"]
                if not touched:
                    assert row[name] == base_rows[key][name], (key, name)
