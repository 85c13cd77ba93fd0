"""A new case is made so that a kill at any moment leaves nothing a person must repair.

``anjuan new`` builds the case aside (``.git/anjuan-new/<id>``), writes a small journal
(``.git/anjuan-new.json``: which case, its commit message and author), renames the folder
into place and commits it, then removes the journal. The next ``new`` or ``set`` (under the
repository lock, so no other save is running) finishes what a killed one left:

- journal, folder in place but not committed: commit it, as the killed command would have;
- journal, folder not in place (killed before the rename): drop the half-built copy;
- journal, folder committed (killed after the commit): drop the journal;
- a half-built copy without a journal (killed while building): drop it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import git

from .store import Person, atomic_write, commit_paths

JOURNAL = "anjuan-new.json"
ASIDE = "anjuan-new"


def _git_dir(repo: git.Repo) -> Path:
    return Path(repo.git_dir)


def aside_path(repo: git.Repo, case_id: str) -> Path:
    return _git_dir(repo) / ASIDE / case_id


def aside_dir(repo: git.Repo, case_id: str) -> Path:
    """Where a new case is built before it is renamed into place (emptied first)."""
    folder = aside_path(repo, case_id)
    if os.path.lexists(folder):
        shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def write_journal(
    repo: git.Repo, target: Path, paths: list[Path], message: str, who: Person
) -> None:
    root = Path(repo.working_tree_dir or ".").resolve()
    entry = {
        "case": os.path.relpath(os.path.abspath(target), root),
        "paths": [os.path.relpath(os.path.abspath(p), root) for p in paths],
        "message": message,
        "author": {"name": who.name, "email": who.email, "login": who.login},
    }
    atomic_write(_git_dir(repo) / JOURNAL, json.dumps(entry, ensure_ascii=False).encode())


def drop_journal(repo: git.Repo) -> None:
    with contextlib.suppress(FileNotFoundError):
        (_git_dir(repo) / JOURNAL).unlink()


def _committed(repo: git.Repo, rel: str) -> bool:
    try:
        return bool(repo.git.ls_tree("--name-only", "HEAD", "--", rel).strip())
    except git.GitCommandError:
        return False  # no commit yet


def recover_new(repo: git.Repo) -> list[str]:
    """Finish or roll back a ``new`` that was killed (see the module docstring); the caller
    holds the repository lock. Returns what was done, for the person."""
    said: list[str] = []
    git_dir = _git_dir(repo)
    journal = git_dir / JOURNAL
    entry: dict[str, Any] | None = None
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        entry = None
    except (OSError, ValueError):
        drop_journal(repo)  # killed while writing it: the folder was never renamed into place
    root = Path(repo.working_tree_dir or ".").resolve()
    if isinstance(entry, dict) and isinstance(entry.get("case"), str):
        rel = entry["case"]
        target = root / rel
        name = Path(rel).name
        if os.path.lexists(target) and not _committed(repo, rel):
            author = entry.get("author") or {}
            who = Person(
                str(author.get("name") or "anjuan"),
                str(author.get("email") or "anjuan@anjuan.local"),
                str(author.get("login") or "unknown"),
            )
            paths = [root / p for p in entry.get("paths") or [rel]]
            sha = commit_paths(
                repo, [p for p in paths if os.path.lexists(p)], str(entry["message"]), who
            )
            said.append(f"已完成上次中断的新建案卷 {name}（提交 {sha[:10]}）")
        elif not os.path.lexists(target):
            said.append(f"上次新建案卷 {name} 时中断，尚未建成，已清除残留")
        drop_journal(repo)
    aside = git_dir / ASIDE
    if aside.is_dir():
        for left in list(aside.iterdir()):
            shutil.rmtree(left, ignore_errors=True)
            if not os.path.lexists(left):
                continue
            with contextlib.suppress(OSError):
                left.unlink()
    return said
