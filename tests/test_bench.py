"""The benchmark harness runs and prints its JSON shape (no figure is judged here)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

NAMES = {
    "open_list", "open_case", "keystroke", "save", "validate_all", "log", "export_all",
    "memory_list",
}  # fmt: skip


def test_tiny_run_prints_every_figure_with_its_baseline() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--json", "--cases", "3", "--rows", "4", "--repeat", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert set(figures) >= NAMES
    for name, figure in figures.items():
        assert {"value", "baseline", "ratio", "unit"} <= set(figure), name
        if figure["value"] is None:
            assert figure["ratio"] is None and "n/a (not built yet)" in figure["note"], name
        else:
            assert figure["value"] > 0 and figure["baseline"] > 0, name
            assert abs(figure["ratio"] - figure["value"] / figure["baseline"]) < 0.01, name
    for measured in ("validate_all", "open_list", "memory_list"):
        assert figures[measured]["value"] is not None, measured
