"""The example case of the spec validates with no error through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import anjuan


def test_example_case_has_no_error(cases_repo: Path) -> None:
    result = anjuan("validate", "XH-2022-001", "--format", "json", "--cases", str(cases_repo))
    assert result.returncode == 0, result.stderr
    (case,) = json.loads(result.stdout)["cases"]
    assert case["errors"] == 0
    assert {f["rule"] for f in case["findings"]} == {"ANNEX1.EVIDENCE"}
