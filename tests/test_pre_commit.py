"""The pre-commit framework runs anjuan on a cases repository through this project's
``.pre-commit-hooks.yaml`` (``repo:`` of this project), and ``validate`` takes file names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLE, ROOT, anjuan, git

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def test_validate_takes_file_names_as_pre_commit_passes_them(cases_repo: Path) -> None:
    named = anjuan("validate", "XH-2022-001/case.toml", "XH-2022-001", cwd=cases_repo)
    assert named.returncode == 0, named.stderr
    assert (
        named.stdout.strip().endswith("1 个案卷：0 个错误，0 个警告") or "1 个案卷" in named.stdout
    )
    nested = anjuan("validate", "cases/XH-2022-001/case.toml", cwd=cases_repo.parent)
    assert nested.returncode == 0 and "1 个案卷" in nested.stdout, nested.stderr
    elsewhere = anjuan("--cases", str(cases_repo), "validate", "/etc/hostname/case.toml")
    assert elsewhere.returncode == 2 and "不在案卷目录" in elsewhere.stderr


def test_the_pre_commit_framework_runs_anjuan_from_this_project(tmp_path: Path) -> None:
    rev = git(ROOT, "rev-parse", "HEAD").stdout.strip()
    assert "anjuan-validate" in git(ROOT, "show", f"{rev}:.pre-commit-hooks.yaml").stdout
    cases = tmp_path / "cases"
    shutil.copytree(EXAMPLE, cases / EXAMPLE.name)
    (cases / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: anjuan-validate\n",
        encoding="utf-8",
    )
    git(tmp_path, "init", "-q", "-b", "main", str(cases))
    git(cases, "add", "-A")
    git(cases, "commit", "-q", "--no-verify", "-m", "cases")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PRE_COMMIT), "run", *args], cwd=cases, env=env, capture_output=True, text=True
        )

    clean = run("--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    path = cases / "XH-2022-001" / "case.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("info_pushes = 1200", 'info_pushes = "很多"', 1), "utf-8")
    git(cases, "add", "-A")
    broken = run()
    assert broken.returncode != 0
    assert "SCHEMA.TYPE" in broken.stdout and "targets.info_pushes" in broken.stdout
