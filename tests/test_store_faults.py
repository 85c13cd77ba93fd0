"""Repositories in a state where a commit would be wrong or impossible: a message that says
what to do, and nothing lost (the case file and the history stay as they were)."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import GIT_ENV, anjuan, git

from tui.core.case import read_case
from tui.core.store import StoreError, save_case

CID = "XH-2022-001"
TODAY = date(2022, 10, 1)


def changed(cases: Path, value: int = 1500) -> dict[str, object]:
    data = read_case(cases / CID, CID).data
    assert data is not None
    data = copy.deepcopy(data)
    data["targets"]["info_pushes"] = value
    return data


def snapshot(cases: Path) -> tuple[bytes, str]:
    return (
        (cases / CID / "case.toml").read_bytes(),
        git(cases, "rev-parse", "HEAD").stdout,
    )


def test_detached_head_is_refused(cases_repo: Path) -> None:
    git(cases_repo, "checkout", "-q", "--detach")
    before = snapshot(cases_repo)
    with pytest.raises(StoreError, match="git switch main"):
        save_case(cases_repo, CID, changed(cases_repo), today=TODAY)
    assert snapshot(cases_repo) == before


def test_merge_in_progress_is_refused(cases_repo: Path) -> None:
    git(cases_repo, "checkout", "-qb", "side")
    save_case(cases_repo, CID, changed(cases_repo, 1300), today=TODAY)
    git(cases_repo, "checkout", "-q", "main")
    save_case(cases_repo, CID, changed(cases_repo, 1400), today=TODAY)
    data = changed(cases_repo, 1500)
    assert git(cases_repo, "merge", "-q", "side", check=False).returncode != 0
    before = snapshot(cases_repo)
    with pytest.raises(StoreError, match="git merge --abort"):
        save_case(cases_repo, CID, data, today=TODAY)
    assert snapshot(cases_repo) == before


def test_dubious_ownership_says_how_to_allow_the_repository(cases_repo: Path) -> None:
    before = snapshot(cases_repo)
    result = anjuan(
        "set",
        CID,
        "targets.info_pushes",
        "1500",
        "--cases",
        str(cases_repo),
        env={"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"},  # git's own switch for this check
    )
    assert result.returncode == 2
    assert "safe.directory" in result.stderr
    assert snapshot(cases_repo) == before


def test_stale_index_lock_of_a_killed_git_is_recovered_with_a_message(cases_repo: Path) -> None:
    lock = cases_repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    result = save_case(cases_repo, CID, changed(cases_repo), today=TODAY)
    assert result.commit
    assert any("index.lock" in note for note in result.notes)
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_lock_of_a_running_git_is_left_alone(cases_repo: Path) -> None:
    lock = cases_repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    running = subprocess.Popen(
        ["git", "hash-object", "--stdin"], cwd=cases_repo, stdin=subprocess.PIPE
    )
    try:
        before = snapshot(cases_repo)
        with pytest.raises(StoreError, match="另一个 git 进程"):
            save_case(cases_repo, CID, changed(cases_repo), today=TODAY)
        assert lock.exists()
        assert snapshot(cases_repo) == before
    finally:
        assert running.stdin is not None
        running.stdin.close()
        running.wait()


FULL_DISK = """
import copy, resource, signal, sys
from datetime import date
from pathlib import Path
from tui.core.case import read_case
from tui.core.store import StoreError, save_case

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
cases = Path(sys.argv[1])
case = read_case(cases / "XH-2022-001")
data = copy.deepcopy(case.data)
data["targets"]["info_pushes"] = 1500
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    save_case(cases, "XH-2022-001", data, today=date(2022, 10, 1))
except StoreError as exc:
    print(exc)
    sys.exit(2)
"""


def test_full_disk_says_so_and_keeps_the_old_file(cases_repo: Path) -> None:
    before = snapshot(cases_repo)
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(cases_repo)],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    assert result.returncode == 2, result.stderr
    assert "磁盘已满" in result.stdout
    assert snapshot(cases_repo) == before
    assert not list((cases_repo / CID).glob(".case.toml.*"))  # no half-written file left


READ_ONLY = """
import os, sys
import tui.cli, tui.cli_store, tui.core.store, tui.core.history, tui.core.validate
from tui.core.schema import load_form
from tui.cli import main
load_form("bj-ipcluster-2022")
parser = tui.cli.build_parser()
if os.geteuid() == 0:  # root writes anywhere: be nobody, as a person on a shared server
    os.setgid(65534)
    os.setuid(65534)
sys.exit(main(sys.argv[1:]))
"""


def test_read_only_folder_says_what_to_do(cases_repo: Path) -> None:
    if os.geteuid() == 0:  # nobody must be able to reach the repository: not under tmp_path
        shared = Path(tempfile.mkdtemp(prefix="anjuan-ro-"))
        shared.chmod(0o755)
        cases = shared / "cases"
        shutil.copytree(cases_repo, cases)
        for path in [cases / ".git", *(cases / ".git").rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)
    else:
        shared, cases = None, cases_repo
    try:
        before = snapshot(cases)
        folder = cases / CID
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            env = {
                **os.environ,
                **GIT_ENV,
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "safe.directory",
                "GIT_CONFIG_VALUE_0": "*",
                "HOME": str(cases.parent),
            }
            args = ["set", CID, "targets.info_pushes", "1500", "--cases", str(cases)]
            result = subprocess.run(
                [sys.executable, "-c", READ_ONLY, *args],
                capture_output=True,
                text=True,
                env=env,
                cwd=cases.parent,
            )
        finally:
            folder.chmod(mode)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "权限" in result.stderr
        assert snapshot(cases) == before
    finally:
        if shared is not None:
            shutil.rmtree(shared)


def test_cases_folder_inside_a_bigger_repository(tmp_path: Path) -> None:
    from conftest import EXAMPLE

    outer = tmp_path / "office"
    shutil.copytree(EXAMPLE, outer / "cases" / CID)
    (outer / "README").write_text("notes\n")
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "start")
    (outer / "README").write_text("notes changed, not ours to commit\n")
    result = save_case(outer / "cases", CID, changed(outer / "cases"), today=TODAY)
    assert result.commit
    shown = git(outer, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert shown == [f"cases/{CID}/case.toml"]  # exactly that case's files
    assert "README" in git(outer, "status", "--porcelain").stdout
