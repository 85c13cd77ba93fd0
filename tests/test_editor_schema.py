"""The editor schema: ``init`` and ``new`` keep it in the cases repository, case files point at
it by a path that holds in every clone, and taplo agrees with anjuan."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, anjuan, git

TAPLO = Path(sys.executable).with_name("taplo")
SCHEMA_LINE = "#:schema ../.anjuan/schema/bj-ipcluster-2022.schema.json"


def taplo(case_file: Path) -> subprocess.CompletedProcess[str]:
    assert TAPLO.exists(), "taplo is a dev dependency (pip package taplo)"
    return subprocess.run(
        [str(TAPLO), "check", "--colors", "never", str(case_file)],
        capture_output=True,
        text=True,
        cwd=case_file.parent,
    )


def errors_of(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    assert anjuan("init", str(cases), env={"GIT_AUTHOR_NAME": "li.wei"}).returncode == 0
    return cases


def test_init_commits_the_editor_schema_and_new_points_at_it_in_every_clone(
    repo: Path, tmp_path: Path
) -> None:
    assert "编辑器用的申报书 schema" in git(repo, "log", "--format=%s").stdout
    assert git(repo, "status", "--porcelain").stdout == ""
    done = anjuan("--cases", str(repo), "new", "XH-2022-050")
    assert done.returncode == 0, done.stderr
    text = (repo / "XH-2022-050" / "case.toml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    assert str(Path(__file__).parents[1]) not in text  # no path of the machine that made it
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    target = (clone / "XH-2022-050" / SCHEMA_LINE.split(" ", 1)[1]).resolve()
    assert json.loads(target.read_text(encoding="utf-8"))["properties"]["targets"]


def test_taplo_finds_nothing_in_a_fresh_draft(repo: Path) -> None:
    assert anjuan("--cases", str(repo), "new", "XH-2022-050").returncode == 0
    done = taplo(repo / "XH-2022-050" / "case.toml")
    assert done.returncode == 0 and errors_of(done) == [], done.stderr


def test_taplo_and_anjuan_agree_on_submitted_samples_and_on_a_wrong_type(repo: Path) -> None:
    for sample in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        shutil.copytree(sample, repo / sample.name)
        path = repo / sample.name / "case.toml"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([SCHEMA_LINE, *lines[1:]]) + "\n", encoding="utf-8")
        report = json.loads(
            anjuan("--cases", str(repo), "validate", sample.name, "--format", "json").stdout
        )
        if report["cases"][0]["errors"] == 0:
            done = taplo(path)
            assert done.returncode == 0 and errors_of(done) == [], (sample.name, done.stderr)
    path = repo / "XH-2022-001" / "case.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("info_pushes = ")
    end = text.index("\n", start)
    path.write_text(f'{text[:start]}info_pushes = "很多"{text[end:]}', encoding="utf-8")
    done = taplo(path)
    assert done.returncode != 0 and errors_of(done), done.stderr
    report = json.loads(
        anjuan("--cases", str(repo), "validate", "XH-2022-001", "--format", "json").stdout
    )
    rules = {f["rule"] for f in report["cases"][0]["findings"] if f["severity"] == "error"}
    assert "SCHEMA.TYPE" in rules


def test_a_linked_schema_folder_is_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (cases / ".anjuan").symlink_to(outside)
    done = anjuan("init", str(cases))
    assert done.returncode == 2 and ".anjuan" in done.stderr and "链接" in done.stderr
    assert list(outside.iterdir()) == []
