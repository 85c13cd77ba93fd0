"""The cases repository on disk and in git: atomic writes and one commit per change.

Every write goes through ``atomic_write`` (temporary file in the same folder, fsync,
rename, fsync the folder) so that a crash leaves the old or the new file, never half.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import git

from .repo import git_root

LOGIN_TRAILER = "Anjuan-Login"


class StoreError(RuntimeError):
    """The repository cannot do what was asked; the message says what to do. Nothing was lost."""


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


@dataclass(frozen=True)
class Person:
    """Who makes a change: the author recorded in git, and the login that really ran it."""

    name: str
    email: str
    login: str

    @property
    def actor(self) -> git.Actor:
        return git.Actor(self.name, self.email)


def person(repo: git.Repo | None, as_name: str | None = None) -> Person:
    """``--as`` if given, else git's configured identity, else the login name."""
    login = login_name()
    name = email = None
    if repo is not None:
        reader = repo.config_reader()
        name = reader.get_value("user", "name", default=None)
        email = reader.get_value("user", "email", default=None)
    if as_name:
        name = as_name
        email = email if not as_name else f"{_mailbox(as_name)}@anjuan.local"
    name = str(name) if name else login
    email = str(email) if email else f"{_mailbox(login)}@anjuan.local"
    return Person(name, email, login)


def _mailbox(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "." for c in name).strip(".")
    return safe or "anjuan"


def open_repo(cases_dir: Path) -> git.Repo:
    """The git repository that holds ``cases_dir``; StoreError with what to do if there is none."""
    root = git_root(cases_dir)
    if root is None:
        raise StoreError(
            f"案卷目录 {str(cases_dir)!r} 不在 git 仓库中，无法记录修改历史；"
            f"请先运行 anjuan init {cases_dir}"
        )
    try:
        return git.Repo(root)
    except git.InvalidGitRepositoryError as exc:
        raise StoreError(
            f"{root} 的 .git 已损坏或不是 git 仓库：{exc}；请修复或重新 anjuan init"
        ) from exc


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers (and crashes) see the old or the new file."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def commit_paths(
    repo: git.Repo, paths: Iterable[Path], message: str, who: Person, reason: str | None = None
) -> str:
    """Commit exactly these files (added or changed) as one commit by ``who``; return its sha."""
    root = Path(repo.working_tree_dir or ".").resolve()
    rels = [str(Path(p).resolve().relative_to(root)) for p in paths]
    body = message
    if reason:
        body += f"\n\n理由：{reason}"
    body += f"\n\n{LOGIN_TRAILER}: {who.login}\n"
    repo.git.add("--", *rels)
    # ``git commit -- paths`` commits only these files, whatever else is staged.
    env = {
        "GIT_AUTHOR_NAME": who.name,
        "GIT_AUTHOR_EMAIL": who.email,
        "GIT_COMMITTER_NAME": who.name,
        "GIT_COMMITTER_EMAIL": who.email,
    }
    repo.git.commit("--no-verify", "-q", "-m", body, "--", *rels, env=env)
    return repo.head.commit.hexsha
