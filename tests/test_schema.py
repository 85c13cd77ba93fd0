"""The form's schema: valid JSON Schema 2020-12, accepts the example, labels every field in
Chinese, lists every rule, and is the only place that holds the guide's figures."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT, SAMPLES
from jsonschema import Draft202012Validator, FormatChecker
from rules_support import RULES_MD

SCHEMA_DIR = ROOT / "schema"
FORM = json.loads((SCHEMA_DIR / "bj-ipcluster-2022.schema.json").read_text("utf-8"))
REVIEW = json.loads((SCHEMA_DIR / "review.schema.json").read_text("utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def as_json(value: Any) -> Any:
    """TOML data as JSON data: dates to ISO strings, exact decimals to floats."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def load(path: Path) -> Any:
    return as_json(tomllib.loads(path.read_text("utf-8"), parse_float=Decimal))


@pytest.mark.parametrize("schema", [FORM, REVIEW], ids=["form", "review"])
def test_schema_is_valid_json_schema_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def errors_of(schema: dict[str, Any], data: Any) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_the_example_validates_with_jsonschema() -> None:
    assert errors_of(FORM, load(EXAMPLE / "case.toml")) == []


def test_the_sample_with_reviews_validates_with_jsonschema() -> None:
    folder = SAMPLES / "XH-2022-003"
    assert errors_of(FORM, load(folder / "case.toml")) == []
    for review in sorted((folder / "reviews").glob("*.toml")):
        assert errors_of(REVIEW, load(review)) == [], review.name


def test_jsonschema_agrees_on_what_is_wrong() -> None:
    """Our own schema walk and jsonschema read the same file the same way."""
    data = load(EXAMPLE / "case.toml")
    data["case"]["status"] = "done"
    data["foundation"]["smes"] = 162.5
    data["applicant"]["leagl_rep"] = "x"
    data["budget"][0]["amount_wan"] = -1
    paths = {tuple(e.absolute_path) for e in Draft202012Validator(FORM).iter_errors(data)}
    assert {
        ("case", "status"),
        ("foundation", "smes"),
        ("applicant",),
        ("budget", 0, "amount_wan"),
    } <= paths


def fields(node: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = [(path or "(form)", node)]
    for key, child in node.get("properties", {}).items():
        out.extend(fields(child, f"{path}.{key}" if path else key))
    if "items" in node:
        out.extend(fields(node["items"], f"{path}[]"))
    return out


@pytest.mark.parametrize("schema", [FORM, REVIEW], ids=["form", "review"])
def test_every_field_has_a_chinese_title(schema: dict[str, Any]) -> None:
    as_printed = {"E-mail"}  # the form's own label
    missing = [
        path
        for path, node in fields(schema)
        if not (CJK.search(node.get("title", "")) or node.get("title") in as_printed)
    ]
    assert missing == []


def test_enumerations_have_chinese_titles_where_the_words_are_english() -> None:
    for path, node in fields(FORM) + fields(REVIEW):
        enum = node.get("enum")
        if enum and any(w and not CJK.search(w) for w in enum):
            titles = node.get("x-enum-titles")
            assert titles and len(titles) == len(enum), path
            assert all(CJK.search(t) for t in titles), path


def test_every_rule_of_rules_md_is_in_x_guide() -> None:
    assert list(FORM["x-guide"]["rules"]) == list(RULES_MD)


def test_the_guide_figures_are_in_x_guide() -> None:
    guide = FORM["x-guide"]
    assert guide["min_enterprises"] == 70
    assert Decimal(guide["min_sme_ratio"]) == Decimal("0.8")
    assert Decimal(guide["budget_cap_wan"]) == 30
    assert guide["start_date"] == "2021-01-01"
    assert [p["label"] for p in guide["periods"]] == ["2021年", "2022年1-9月"]
    assert [p["label"] for p in guide["funding_years"]] == ["2020", "2021"]
    minima = {rid: spec.get("min", spec.get("min_ratio")) for rid, spec in guide["targets"].items()}
    assert minima == {
        "TARGET.DEMAND_ENTERPRISES": 30,
        "TARGET.DEMAND_ITEMS": 50,
        "TARGET.SME_BUYERS": 15,
        "TARGET.CUSTODY": "0.5",
        "TARGET.INFO_PUSHES": 1000,
        "TARGET.ACTIVITIES": 4,
        "TARGET.DEMAND_COLLECTION": 1,
        "TARGET.MATCHMAKING": 2,
    }
    assert {r for r, m in guide["rules"].items() if m["waivable"]} == {
        "ELIG.ENTERPRISES",
        "ELIG.SME_RATIO",
    }


# The figures may appear in code only as reads of x-guide. ids.py holds the national standards'
# check weights (GB 32100 has a 30 among them), which are not the guide's.
FIGURE_NUMBERS = {70, 80, 0.8, 30, 50, 15, 1000, 0.5}
FIGURE_WORDS = ("2021-01-01", "2021-12-31", "2022-09-30", "2022年1-9月", "70家", "70 家")
FIGURE_WORDS += ("30万元", "30 万元", "80%", "80 %", "1000条", "50%")


def code_files() -> list[Path]:
    core = ROOT / "tui" / "core"
    return [p for p in sorted(core.rglob("*.py")) if p.name != "ids.py"] + [ROOT / "tui" / "cli.py"]


def literals(path: Path) -> list[tuple[int, Any]]:
    """(line, value) of every literal in the code, docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("path", code_files(), ids=lambda p: p.name)
def test_no_guide_figure_is_written_in_code(path: Path) -> None:
    found = []
    for line, value in literals(path):
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and value in FIGURE_NUMBERS
        ):
            found.append((line, value))
        if isinstance(value, str) and (value == "2021年" or any(w in value for w in FIGURE_WORDS)):
            found.append((line, value))
    assert found == [], f"{path.name}: read these from the schema's x-guide"


def test_budget_forbidden_words_live_in_the_schema() -> None:
    """BUDGET.FORBIDDEN reads its words from x-guide (the guide's 人员经费等经常性开支)."""
    from tui.core.schema import load_form

    words = load_form("bj-ipcluster-2022").guide["budget_forbidden"]
    assert {"人员经费", "五险一金", "人力成本", "房租", "水电物业费"} <= set(words)
    assert not [w for w in words if w in "专家评审补贴"]
