"""A bare remote and clones of it, as several machines of a programme office would have."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import SAMPLES, anjuan, git

CASE = "XH-2022-001"


@dataclass
class Machine:
    """One clone of the cases repository."""

    name: str
    path: Path

    @property
    def case_file(self) -> Path:
        return self.path / CASE / "case.toml"

    def text(self) -> str:
        return self.case_file.read_text(encoding="utf-8")

    def data(self, rel: str = f"{CASE}/case.toml") -> dict[str, Any]:
        return tomllib.loads((self.path / rel).read_text(encoding="utf-8"), parse_float=Decimal)

    def edit(self, old: str, new: str, rel: str = f"{CASE}/case.toml") -> None:
        """A hand edit: replace one exact piece of text (it must be there once)."""
        path = self.path / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} appears {text.count(old)} times in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> None:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--no-verify", "-m", message)

    def sync(self, *args: str) -> Any:
        return anjuan("sync", "--cases", str(self.path), "--as", self.name, *args)

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").stdout.strip()

    def clean(self) -> bool:
        return git(self.path, "status", "--porcelain").stdout == ""


def fsck_clean(repo: Path) -> bool:
    done = git(repo, "fsck", "--full", check=False)
    bad = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if not line.startswith(("dangling", "Checking", "notice"))
    ]
    return done.returncode == 0 and not bad


def office(tmp_path: Path, *names: str) -> tuple[Path, list[Machine]]:
    """A bare remote seeded with the sample case by ``anjuan init``, and one clone per name,
    each set up with ``anjuan init`` as its person would."""
    seed = tmp_path / "seed"
    shutil.copytree(SAMPLES, seed)
    done = anjuan("init", str(seed))
    assert done.returncode == 0, done.stderr
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "--no-verify", "-m", "samples")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(remote))
    machines = []
    for name in names:
        path = tmp_path / name
        git(tmp_path, "clone", "-q", str(remote), str(path))
        done = anjuan("init", str(path))
        assert done.returncode == 0, done.stderr
        machines.append(Machine(name, path))
    return remote, machines


def mobile_and_row_conflict(tmp_path: Path) -> tuple[Path, Machine, Machine]:
    """Two machines: a pushed new values of the lead's mobile, annex1 row 2's received amount
    and the contact's name; b changed the same mobile and amount the other way, not synced."""
    remote, (a, b) = office(tmp_path, "a", "b")
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.edit('name = "陈晓"', 'name = "陈晓红"')
    a.edit("received_yuan = 150000", "received_yuan = 140000")
    a.commit("a: mobile, contact, annex1 row 2")
    assert a.sync().returncode == 0
    b.edit('mobile = "13801234567"', 'mobile = "13801230002"')
    b.edit("received_yuan = 150000", "received_yuan = 130000")
    b.commit("b: mobile, annex1 row 2")
    return remote, a, b
