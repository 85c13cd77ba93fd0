"""Shared fixtures: real git repositories of real case files in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "cases"
EXAMPLE = SAMPLES / "XH-2022-001"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Person",
    "GIT_AUTHOR_EMAIL": "test@example.cn",
    "GIT_COMMITTER_NAME": "Test Person",
    "GIT_COMMITTER_EMAIL": "test@example.cn",
}


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Plain git, as a person would run it (identity from the environment, not global config)."""
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=check
    )


def anjuan(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
    )


def _repo_of(cases: Path) -> Path:
    git(cases, "init", "-q", "-b", "main")
    git(cases, "add", "-A")
    git(cases, "commit", "-q", "--no-verify", "-m", "samples")
    return cases


@pytest.fixture
def cases_repo(tmp_path: Path) -> Path:
    """A cases repository holding a copy of the spec's example case (XH-2022-001), committed once."""
    cases = tmp_path / "cases"
    shutil.copytree(EXAMPLE, cases / EXAMPLE.name)
    return _repo_of(cases)


@pytest.fixture
def samples_repo(tmp_path: Path) -> Path:
    """A cases repository holding a copy of every bundled sample in cases/, committed once."""
    cases = tmp_path / "samples"
    shutil.copytree(SAMPLES, cases)
    return _repo_of(cases)
