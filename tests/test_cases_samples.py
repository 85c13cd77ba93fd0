"""The samples in cases/ give exactly the findings tests/fixtures/samples-expected.json lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import EXAMPLE, SAMPLES, anjuan

from tui.core.case import blob_id, read_case
from tui.core.review import read_reviews

EXPECTED = json.loads(
    (Path(__file__).parent / "fixtures" / "samples-expected.json").read_text("utf-8")
)
EXPECTED.pop("_about")
CJK = re.compile(r"[\u4e00-\u9fff]")


def validate_json(cases: Path) -> dict[str, dict[str, object]]:
    result = anjuan("validate", "--format", "json", "--today", "2026-11-27", "--cases", str(cases))
    assert result.returncode == 1, result.stderr  # XH-2022-002 and the broken XH-2022-004
    return {c["case"]: c for c in json.loads(result.stdout)["cases"]}


def test_every_sample_gives_exactly_its_expected_findings(samples_repo: Path) -> None:
    got = validate_json(samples_repo)
    assert list(got) == sorted(EXPECTED)  # every case, in name order, the broken one too
    for case_id, expected in EXPECTED.items():
        case = got[case_id]
        rows = [
            [f["rule"], f["path"], f["severity"], f["waived_by"]]
            + ([f["line"], f["column"]] if "line" in f else [])
            for f in case["findings"]
        ]
        assert rows == expected["findings"], case_id
        assert (case["status"], case["errors"], case["warnings"]) == (
            expected["status"],
            expected["errors"],
            expected["warnings"],
        ), case_id
        for f in case["findings"]:
            assert CJK.search(f["message"]), f  # a reviewer reads it without rules.md


def test_samples_cover_the_rule_families(samples_repo: Path) -> None:
    rules = {row[0] for case in EXPECTED.values() for row in case["findings"]}
    families = {r.split(".")[0] for r in rules}
    assert {"REQUIRED", "ID", "ELIG", "ANNEX1", "ANNEX2", "TARGET", "BUDGET", "TOML"} <= families


def test_broken_sample_shows_in_text_output_and_others_are_checked(samples_repo: Path) -> None:
    result = anjuan("validate", "--today", "2026-11-27", "--cases", str(samples_repo))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    heads = [line.split()[0] for line in lines if line.startswith("XH-")]
    assert heads == ["XH-2022-001", "XH-2022-002", "XH-2022-003", "XH-2022-004"]
    broken = next(line for line in lines if line.startswith("XH-2022-004"))
    assert "无法读取" in broken
    parse = next(line for line in lines if "TOML.PARSE" in line)
    assert "case.toml:17:37" in parse and "第17行第37列" in parse and "引号" in parse
    assert "Traceback" not in result.stderr
    assert lines[-1] == "4 个案卷：7 个错误，14 个警告"


def test_two_reviewers_one_waiver_and_a_pinned_note() -> None:
    reviews = read_reviews(SAMPLES / "XH-2022-003")
    assert [(r.reviewer, r.file, r.decision, r.score) for r in reviews] == [
        ("li.wei", "reviews/li.wei.toml", "recommend", 84),
        ("wang.fang", "reviews/wang.fang.toml", "revise", 71),
    ]
    assert [(rule, reason[:6]) for _n, rule, reason in reviews[0].waivers()] == [
        ("ELIG.ENTERPRISES", "特色模式园区")
    ]
    assert reviews[0].notes()[0]["path"] == "annex1[2].received_yuan"


def test_the_example_is_the_spec_example_unchanged() -> None:
    """cases/XH-2022-001 is shared/spec/examples/XH-2022-001 byte for byte (git blob ids)."""
    case = read_case(EXAMPLE)
    assert case.error is None
    assert case.version == "c1843466a5fcc22594a52416ffbde7818842042d"
    pdf = (EXAMPLE / "attachments" / "2021-06-18-assignment.pdf").read_bytes()
    assert blob_id(pdf) == "eeee368c30e5a0ce0f6dc2bcd7316615714d5665"
