"""Case folders hold plain files only: no symbolic link is read, followed, copied or committed.

A link in a received repository (``attachments/p.pdf -> /etc/passwd``, a ``case.toml`` that
points at a file elsewhere, a case folder linked out of the repository) would carry a file
from outside into a commit, or make anjuan write elsewhere. A FIFO or device named
``case.toml`` would hang a read. The rule is the simplest safe one: inside a case folder
anjuan accepts directories and regular files only, and names any link or special file it
finds, with how to fix it. Files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked
with ``fstat`` on the open descriptor, so a link swapped in after a check is not followed
either.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class NotPlainFile(OSError):
    """A path anjuan refuses to read, copy or commit; ``strerror`` says what and how to fix."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(errno.ELOOP, message, str(path))


def _shown(text: str) -> str:
    from .case import show_controls  # case imports this module

    return show_controls(text)


def link_message(name: str, path: Path) -> str:
    """``name`` is a link: where it points, that it is refused, and what to do."""
    try:
        target = _shown(os.readlink(path))
    except OSError:
        target = "?"
    return (
        f"{name} 是符号链接（指向 {target}），anjuan 不读取、不跟随也不提交链接；"
        f"请删除该链接，把文件本身放在 {name}"
    )


def special_message(name: str, mode: int) -> str:
    """``name`` is a FIFO, device or socket: refused, with what to do."""
    kind = (
        "命名管道（FIFO）"
        if stat.S_ISFIFO(mode)
        else "设备文件"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "套接字"
        if stat.S_ISSOCK(mode)
        else "特殊文件"
    )
    return f"{name} 不是普通文件（是{kind}），anjuan 不读取它；请删除它，换成普通文件"


def read_regular(
    path: Path, limit: int | None = None, name: str | None = None
) -> tuple[bytes, int]:
    """(the bytes of a regular file, up to ``limit`` + 1 when given; its size), refusing a
    symbolic link or a special file with ``NotPlainFile``. Other errors raise as usual."""
    shown = name or path.name
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.ENXIO and path.is_symlink()):
            raise NotPlainFile(path, link_message(shown, path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotPlainFile(path, special_message(shown, info.st_mode))
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
        return data, info.st_size
    finally:
        os.close(fd)


def folder_problem(folder: Path, name: str) -> str | None:
    """Why ``folder`` (a case folder, ``reviews/``) is refused: a link or not a directory;
    None when it is a plain directory or does not exist."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"无法读取 {name}：{exc.strerror}"
    if stat.S_ISLNK(info.st_mode):
        return link_message(name, folder).replace("把文件本身", "把目录本身")
    if not stat.S_ISDIR(info.st_mode):
        return f"{name} 不是目录；请删除或改名后重试"
    return None


def refused_entries(folder: Path, prefix: str = "") -> list[str]:
    """Every link or special file under ``folder`` (not followed), as messages naming each
    by its path below ``prefix`` (e.g. ``XH-2022-001/``), in name order."""
    out: list[str] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return out
    except OSError as exc:
        return [f"无法读取 {prefix}：{exc.strerror}"]
    for entry in entries:
        name = f"{prefix}{entry.name}"
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            out.append(f"无法读取 {name}：{exc.strerror}")
            continue
        if stat.S_ISLNK(info.st_mode):
            out.append(link_message(name, Path(entry.path)))
        elif stat.S_ISDIR(info.st_mode):
            out += refused_entries(Path(entry.path), f"{name}/")
        elif not stat.S_ISREG(info.st_mode):
            out.append(special_message(name, info.st_mode))
    return out


def case_problems(case_dir: Path, case_id: str, *, whole: bool = False) -> list[str]:
    """What makes a case folder refused for a write: the folder itself a link, or a link or
    special file among the files a save commits (``case.toml``, ``reviews/``) — or anywhere
    in the folder with ``whole`` (for a copy)."""
    problem = folder_problem(case_dir, case_id)
    if problem:
        return [problem]
    if whole:
        return refused_entries(case_dir, f"{case_id}/")
    out: list[str] = []
    case_file = case_dir / "case.toml"
    with_name = f"{case_id}/case.toml"
    try:
        info = os.lstat(case_file)
        if stat.S_ISLNK(info.st_mode):
            out.append(link_message(with_name, case_file))
        elif not stat.S_ISREG(info.st_mode):
            out.append(special_message(with_name, info.st_mode))
    except FileNotFoundError:
        pass
    reviews = case_dir / "reviews"
    problem = folder_problem(reviews, f"{case_id}/reviews")
    if problem:
        out.append(problem)
    else:
        out += refused_entries(reviews, f"{case_id}/reviews/")
    return out
