"""Property-based tests: the check characters agree with formulas written another way, and
validation never raises — whatever TOML document or bytes a case file holds."""

from __future__ import annotations

import copy
import string
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rules_support import TODAY, example, example_dir

from tui.core import ids
from tui.core.case import read_case
from tui.core.validate import validate_case

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- check characters ----------------------------------------------------------------------

CREDIT_ALPHABET = [c for c in string.digits + string.ascii_uppercase if c not in "IOSVZ"]


def patent_check_other_way(digits: str) -> str:
    """Weights as a cycle 2..9 restarting at 2; the remainder as a digit or X."""
    cycle = [2, 3, 4, 5, 6, 7, 8, 9]
    total = 0
    for position in range(len(digits)):
        total += cycle[position % len(cycle)] * (ord(digits[position]) - ord("0"))
    remainder = total - (total // 11) * 11
    return "X" if remainder == 10 else chr(ord("0") + remainder)


def credit_check_other_way(first17: str) -> str:
    """Horner-style: weights are powers of 3 modulo 31, summed from the left."""
    value = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
    weight, total = 1, 0
    for c in first17:
        total = (total + value[c] * weight) % 31
        weight = weight * 3 % 31
    return CREDIT_ALPHABET[(31 - total) % 31]


patent_digits = st.one_of(
    st.text(alphabet=string.digits, min_size=12, max_size=12),
    st.text(alphabet=string.digits, min_size=8, max_size=8),
)


@given(patent_digits)
def test_patent_check_char_agrees_with_an_independent_formula(digits: str) -> None:
    assert ids.patent_check_char(digits) == patent_check_other_way(digits)


@given(patent_digits, st.sampled_from(["", "ZL", "CN"]), st.sampled_from([".", ""]))
def test_a_number_with_its_own_check_char_passes_and_any_other_fails(
    digits: str, prefix: str, dot: str
) -> None:
    right = patent_check_other_way(digits)
    assert ids.check_patent(f"{prefix}{digits}{dot}{right}") is None
    for wrong in "0123456789X":
        if wrong != right:
            problem = ids.check_patent(f"{prefix}{digits}{dot}{wrong}")
            assert problem is not None and problem[0] == "ID.PATENT_CHECK"
            assert f"应为 {right}" in problem[1]


_CREDIT_CHARS = st.text(alphabet="".join(CREDIT_ALPHABET), min_size=1, max_size=1)
_DIGIT = st.sampled_from("0123456789")


# positions 3-8 are the administrative division code: digits only (issue 14)
@given(st.tuples(*([_CREDIT_CHARS] * 2), *([_DIGIT] * 6), *([_CREDIT_CHARS] * 9)).map("".join))
def test_credit_check_char_agrees_with_an_independent_formula(first17: str) -> None:
    expected = credit_check_other_way(first17)
    assert ids.credit_check_char(first17) == expected
    assert ids.check_credit_code(first17 + expected) is None
    wrong = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(expected) + 1) % 31]
    problem = ids.check_credit_code(first17 + wrong)
    assert problem is not None and f"应为 {expected}" in problem[1]


@given(st.text(max_size=40))
def test_identifier_checks_never_raise(text: str) -> None:
    for check in ids.CHECKS.values():
        result = check(text)
        assert result is None or isinstance(result[1], str)


# --- validation never raises --------------------------------------------------------------

toml_scalars = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).filter(
        lambda d: not d.is_finite() or abs(d.adjusted()) < 30
    ),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=8))])),
    st.times(),
    st.sampled_from(["转让", "许可", "发明", "draft", "2021年", "ZL202310138721.8", "其他"]),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)


def all_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(all_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(all_paths(v, (*prefix, i)))
    return out


EXAMPLE_PATHS = all_paths(example())


@st.composite
def mutated_example(draw: st.DrawFn) -> dict[str, Any]:
    """The example with a few fields (or whole tables) replaced by any TOML value, or dropped."""
    data = example()
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(EXAMPLE_PATHS))
        cur: Any = data
        try:
            for part in path[:-1]:
                cur = cur[part]
            if draw(st.booleans()) and isinstance(cur, dict):
                cur.pop(path[-1], None)
            else:
                cur[path[-1]] = draw(toml_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    return data


@SETTINGS
@given(mutated_example(), st.sampled_from(["draft", "submitted", 5, None]))
def test_check_data_never_raises_on_odd_values(data: dict[str, Any], status: Any) -> None:
    from rules_support import check

    if status is not None and isinstance(data.get("case"), dict):
        data["case"]["status"] = status
    for f in check(data):
        assert f.rule and f.message and f.severity in ("error", "warning")


@SETTINGS
@given(st.dictionaries(st.text(max_size=10), toml_values, max_size=6))
def test_check_data_never_raises_on_any_document(doc: dict[str, Any]) -> None:
    from rules_support import check

    doc = {**doc, "form": "bj-ipcluster-2022"}
    check(doc)


def to_toml(data: Any) -> str:
    return tomlkit.dumps(_plain(data))


def _plain(value: Any) -> Any:
    """What tomlkit writes: Decimals as floats or integers (read back as exact decimals)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return float(value)
        return (
            float(value) if value != value.to_integral_value() or "." in str(value) else int(value)
        )
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@SETTINGS
@given(mutated_example())
def test_validate_case_never_raises_on_toml_files(
    tmp_path_factory: Any, data: dict[str, Any]
) -> None:
    folder = example_dir(tmp_path_factory.mktemp("case"))
    try:
        text = to_toml(data)
    except (TypeError, ValueError):
        assume(False)
    (folder / "case.toml").write_text(text, "utf-8")
    report = validate_case(read_case(folder), TODAY)
    assert report.case.version is not None
    for f in report.findings:
        assert f.message


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(
        (Path(__file__).parents[1] / "cases" / "XH-2022-001" / "case.toml").read_bytes()
    )
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(raw) - 1))
        how = draw(st.integers(0, 2))
        if how == 0:
            raw[at] = draw(st.integers(0, 255))
        elif how == 1:
            del raw[at : at + draw(st.integers(1, 40))]
        else:
            raw[at:at] = draw(st.binary(min_size=1, max_size=12))
    return bytes(raw)


@SETTINGS
@given(st.one_of(st.binary(max_size=2000), damaged_bytes()), st.booleans())
def test_validate_case_never_raises_on_any_bytes(
    tmp_path_factory: Any, raw: bytes, as_review: bool
) -> None:
    folder = example_dir(tmp_path_factory.mktemp("case"))
    if as_review:
        (folder / "reviews").mkdir()
        (folder / "reviews" / "li.wei.toml").write_bytes(raw)
    else:
        (folder / "case.toml").write_bytes(raw)
    report = validate_case(read_case(folder), TODAY)
    broken = [f for f in report.findings if f.rule == "TOML.PARSE"]
    for f in broken:
        assert f.line is not None and f.column is not None, f
        assert f"第{f.line}行第{f.column}列" in f.message


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["reviewer", "decision", "score", "summary", "notes", "waivers", "x"]),
        toml_values,
        max_size=6,
    )
)
def test_any_review_document_is_findings_not_a_crash(
    tmp_path_factory: Any, doc: dict[str, Any]
) -> None:
    folder = example_dir(tmp_path_factory.mktemp("case"))
    (folder / "reviews").mkdir()
    try:
        text = to_toml(doc)
    except (TypeError, ValueError):
        assume(False)
    (folder / "reviews" / "li.wei.toml").write_text(text, "utf-8")
    report = validate_case(read_case(folder), TODAY)
    assert all(f.message for f in report.findings)


def test_times_and_nested_rows_are_type_findings() -> None:
    from rules_support import check

    data = copy.deepcopy(example())
    data["annex1"][0]["date"] = time(10, 0)
    data["annex2"][0]["grant_date"] = datetime(2020, 4, 21, 8, 0)
    data["budget"][0] = [[{"item": "x"}]]
    found = {(f.rule, f.path) for f in check(data)}
    assert ("SCHEMA.TYPE", "annex1[1].date") in found
    assert ("SCHEMA.TYPE", "annex2[1].grant_date") in found
    assert ("SCHEMA.TYPE", "budget[1]") in found
    assert date(2026, 11, 27) == TODAY
