"""Issue 11 item 8: other ways to lose or break work (concurrent ``set``, hand edits during a
save, sizes the reader refuses, restore as the repair tool, the gate and ``--today``, export
targets, imports that drop rows, arguments that crash, a full disk, HTML in exports)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import GIT_ENV, ROOT, anjuan, git

from tui.core.case import read_case
from tui.core.edit import apply_changes
from tui.core.store import ConflictError, StoreError, update_case

CID = "XH-2022-001"


def count_commits(cases: Path) -> int:
    return int(git(cases, "rev-list", "--count", "HEAD").stdout)


# --- several people run ``set`` on one case ------------------------------------------------

SET_LOOP = """
import subprocess, sys
cases, cid, field, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for i in range(count):
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--cases", cases, "set", cid, field, f'"{field}-{i}"'],
        capture_output=True, text=True,
    )
    print(done.returncode, repr(done.stderr.strip()), flush=True)
"""

FIELDS = ["applicant.lead.title", "applicant.contact.name", "applicant.legal_rep", "applicant.park_name"]


def test_set_from_several_people_on_one_case_queues_and_every_save_commits(
    cases_repo: Path,
) -> None:
    """Saves of different fields of one case never refuse each other: each ``set`` reads the
    file under the lock, so it queues behind the others (README: saves queue)."""
    count = 5
    before = count_commits(cases_repo)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SET_LOOP, str(cases_repo), CID, field, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, **GIT_ENV},
        )
        for field in FIELDS
    ]
    outcomes = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
        outcomes += stdout.splitlines()
    refused = [line for line in outcomes if not line.startswith("0 ")]
    assert refused == []
    assert count_commits(cases_repo) == before + count * len(FIELDS)
    data = read_case(cases_repo / CID, CID).data
    assert data is not None
    for field in FIELDS:
        section, *rest = field.split(".")
        node = data[section]
        for key in rest:
            node = node[key]
        assert node == f"{field}-{count - 1}"


# --- a hand edit appended while ``set`` saves ---------------------------------------------

APPENDER = """
import sys, time
path, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    with open(path, "a") as fh:
        fh.write(f"# 手工备注 {i}\\n")
    time.sleep(0.02)
print("done", flush=True)
"""


def test_a_hand_edit_appended_while_saves_run_is_never_lost(cases_repo: Path) -> None:
    """``echo >> case.toml`` during saves: every appended line is in the file at the end
    (each save either replaced the very bytes it read, or left the file with the edit)."""
    path = cases_repo / CID / "case.toml"
    marks = 200
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(path), str(marks)],
        stdout=subprocess.PIPE,
        text=True,
    )
    saved, refused, last = 0, 0, None
    while appender.poll() is None:
        value = 1000 + saved + refused
        try:
            update_case(
                cases_repo,
                CID,
                lambda data, v=value: apply_changes(data, {"targets.info_pushes": v}),
                today=date(2022, 10, 1),
            )
        except ConflictError as exc:  # refused, the file left with the hand edit
            assert "被修改" in str(exc)
            refused += 1
        else:
            saved, last = saved + 1, value
    assert appender.wait() == 0
    assert saved > 0
    text = path.read_text(encoding="utf-8")
    missing = [i for i in range(marks) if f"# 手工备注 {i}\n" not in text]
    assert missing == []
    assert read_case(cases_repo / CID, CID).data["targets"]["info_pushes"] == last


# --- nothing is written that the product could not open again ------------------------------


def test_an_import_that_would_pass_the_readers_size_limit_is_refused_before_writing(
    samples_repo: Path, tmp_path: Path
) -> None:
    cid = "XH-2022-002"
    path = samples_repo / cid / "case.toml"
    before, commits = path.read_bytes(), count_commits(samples_repo)
    sheet = tmp_path / "big.csv"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        money = ["合同额（元）", "实际到账（元）", "合同涉及专利金额（元）"]
        writer.writerow(["登记/备案时间", "专利号", "转化方式", "供给方", "接受方", *money])
        for i in range(200):
            supplier = f"大学{i}" + "甲" * 15000
            writer.writerow(["2021-06-18", "ZL201911034521.8", "转让", supplier, "公司", 1, 1, 1])
    done = anjuan("--cases", str(samples_repo), "import", cid, "annex1", str(sheet), cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert "超过案卷文件的上限 8 MB" in done.stderr
    assert path.read_bytes() == before
    assert count_commits(samples_repo) == commits
    assert read_case(samples_repo / cid, cid).data is not None


def test_a_save_of_a_case_larger_than_the_reader_opens_is_refused(cases_repo: Path) -> None:
    path = cases_repo / CID / "case.toml"
    before = path.read_bytes()
    with pytest.raises(StoreError, match="上限 8 MB"):
        update_case(
            cases_repo,
            CID,
            lambda data: apply_changes(data, {"applicant.overview": "概" * (3 * 1024 * 1024)}),
        )
    assert path.read_bytes() == before
