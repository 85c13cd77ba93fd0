"""Nothing in a received cases repository runs as code (issue 11 item 1, issue 12 item 4).

Each test builds a hostile repository: a committed ``tui/`` package that writes a marker
file when imported, a ``.gitattributes`` that names a filter or ``merge=union``, a
``core.fsmonitor`` or filter command in ``.git/config`` that writes a marker. Anjuan's
commands, the pre-commit hook and the merge driver must run none of it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ROOT, anjuan, git
from sync_helpers import CASE, office

CASE_REL = f"{CASE}/case.toml"


def plant_package(repo: Path, marker: Path) -> None:
    """A ``tui`` package at the repository root, as an attacker would commit it."""
    code = f"import pathlib, sys\npathlib.Path({str(marker)!r}).write_text('ran')\nsys.exit(0)\n"
    (repo / "tui").mkdir()
    (repo / "tui" / "__init__.py").write_text(code, encoding="utf-8")
    (repo / "tui" / "cli.py").write_text(code, encoding="utf-8")


def marker_script(path: Path, marker: Path, then: str = "") -> Path:
    """An executable shell script that leaves ``marker`` (and then runs ``then``)."""
    path.write_text(f"#!/bin/sh\necho ran >> {marker}\n{then}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def plain_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test Person",
        "GIT_AUTHOR_EMAIL": "test@example.cn",
        "GIT_COMMITTER_NAME": "Test Person",
        "GIT_COMMITTER_EMAIL": "test@example.cn",
    }
    env.update(extra)
    return env


def git_commit(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``git commit`` as a person types it: the hooks run."""
    return subprocess.run(
        ["git", "-C", str(repo), "commit", *args],
        capture_output=True,
        text=True,
        env=env or plain_env(),
        check=False,
    )


def break_case(repo: Path) -> None:
    """An error the hook blocks even in a draft: a mistyped value."""
    path = repo / CASE_REL
    text = path.read_text(encoding="utf-8")
    assert text.count("contract_yuan = 200000") == 1
    path.write_text(
        text.replace("contract_yuan = 200000", 'contract_yuan = "很多"'), encoding="utf-8"
    )


# --- the pre-commit hook -------------------------------------------------------------------


def test_hook_runs_the_installed_anjuan_not_a_committed_tui_package(
    cases_repo: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "imported"
    plant_package(cases_repo, marker)
    git(cases_repo, "add", "tui")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "a tui package")
    assert anjuan("init", str(cases_repo), cwd=tmp_path).returncode == 0
    hook = (cases_repo / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    assert " -I " in hook and os.path.abspath(sys.executable) in hook

    break_case(cases_repo)
    git(cases_repo, "add", CASE_REL)
    done = git_commit(cases_repo, "-q", "-m", "bad value")
    assert not marker.exists(), "the committed tui/ package ran on git commit"
    # The real check ran: the mistyped value blocked the commit.
    assert done.returncode != 0, done.stdout + done.stderr
    assert "contract_yuan" in done.stdout + done.stderr
    assert "提交被拒绝" in done.stderr


def _venv_outside(tmp_path: Path) -> Path:
    """An installation of anjuan of its own (a venv that sees the project), to remove later."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "anjuan_src.pth").write_text(str(ROOT) + "\n", encoding="utf-8")
    site_real = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    (site / "deps.pth").write_text(str(site_real) + "\n", encoding="utf-8")
    return venv


def test_hook_refuses_the_commit_when_anjuan_is_gone(cases_repo: Path, tmp_path: Path) -> None:
    venv = _venv_outside(tmp_path)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-I", "-m", "tui.cli", "init", str(cases_repo)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert str(python) in (cases_repo / ".git" / "hooks" / "pre-commit").read_text("utf-8")
    # The installation is removed; no anjuan on PATH (and a committed ./anjuan is no anjuan).
    subprocess.run(["rm", "-rf", str(venv)], check=True)
    marker = tmp_path / "ran"
    marker_script(cases_repo / "anjuan", marker)
    path = cases_repo / CASE_REL
    before = git(cases_repo, "rev-parse", "HEAD").stdout
    path.write_text(path.read_text(encoding="utf-8") + "# 手工修改\n", encoding="utf-8")
    git(cases_repo, "add", CASE_REL)
    done = git_commit(cases_repo, "-q", "-m", "edit", env=plain_env(PATH=".:/usr/bin:/bin"))
    assert done.returncode != 0, "the commit went through unchecked"
    assert "找不到 anjuan" in done.stderr and "anjuan init" in done.stderr
    assert git(cases_repo, "rev-parse", "HEAD").stdout == before
    assert not marker.exists()


def test_hook_falls_back_to_anjuan_on_path_but_never_to_one_in_the_repository(
    cases_repo: Path, tmp_path: Path
) -> None:
    venv = _venv_outside(tmp_path)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-I", "-m", "tui.cli", "init", str(cases_repo)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    subprocess.run(["rm", "-rf", str(venv)], check=True)
    marker = tmp_path / "ran"
    marker_script(cases_repo / "anjuan", marker)  # committed, executable
    git(cases_repo, "add", "anjuan")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "an anjuan script")
    break_case(cases_repo)
    git(cases_repo, "add", CASE_REL)
    bin_dir = ROOT / ".venv" / "bin"
    assert (bin_dir / "anjuan").exists()
    env = plain_env(PATH=f".:{bin_dir}:/usr/bin:/bin")
    done = git_commit(cases_repo, "-q", "-m", "bad", env=env)
    assert not marker.exists(), "the hook ran the repository's ./anjuan"
    assert done.returncode != 0
    assert "contract_yuan" in done.stdout + done.stderr  # the check ran, through PATH


# --- the merge driver and sync ---------------------------------------------------------------


def test_plain_git_pull_runs_the_installed_driver_not_a_committed_package(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    _remote, (a, b) = office(tmp_path, "a", "b")
    plant_package(a.path, marker)
    a.commit("a: a package")
    git(a.path, "push", "-q", "origin", "HEAD")
    assert git(b.path, "pull", "-q", "--no-rebase", "--no-edit", check=False).returncode == 0
    assert (b.path / "tui" / "__init__.py").exists()
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a: mobile")
    git(a.path, "push", "-q", "origin", "HEAD")
    b.edit('landline = "010-62345678"', 'landline = "010-62340000"')
    b.commit("b: landline")
    done = git(b.path, "pull", "-q", "--no-rebase", "--no-edit", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not marker.exists(), "the committed tui/ package ran as the merge driver"
    data = b.data()
    assert data["applicant"]["lead"]["mobile"] == "13801230001"
    assert data["applicant"]["lead"]["landline"] == "010-62340000"


def test_sync_runs_no_committed_package_and_ignores_a_committed_union_merge(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "imported"
    _remote, (a, b) = office(tmp_path, "a", "b")
    plant_package(a.path, marker)
    a.write(".gitattributes", "*/case.toml merge=union\n*/reviews/*.toml merge=union\n")
    a.commit("a: attributes and a package")
    assert a.sync().returncode == 0
    assert b.sync().returncode == 0  # b now has them too
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a: mobile")
    assert a.sync().returncode == 0
    b.edit('mobile = "13801234567"', 'mobile = "13801230002"')
    b.commit("b: mobile")
    done = b.sync()
    assert not marker.exists(), "the committed tui/ package ran during anjuan sync"
    # The same field changed two ways is a conflict to choose, not a union of both lines.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "applicant.lead.mobile" in done.stdout
    assert tomllib.loads(b.text())["applicant"]["lead"]["mobile"] == "13801230002"
    assert b.clean()


# --- configured commands -------------------------------------------------------------------


def test_summary_set_and_new_run_no_fsmonitor(cases_repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "fsmonitor-ran"
    script = marker_script(tmp_path / "fsmonitor.sh", marker)
    git(cases_repo, "config", "core.fsmonitor", str(script))
    git(cases_repo, "status", "--porcelain")
    assert marker.exists()  # git itself runs it: the vector is real
    marker.unlink()
    cases = str(cases_repo)
    for args in (
        ("summary", "--cases", cases),
        ("set", CASE, "applicant.lead.mobile", '"13801230009"', "--cases", cases),
        ("new", "XH-2022-099", "--from", CASE, "--cases", cases),
        ("validate", CASE, "--cases", cases),
        ("log", CASE, "--cases", cases),
    ):
        done = anjuan(*args, cwd=tmp_path)
        assert done.returncode in (0, 1), (args, done.stdout, done.stderr)
        assert not marker.exists(), f"anjuan {args[0]} ran core.fsmonitor"
    assert "XH-2022-099" in git(cases_repo, "ls-files").stdout


def test_filters_and_hooks_of_the_repository_do_not_run_on_anjuan_commits(
    cases_repo: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "filter-ran"
    evil = marker_script(tmp_path / "filter.sh", marker, "sed s/13801230009/66666666666/")
    git(cases_repo, "config", "filter.evil.clean", str(evil))
    git(cases_repo, "config", "filter.evil.smudge", str(evil))
    git(cases_repo, "config", "filter.evil.required", "true")
    git(cases_repo, "config", "diff.evil.textconv", str(evil))
    (cases_repo / ".gitattributes").write_text("* filter=evil diff=evil\n", encoding="utf-8")
    git(cases_repo, "add", ".gitattributes")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "attributes")
    marker.unlink(missing_ok=True)
    for name in ("post-commit", "post-merge", "pre-commit", "reference-transaction"):
        marker_script(cases_repo / ".git" / "hooks" / name, marker)
    cases = str(cases_repo)
    done = anjuan(
        "set", CASE, "applicant.lead.mobile", '"13801230009"', "--cases", cases, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = anjuan("new", "XH-2022-098", "--from", CASE, "--cases", cases, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    done = anjuan("summary", "--cases", cases, cwd=tmp_path)
    assert not marker.exists(), "a filter or hook of the repository ran"
    # What was committed is the file as written, byte for byte.
    committed = git(cases_repo, "show", f"HEAD~1:{CASE_REL}").stdout.encode()
    assert committed == (cases_repo / CASE_REL).read_bytes()
    assert b"13801230009" in committed
