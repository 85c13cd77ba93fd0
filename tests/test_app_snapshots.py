"""Snapshots of the list, the editor, the findings panel and history at 80×24 and 120×40.

The repository is built with fixed commit dates so that the pictures do not change by day.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.app_helpers import make_app, settle
from tests.conftest import EXAMPLE, GIT_ENV

SIZES = [(80, 24), (120, 40)]
FIXED = {
    "GIT_AUTHOR_DATE": "2022-10-01T09:30:00+08:00",
    "GIT_COMMITTER_DATE": "2022-10-01T09:30:00+08:00",
}


def fixed_git(repo: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV, **FIXED}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def snapshot_repo(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copytree(EXAMPLE, cases / "XH-2022-001")
    fixed_git(cases, "init", "-q", "-b", "main")
    fixed_git(cases, "add", "-A")
    fixed_git(cases, "commit", "-q", "--no-verify", "-m", "XH-2022-001: 样例")
    path = cases / "XH-2022-001" / "case.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("info_pushes = 1200", "info_pushes = 900"),
        encoding="utf-8",
    )
    fixed_git(
        cases, "commit", "-q", "--no-verify", "-am", "XH-2022-001: targets.info_pushes 1200 → 900"
    )
    return cases


def _steady(pilot: Pilot[None]) -> None:
    """A blinking cursor would make the picture depend on the moment it is taken."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False


async def _editor(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.open_case("XH-2022-001")  # type: ignore[attr-defined]
    for _ in range(50):
        await settle(pilot)
        if getattr(pilot.app.screen, "ready", False):
            break
    _steady(pilot)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_list(snap_compare, snapshot_repo: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(snapshot_repo), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_editor(snap_compare, snapshot_repo: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(snapshot_repo), terminal_size=size, run_before=_editor)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_findings(snap_compare, snapshot_repo: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await _editor(pilot)
        pilot.app.screen.jump_to("targets.info_pushes")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+f")
        await settle(pilot)
        _steady(pilot)
        await pilot.pause()

    assert snap_compare(make_app(snapshot_repo), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_history(snap_compare, snapshot_repo: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await _editor(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)

    assert snap_compare(make_app(snapshot_repo), terminal_size=size, run_before=run_before)
