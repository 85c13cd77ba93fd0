"""Several people on one server: saves from several processes queue, stale versions are
refused (never lost), and a save killed at any moment leaves the old or the new file."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import GIT_ENV, anjuan, git

from tui.core.case import read_case
from tui.core.history import case_log
from tui.core.store import save_case

CID = "XH-2022-001"

WORKER = """
import copy, sys
from datetime import date
from pathlib import Path
from tui.core.case import read_case
from tui.core.store import ConflictError, save_case

cases, cid, base, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(count):
    value = base + i
    case = read_case(cases / cid, cid)
    data = copy.deepcopy(case.data)
    data["targets"]["info_pushes"] = value
    try:
        result = save_case(cases, cid, data, expected_version=case.version,
                           today=date(2022, 10, 1), as_name=f"worker{base}")
        print("ok", value, result.commit, flush=True)
    except ConflictError:
        print("conflict", value, flush=True)
"""


def worker(cases: Path, cid: str, base: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(cases), cid, str(base), str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **GIT_ENV},
    )


def results(procs: list[subprocess.Popen[str]]) -> list[list[str]]:
    lines = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        lines += [line.split() for line in stdout.splitlines()]
    return lines


@pytest.fixture
def four_cases(cases_repo: Path) -> Path:
    for n in (2, 3, 4):
        shutil.copytree(cases_repo / CID, cases_repo / f"XH-2022-00{n}")
    git(cases_repo, "add", "-A")
    git(cases_repo, "commit", "-qm", "four cases")
    return cases_repo


def count_commits(cases: Path) -> int:
    return int(git(cases, "rev-list", "--count", "HEAD").stdout)


def test_four_processes_saving_different_cases_all_commit(four_cases: Path) -> None:
    before = count_commits(four_cases)
    ids = [f"XH-2022-00{n}" for n in (1, 2, 3, 4)]
    procs = [worker(four_cases, cid, 1000 * (n + 1), 5) for n, cid in enumerate(ids)]
    lines = results(procs)
    assert [kind for kind, *_ in lines] == ["ok"] * 20
    assert count_commits(four_cases) == before + 20
    for n, cid in enumerate(ids):
        values = [
            c.new
            for e in case_log(four_cases, cid)
            for c in e.changes
            if c.path.endswith("info_pushes")
        ]
        assert sorted(values) == [1000 * (n + 1) + i for i in range(5)]
    assert git(four_cases, "status", "--porcelain").stdout == ""
    assert git(four_cases, "fsck", "--no-progress").returncode == 0


def test_four_processes_saving_one_case_every_save_is_a_commit_or_refused(
    four_cases: Path,
) -> None:
    before = count_commits(four_cases)
    procs = [worker(four_cases, CID, 1000 * (n + 1), 6) for n in range(4)]
    lines = results(procs)
    saved = {int(v) for kind, v, *_ in lines if kind == "ok"}
    refused = {int(v) for kind, v, *_ in lines if kind == "conflict"}
    assert len(saved) + len(refused) == 24 and saved
    assert count_commits(four_cases) == before + len(saved)
    logged = {
        c.new
        for e in case_log(four_cases, CID)
        for c in e.changes
        if c.path == "targets.info_pushes"
    }
    assert saved <= logged and not (refused & logged)  # every save is in the history
    data = read_case(four_cases / CID, CID).data
    last = case_log(four_cases, CID)[0].changes[0].new
    assert data and data["targets"]["info_pushes"] == last
    assert git(four_cases, "status", "--porcelain").stdout == ""


def test_a_save_waits_for_the_lock_then_gives_up_with_a_message(cases_repo: Path) -> None:
    before = (cases_repo / CID / "case.toml").read_bytes()
    fd = os.open(cases_repo / ".git" / "anjuan.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = anjuan(
            "set",
            CID,
            "targets.info_pushes",
            "1500",
            "--cases",
            str(cases_repo),
            env={"ANJUAN_LOCK_TIMEOUT": "3.5"},
        )
    finally:
        os.close(fd)
    assert result.returncode == 2
    assert "排队等待" in result.stderr and "稍后重试" in result.stderr
    assert (cases_repo / CID / "case.toml").read_bytes() == before
    again = anjuan("set", CID, "targets.info_pushes", "1500", "--cases", str(cases_repo))
    assert again.returncode == 0, again.stderr


LOOP = """
import copy, sys
from datetime import date
from pathlib import Path
from tui.core.case import read_case
from tui.core.store import save_case

cases, cid = Path(sys.argv[1]), sys.argv[2]
value = int(sys.argv[3])
while True:
    value += 1
    case = read_case(cases / cid, cid)
    data = copy.deepcopy(case.data)
    data["targets"]["info_pushes"] = value
    data["annex1"][2]["received_yuan"] = value
    save_case(cases, cid, data, today=date(2022, 10, 1))
"""


def test_kill_9_at_random_moments_leaves_old_or_new_and_the_next_save_commits_it(
    cases_repo: Path,
) -> None:
    rng = random.Random(20221001)
    path = cases_repo / CID / "case.toml"
    start = 10_000
    interrupted = 0
    for round_ in range(22):
        first = path.read_bytes()
        proc = subprocess.Popen(
            [sys.executable, "-c", LOOP, str(cases_repo), CID, str(start)],
            stderr=subprocess.PIPE,
            env={**os.environ, **GIT_ENV},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while path.read_bytes() == first and time.monotonic() < deadline:
            time.sleep(0.005)  # wait until it is saving, however slow this machine is
        time.sleep(rng.uniform(0.0, 0.3))
        os.killpg(proc.pid, signal.SIGKILL)  # the saving process and any git it runs
        proc.wait()
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert "Traceback" not in err, err
        case = read_case(cases_repo / CID, CID)
        assert case.data is not None, f"round {round_}: {case.error}"  # never truncated
        head_now = git(cases_repo, "show", f"HEAD:{CID}/case.toml").stdout
        locks = [p for p in (cases_repo / ".git").glob("*.lock") if p.name != "anjuan.lock"]
        interrupted += head_now != path.read_text(encoding="utf-8") or bool(locks)
        value = case.data["targets"]["info_pushes"]
        assert value == case.data["annex1"][2]["received_yuan"]  # one whole version
        start = max(start, value) + 1000
        data = dict(case.data)
        data["targets"] = {**case.data["targets"], "info_pushes": start}
        data["annex1"] = [dict(r) for r in case.data["annex1"]]
        data["annex1"][2]["received_yuan"] = start
        result = save_case(cases_repo, CID, data, today=date(2022, 10, 1))
        assert result.commit, f"round {round_}"
        assert git(cases_repo, "status", "--porcelain").stdout == "", f"round {round_}"
        head = git(cases_repo, "show", f"HEAD:{CID}/case.toml").stdout
        assert head == path.read_text(encoding="utf-8")
    assert interrupted, "no kill landed inside a save: the test did not test anything"
    fsck = git(cases_repo, "fsck", "--full", "--no-progress", check=False)
    assert fsck.returncode == 0, fsck.stderr + fsck.stdout
    assert "error" not in fsck.stderr.lower()
