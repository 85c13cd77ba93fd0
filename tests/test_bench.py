"""The benchmark harness runs and prints its JSON shape (no figure is judged here)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from typing import Any

from conftest import ROOT

NAMES = {
    "open_list", "open_list_cold", "open_case", "keystroke", "save", "validate_all",
    "validate_cold", "validate_warm", "summary_warm", "log", "blame", "sync", "export_all",
    "memory_list",
}  # fmt: skip
LARGE_NAMES = {"open_list", "memory_list", "validate_warm", "summary_warm", "log", "blame"}


def _tiny_run(*extra: str) -> dict[str, dict[str, Any]]:
    """A tiny run of the harness; every figure it prints has the shape the README gives."""
    argv = [sys.executable, "-m", "bench", "--json", "--cases", "3", "--rows", "4"]
    done = subprocess.run(
        [*argv, "--repeat", "1", *extra], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert done.returncode == 0, done.stderr
    figures: dict[str, dict[str, Any]] = json.loads(done.stdout)
    for name, figure in figures.items():
        keys = {"value", "baseline", "ratio", "ratio_low", "ratio_high", "rounds", "unit"}
        assert keys <= set(figure), name
        if figure["value"] is None:
            assert figure["ratio"] is None and "n/a (not built yet)" in figure["note"], name
        else:
            assert figure["value"] > 0 and figure["baseline"] > 0, name
            # the figure is the median of per-round ratios, inside the spread it reports
            assert figure["rounds"] == len(figure["values"]) == len(figure["baselines"]), name
            ratios = [v / b for v, b in zip(figure["values"], figure["baselines"], strict=True)]
            assert figure["ratio_low"] <= figure["ratio"] <= figure["ratio_high"], name
            assert abs(figure["ratio"] - statistics.median(ratios)) < 0.01, name
            assert abs(figure["ratio_low"] - min(ratios)) < 0.01, name
    return figures


def test_tiny_run_prints_every_figure_with_its_baseline() -> None:
    figures = _tiny_run()
    assert set(figures) >= NAMES
    for measured in ("validate_all", "open_list", "memory_list", "sync", "blame"):
        assert figures[measured]["value"] is not None, measured


def test_large_run_measures_the_office_size_figures() -> None:
    figures = _tiny_run("--large")
    assert set(figures) >= LARGE_NAMES
    for measured in LARGE_NAMES:
        assert figures[measured]["value"] is not None, measured


def test_rounds_are_added_while_the_spread_hides_the_goal() -> None:
    from bench.__main__ import MORE_ROUNDS, Figure, interleaved

    order: list[str] = []

    def side(name: str, figures: list[float]) -> object:
        def run() -> float:
            order.append(name)
            return figures[len([o for o in order if o == name]) - 1]

        return run

    # ours is 1.0 or 2.0 against a baseline of 1.0: ratios 1, 2, 1, 2 … around save's goal 1.5
    wobbly = side("a", [1.0, 2.0] * 20)
    figure = interleaved(Figure("save", "s"), wobbly, side("b", [1.0] * 40), 4)
    assert len(figure.values) == 4 * MORE_ROUNDS
    assert order[:4] == ["a", "b", "a", "b"]  # interleaved, not all of one side first
    assert figure.spread == (1.0, 2.0)

    order.clear()
    steady = interleaved(Figure("save", "s"), side("a", [1.1] * 40), side("b", [1.0] * 40), 4)
    assert len(steady.values) == 4 and steady.ratio is not None
    assert abs(steady.ratio - 1.1) < 1e-9
