"""Helpers for the Pilot tests: build the app as the command does, wait for its workers."""

from __future__ import annotations

import contextlib
import shutil
from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tests.conftest import EXAMPLE, git
from tui.app.app import AnjuanApp

TODAY = date(2022, 10, 1)


def make_app(cases: Path, **kw: object) -> AnjuanApp:
    return AnjuanApp(
        cases, as_name="测试员", today=TODAY, keymap_file=cases / "no-keymap.toml", **kw
    )  # type: ignore[arg-type]


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen catch up (no wall-clock waits)."""
    for _ in range(3):
        for worker in list(pilot.app.workers):
            # a cancelled worker was superseded by a newer one (exclusive), awaited too
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
        await pilot.pause()


def add_case(cases: Path, case_id: str, text: str | None = None) -> Path:
    """Another case in the repository: a copy of the example, or the given file text."""
    folder = cases / case_id
    if text is None:
        shutil.copytree(EXAMPLE, folder)
    else:
        folder.mkdir()
        (folder / "case.toml").write_text(text, encoding="utf-8")
    git(cases, "add", "-A")
    git(cases, "commit", "-q", "--no-verify", "-m", f"add {case_id}")
    return folder


async def palette_go(pilot: Pilot[None], query: str) -> None:
    """Type ``query`` into the command palette (ctrl+p) and take its first match."""
    await pilot.press("ctrl+p")
    await pilot.press(*query)
    await pilot.pause(0.3)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def map_account(cases: Path, name: str = "测试员") -> None:
    """Commit a people.toml in which the account running the tests is reviewer ``name`` (the
    app's --as), so that the app may write that reviewer's file."""
    import os
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    (cases / "people.toml").write_text(f'[accounts]\n"{me}" = "{name}"\n', encoding="utf-8")
    git(cases, "add", "people.toml")
    git(cases, "commit", "-q", "--no-verify", "-m", f"people.toml: {me} = {name}")
