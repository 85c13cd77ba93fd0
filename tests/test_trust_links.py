"""No file from outside a case comes in through a symbolic link (issue 11 item 2).

Links are committed to the repository as an attacker would (git keeps them as links), then
the commands a user types are run: nothing outside the case is read, copied or committed,
each refusal names the link, and a FIFO named ``case.toml`` is refused instead of read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.app_helpers import make_app, settle
from tests.conftest import anjuan, git
from tui.app.screens.case_list import CaseListScreen

CASE = "XH-2022-001"
SECRET = "root:x:0:0:very-secret-line-7f3a9\n"


def all_blobs(repo: Path) -> bytes:
    """The content of every object in the repository (to see that nothing leaked in)."""
    listed = git(repo, "rev-list", "--all", "--objects").stdout.split("\n")
    shas = "\n".join(line.split()[0] for line in listed if line.strip()) + "\n"
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input=shas.encode(),
        capture_output=True,
        check=True,
    )
    return done.stdout


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def test_new_from_a_case_with_a_link_out_copies_and_commits_nothing(
    cases_repo: Path, secret: Path
) -> None:
    (cases_repo / CASE / "attachments").mkdir(exist_ok=True)
    os.symlink(secret, cases_repo / CASE / "attachments" / "p.pdf")
    git(cases_repo, "add", "-A")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "a link")
    before = head(cases_repo)
    done = anjuan("new", "XH-2022-099", "--from", CASE, "--cases", str(cases_repo))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{CASE}/attachments/p.pdf 是符号链接" in done.stderr
    assert "请删除该链接" in done.stderr and "Traceback" not in done.stderr
    assert not (cases_repo / "XH-2022-099").exists()
    assert head(cases_repo) == before
    assert b"very-secret-line" not in all_blobs(cases_repo)


def test_set_refuses_a_case_toml_that_is_a_link_and_writes_nothing(
    cases_repo: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.toml"
    case_file = cases_repo / CASE / "case.toml"
    text = case_file.read_text(encoding="utf-8").replace("星河科技园", "very-secret-park")
    elsewhere.write_text(text, encoding="utf-8")
    case_file.unlink()
    os.symlink(elsewhere, case_file)
    git(cases_repo, "add", "-A")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "case.toml is a link")
    before = head(cases_repo)
    done = anjuan("set", CASE, "applicant.lead.mobile", '"13801230009"', "--cases", str(cases_repo))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{CASE}/case.toml 是符号链接（指向 {elsewhere}）" in done.stderr
    assert head(cases_repo) == before
    assert case_file.is_symlink() and elsewhere.read_text(encoding="utf-8") == text
    assert b"very-secret-park" not in all_blobs(cases_repo)
    # validate names it as a broken case instead of checking the file elsewhere
    done = anjuan("validate", CASE, "--cases", str(cases_repo))
    assert done.returncode == 1 and "case.toml 是符号链接" in done.stdout


def test_a_linked_review_file_is_refused_and_not_committed(
    cases_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "li.wei.toml"
    outside.write_text(
        'reviewer = "li.wei"\ndecision = "recommend"\nscore = 99\n'
        '[[waivers]]\nrule = "ELIG.ENTERPRISES"\nreason = "very-secret-waiver"\n',
        encoding="utf-8",
    )
    reviews = cases_repo / CASE / "reviews"
    reviews.mkdir(exist_ok=True)
    (reviews / "li.wei.toml").unlink(missing_ok=True)
    os.symlink(outside, reviews / "li.wei.toml")
    done = anjuan("validate", CASE, "--cases", str(cases_repo))
    assert "reviews/li.wei.toml 是符号链接" in done.stdout
    assert "very-secret-waiver" not in done.stdout  # its waiver is not applied
    before = head(cases_repo)
    done = anjuan("set", CASE, "applicant.lead.mobile", '"13801230009"', "--cases", str(cases_repo))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "reviews/li.wei.toml 是符号链接" in done.stderr
    assert head(cases_repo) == before
    assert b"very-secret-waiver" not in all_blobs(cases_repo)


def test_a_case_folder_linked_out_is_a_clear_message_everywhere(
    cases_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "XH-2022-050"
    shutil.copytree(cases_repo / CASE, outside)
    os.symlink(outside, cases_repo / "XH-2022-050")
    cases = str(cases_repo)
    done = anjuan("validate", "--cases", cases)
    assert "Traceback" not in done.stderr
    assert "XH-2022-050 是符号链接" in done.stdout and CASE in done.stdout
    for args in (
        ("log", "XH-2022-050"),
        ("blame", "XH-2022-050"),
        ("set", "XH-2022-050", "applicant.lead.mobile", '"13801230009"'),
        ("new", "XH-2022-051", "--from", "XH-2022-050"),
    ):
        done = anjuan(*args, "--cases", cases)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "XH-2022-050 是符号链接" in done.stderr and "Traceback" not in done.stderr
    assert git(cases_repo, "status", "--porcelain").stdout.strip() == "?? XH-2022-050"


def test_a_fifo_named_case_toml_is_refused_not_read(cases_repo: Path) -> None:
    case_file = cases_repo / CASE / "case.toml"
    case_file.unlink()
    os.mkfifo(case_file)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "validate", CASE, "--cases", str(cases_repo)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("validate hung reading a FIFO named case.toml")
    assert done.returncode == 1
    assert "case.toml 不是普通文件（是命名管道（FIFO））" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "set", CASE, "case.status", '"draft"',
         "--cases", str(cases_repo)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "命名管道" in done.stderr


async def test_the_list_shows_linked_and_fifo_cases_as_broken_and_the_others(
    cases_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "XH-2022-050"
    shutil.copytree(cases_repo / CASE, outside)
    os.symlink(outside, cases_repo / "XH-2022-050")
    fifo = cases_repo / "XH-2022-060"
    fifo.mkdir()
    os.mkfifo(fifo / "case.toml")
    app = make_app(cases_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        table = app.screen.query_one("#cases", DataTable)
        rows = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == {CASE, "XH-2022-050", "XH-2022-060"}
        assert str(rows["XH-2022-050"][3]) == "文件损坏"
        assert str(rows["XH-2022-060"][3]) == "文件损坏"
        assert str(rows[CASE][3]) == "已提交"
