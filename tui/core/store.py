"""The cases repository on disk and in git: atomic writes and one commit per change.

Every write goes through ``atomic_write`` (temporary file in the same folder, fsync,
rename, fsync the folder) so that a crash leaves the old or the new file, never half.
``save_case`` is the one way a case changes: diff at field level, merge only the changed
values into the file's own layout, validate, write, and commit exactly that case's files,
all under a lock so that several people on one server queue instead of colliding.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import pwd
import re
import shutil
import socket
import stat
import tempfile
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import git

from .case import MAX_FILE_BYTES, Case, blob_id, parse_toml_bytes, read_case, read_limited
from .edit import FieldChange, MergeError, diff_data, loads_sections, render_checked
from .findings import CASE_FILE, Finding
from .gate import DRAFT_STATES, blocking
from .gitsafe import harden
from .repo import CaseIdError, check_case_id, git_root
from .safefs import NotPlainFile, case_problems, folder_problem, read_regular

LOGIN_TRAILER = "Anjuan-Login"
REASON_TRAILER = "Anjuan-Reason"
LOCK_NAME = "anjuan.lock"
LOCK_WAIT_SAY_AFTER = 3.0  # seconds before telling the person that someone else is saving
LOCK_TIMEOUT_ENV = "ANJUAN_LOCK_TIMEOUT"
LOCK_TIMEOUT = 120.0
LOCK_SETTLE_SECONDS = 2.0  # how long a git process that holds a lock may take to finish
STALE_LOCK_SECONDS = 600.0  # without /proc: a git lock file this old is taken as left over
MESSAGE_CHANGES = 40  # changes listed in a commit message (the log recomputes them all)

Notify = Callable[[str], None]


class StoreError(RuntimeError):
    """The repository cannot do what was asked; the message says what to do. Nothing was lost."""


class ConflictError(StoreError):
    """The file changed on disk since it was read: saving would overwrite someone's edit."""


class SaveRefused(StoreError):
    """The new content has findings that refuse a save (``gate.blocking``); nothing was written."""

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the commit (None when nothing changed), the fields it changed, the
    findings of the saved content, the new version (blob id) and anything worth telling."""

    commit: str | None
    changes: list[FieldChange]
    findings: list[Finding]
    version: str
    notes: list[str] = field(default_factory=list)
    leftover: list[FieldChange] = field(default_factory=list)


def login_name() -> str:
    """The operating-system account that runs this process, from its uid.

    Never from ``LOGNAME``/``USER``/``USERNAME`` (``getpass.getuser`` reads those first):
    anyone can set an environment variable, nobody can change their uid. An uid without a
    passwd entry (a container) is recorded as ``uid<N>``.
    """
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name or f"uid{uid}"
    except (KeyError, OSError):
        return f"uid{uid}"


def _host() -> str:
    return _mailbox(socket.gethostname()) or "anjuan.local"


@dataclass(frozen=True)
class Person:
    """Who makes a change: the author recorded in git (``--as`` or git's identity), and the
    account that really ran it — the committer and the ``Anjuan-Login`` trailer, from the uid."""

    name: str
    email: str
    login: str

    @property
    def actor(self) -> git.Actor:
        return git.Actor(self.name, self.email)

    @property
    def committer_name(self) -> str:
        return self.login

    @property
    def committer_email(self) -> str:
        return f"{_mailbox(self.login) or 'anjuan'}@{_host()}"

    def git_env(self) -> dict[str, str]:
        """Author = the person named, committer = the account that ran the command."""
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.committer_name,
            "GIT_COMMITTER_EMAIL": self.committer_email,
        }


def person(repo: git.Repo | None, as_name: str | None = None) -> Person:
    """The author: ``--as`` if given, else git's order (``GIT_AUTHOR_NAME`` before
    ``user.name``), else the login name. The login always comes from the uid."""
    login = login_name()
    name = os.environ.get("GIT_AUTHOR_NAME") or None
    email = os.environ.get("GIT_AUTHOR_EMAIL") or None
    if repo is not None and (name is None or email is None):
        try:
            reader = repo.config_reader()
            # default="" (not None: GitPython treats None as "no default" and raises)
            name = name or str(reader.get_value("user", "name", default="")) or None
            email = email or str(reader.get_value("user", "email", default="")) or None
        except Exception:  # an unreadable config must not stop a save: fall back to the login
            pass
    if as_name:
        name = as_name
        email = f"{_mailbox(as_name) or _mailbox(login) or 'anjuan'}@anjuan.local"
    name = str(name) if name else login
    email = str(email) if email else f"{_mailbox(login) or 'anjuan'}@anjuan.local"
    return Person(name, email, login)


def _mailbox(name: str) -> str:
    """An ASCII mailbox for an address git will accept ("" when nothing of the name is ASCII)."""
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "." for c in name)
    return re.sub(r"\.+", ".", safe).strip(".")


_repos: dict[tuple[str, int], git.Repo] = {}
_repos_lock = threading.Lock()


def open_repo(cases_dir: Path) -> git.Repo:
    """The git repository that holds ``cases_dir``; StoreError with what to do if there is none.

    Kept per thread, so that its ``git cat-file`` helpers stay warm across saves.
    """
    root = git_root(cases_dir)
    if root is None:
        raise StoreError(
            f"案卷目录 {str(cases_dir)!r} 不在 git 仓库中，无法记录修改历史；"
            f"请先运行 anjuan init {cases_dir}"
        )
    key = (str(root), threading.get_ident())
    with _repos_lock:
        repo = _repos.get(key)
        if repo is not None:
            return repo
    try:
        repo = harden(git.Repo(root))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise StoreError(
            f"{root} 的 .git 已损坏或不是 git 仓库：{exc}；请修复或重新 anjuan init"
        ) from exc
    with _repos_lock:
        _repos[key] = repo
    return repo


def _read_bytes(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where this
    system or file system cannot (then the caller falls back to a plain rename).

    Written by hand: Python's ``os`` has no ``renameat2`` and no maintained library offers it.
    """
    global _renameat2
    if _renameat2 is None:
        try:
            func: Any = ctypes.CDLL(None, use_errno=True).renameat2
        except (AttributeError, OSError):
            func = False
        else:
            func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
            func.argtypes += [ctypes.c_uint]
            func.restype = ctypes.c_int
        _renameat2 = func
    if _renameat2 is False:
        return False
    rc = _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


_renameat2: Any = None


def _changed(path: Path) -> ConflictError:
    return ConflictError(
        f"{path} 在保存的同时被修改了（可能是手工编辑或别的程序）；本次修改未保存，"
        "文件保留那次修改的内容。请重新打开（或重新运行命令）后再改"
    )


def _replace_if_unchanged(tmp: str, path: Path, expected: bytes, data: bytes) -> None:
    """Rename ``tmp`` over ``path`` only if ``path`` still holds ``expected``; otherwise leave
    ``path`` with what someone else wrote and raise ConflictError (the check is re-done on the
    very file that was replaced, so an edit that lands during the rename is never lost)."""
    if not os.path.lexists(path):
        if expected:
            raise _changed(path)
        try:
            os.link(tmp, path)  # fails instead of replacing a file created meanwhile
        except FileExistsError:
            raise _changed(path) from None
        os.unlink(tmp)
        return
    if _read_bytes(path) != expected:
        raise _changed(path)
    if _exchange(Path(tmp), path):
        # ``tmp`` now names the file that was at ``path``: writers that opened it before the
        # swap wrote into it, writers after the swap write into ours.
        replaced = _read_bytes(Path(tmp))
        if replaced == expected:
            os.unlink(tmp)
            return
        _exchange(Path(tmp), path)  # put theirs back; ours is at ``tmp`` again
        ours = _read_bytes(Path(tmp)) or b""
        if ours != data and ours.startswith(data):  # appended to ours in between: keep it too
            with open(path, "ab") as fh:
                fh.write(ours[len(data) :])
        os.unlink(tmp)
        raise _changed(path)
    # No exchange here: keep the file we replace open and read it again after the rename.
    with open(path, "rb") as old:
        if old.read() != expected:
            raise _changed(path)
        os.replace(tmp, path)
        old.seek(0)
        replaced = old.read()
    if replaced != expected:
        now = _read_bytes(path) or b""
        extra = now[len(data) :] if now.startswith(data) else b""
        _atomic_replace(path, replaced + extra)
        raise _changed(path)


def _write_into(path: Path, data: bytes) -> None:
    """Write into a device or a pipe the way ``>`` does: open it, write (never rename over it)."""
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers (and crashes) see the old or the new file.

    Only a regular file (or a new name) is replaced; a device or a pipe (``-o /dev/null``,
    ``-o fifo``) is written into by opening it, never renamed over. ``expected``: the bytes
    ``path`` must still hold (b"" with no file: a new file); when someone changed it, it is
    left as they made it and ConflictError is raised.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if expected is not None or stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "不是普通文件", str(path))
        _write_into(path, data)
        return
    _atomic_replace(path, data, expected)


def _atomic_replace(path: Path, data: bytes, expected: bytes | None = None) -> None:
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
        if expected is None:
            os.replace(tmp, path)
        else:
            _replace_if_unchanged(tmp, path, expected, data)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- what git says, in words that say what to do -----------------------------------------


_DISK_FULL = ("No space left", "Out of diskspace", "File too large", "Disk quota", "quota exceeded")


_WRITE_FAILED = ("couldn't write", "unable to write", "write error", "could not write")


def _almost_full(root: Path | str) -> bool:
    try:
        return shutil.disk_usage(root).free < 1024 * 1024
    except OSError:
        return False


def explain_git_error(exc: Exception, root: Path | str) -> str:
    """A git failure as a message for a person (dubious ownership, locks, full disk, …)."""
    text = str(getattr(exc, "stderr", "") or exc)
    if "dubious ownership" in text:
        return (
            f"git 拒绝操作：仓库 {root} 属于另一个用户（dubious ownership）；"
            f"请运行 git config --global --add safe.directory {root}，或由仓库所有者操作"
        )
    # before the lock check: git names its index.lock in a full-disk error too ("sha1 file
    # '.git/index.lock' write error. Out of diskspace"), and that is no other git process
    # git does not always give the reason ("couldn't write '.git/refs/heads/main.lock'"):
    # a failed write on a disk with (almost) no space left is the full disk
    if any(s in text for s in _DISK_FULL) or (
        any(s in text for s in _WRITE_FAILED) and _almost_full(root)
    ):
        named = re.search(r"'(/[^']+)'", text)
        where = named.group(1) if named else f"{root}/.git"
        return (
            f"磁盘已满：git 无法写入 {where}（所在磁盘没有剩余空间或超出配额）；"
            "请清理磁盘空间后再保存"
        )
    if "index.lock" in text or ".lock': File exists" in text:
        return (
            "另一个 git 进程正在使用这个仓库（存在 .git/index.lock）；请等它结束再保存。"
            "如确认没有 git 在运行，删除该文件即可"
        )
    if "Permission denied" in text or "Read-only file system" in text:
        return f"没有写入仓库 {root} 的权限；请检查目录权限，或请有权限的人操作"
    first = next((ln for ln in text.splitlines() if ln.strip()), text).strip()
    return f"git 出错：{first}；文件未丢失，请查看 git status 后重试"


def explain_os_error(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"磁盘已满，无法写入 {path}；请清理磁盘空间后再保存（文件保持原样）"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有写入 {path.parent} 的权限；请检查目录权限，或请有权限的人保存（文件保持原样）"
    return f"无法写入 {path}：{exc.strerror}；文件保持原样"


# --- the lock around write-and-commit ------------------------------------------------------


def _common_dir(repo: git.Repo) -> Path:
    return Path(getattr(repo, "common_dir", None) or repo.git_dir)


@contextlib.contextmanager
def repo_lock(
    repo: git.Repo, on_wait: Notify | None = None, timeout: float | None = None
) -> Iterator[None]:
    """Hold ``.git/anjuan.lock`` (flock): saves of several processes queue, one at a time.

    Re-entrant within a thread (``commit_paths`` takes it too, so that ``anjuan new``, imports
    and sync commits queue with saves). Other threads of the same process queue like other
    processes: flock locks belong to each open of the file.
    """
    path = _common_dir(repo) / LOCK_NAME
    held: set[str] = _held.__dict__.setdefault("paths", set())
    if str(path) in held:
        yield
        return
    if timeout is None:
        try:
            timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT))
        except ValueError:
            timeout = LOCK_TIMEOUT
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise StoreError(
            f"无法建立锁文件 {path}（{exc.strerror}）；请检查仓库 .git 目录的写权限"
        ) from exc
    try:
        start = time.monotonic()
        said = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= timeout:
                    raise StoreError(
                        f"等待了 {waited:.0f} 秒，别人的保存仍未结束（{path} 被占用）；未保存。"
                        "请稍后重试；如持续如此，请检查是否有卡住的 anjuan 进程"
                    ) from None
                if not said and waited >= LOCK_WAIT_SAY_AFTER and on_wait is not None:
                    on_wait("别人正在保存这个仓库中的案卷，正在排队等待……")
                    said = True
                time.sleep(0.05)
        held.add(str(path))
        try:
            yield
        finally:
            held.discard(str(path))
    finally:
        os.close(fd)  # closing the descriptor releases the flock


_held = threading.local()


def _git_running_in(root: Path) -> bool | None:
    """Whether a git process may be working in ``root``: True, False, or None when this
    system cannot tell (no /proc). A process whose folder we may not see counts as yes."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm != "git" and not comm.startswith("git-"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except (OSError, IndexError):
            continue
        if state in ("Z", "X"):  # a killed git, not yet reaped: it holds nothing
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            argv = []
        if b"cat-file" in argv[1:3]:  # GitPython's readers (ours, other people's TUIs): no locks
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
        except FileNotFoundError:
            continue
        except OSError:
            return True  # another user's git: we cannot see where it runs
        if cwd == root or root in cwd.parents or cwd in root.parents:
            return True
    return False


def recover_stale_locks(repo: git.Repo) -> list[str]:
    """Remove git lock files left by a killed process; return what was done, for the person.

    Only while our own lock is held (so no anjuan save is running), and only when no git
    process is running in the repository (or, where that cannot be seen, when the lock file
    is older than ``STALE_LOCK_SECONDS``). A lock of a live plain-git command is left alone.
    """
    git_dir = Path(repo.git_dir)
    candidates = [git_dir / "index.lock", git_dir / "HEAD.lock"]
    try:
        ref = repo.head.reference.path if not repo.head.is_detached else None
    except (TypeError, ValueError):
        ref = None
    if ref:
        candidates.append(_common_dir(repo) / f"{ref}.lock")
    present = [p for p in candidates if p.exists()]
    if not present:
        return []
    root = Path(repo.working_tree_dir or git_dir).resolve()
    said: list[str] = []
    for lock in present:
        try:
            before = lock.stat()
        except FileNotFoundError:
            continue
        busy = _git_running_in(root)
        deadline = time.monotonic() + LOCK_SETTLE_SECONDS
        while busy and time.monotonic() < deadline:  # a git being killed takes a moment to go
            time.sleep(0.05)
            busy = _git_running_in(root) if lock.exists() else False
        if not lock.exists():
            continue
        age = time.time() - before.st_mtime
        if busy or (busy is None and age < STALE_LOCK_SECONDS):
            continue
        try:
            now = lock.stat()
            if (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns):
                lock.unlink()
        except FileNotFoundError:
            continue
        said.append(
            f"已清除中断的 git 操作留下的锁文件 {lock}"
            f"（{age:.0f} 秒前留下，现在没有 git 进程在使用该仓库）"
        )
    return said


def check_repo_state(repo: git.Repo) -> None:
    """Refuse to commit where a commit would be lost or mixed into someone's unfinished work."""
    git_dir = Path(repo.git_dir)
    root = repo.working_tree_dir
    busy = {
        "MERGE_HEAD": "正在进行合并（merge）",
        "rebase-merge": "正在进行变基（rebase）",
        "rebase-apply": "正在进行变基或 git am",
        "CHERRY_PICK_HEAD": "正在进行 cherry-pick",
        "REVERT_HEAD": "正在进行 revert",
        "BISECT_LOG": "正在进行 bisect",
    }
    for name, what in busy.items():
        if (git_dir / name).exists():
            raise StoreError(
                f"仓库 {root} {what}，现在保存会把修改混进未完成的操作；"
                "请先在该仓库中完成或放弃它（如 git merge --abort、git rebase --abort），再保存"
            )
    if repo.head.is_detached:
        raise StoreError(
            f"仓库 {root} 处于“分离头指针”（detached HEAD）状态，提交会游离于分支之外；"
            "请先切换到分支（如 git switch main）再保存"
        )


# --- reading the versions of a case ------------------------------------------------------

_parsed: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
_parsed_lock = threading.Lock()


def parse_cached(
    raw: bytes, file: str = CASE_FILE, version: str | None = None
) -> dict[str, Any] | None:
    """Parsed data of bytes, cached by blob id (the log and blame parse the same blobs often).

    Callers must not change the returned data.
    """
    key = (version or blob_id(raw)) + file
    with _parsed_lock:
        if key in _parsed:
            _parsed.move_to_end(key)
            return _parsed[key]
    data: dict[str, Any] | None
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError
        data = loads_sections(raw.decode("utf-8").removeprefix("\ufeff"))
    except (ValueError, tomllib.TOMLDecodeError, RecursionError):
        data = parse_toml_bytes(raw, file).data
    _remember(key, data)
    return data


def cached_data(version: str, file: str = CASE_FILE) -> tuple[bool, dict[str, Any] | None]:
    """(known, data) of a blob id already parsed, without reading the blob."""
    with _parsed_lock:
        if version + file in _parsed:
            return True, _parsed[version + file]
    return False, None


def read_case_cached(directory: Path, case_id: str | None = None) -> Case:
    """``read_case``, reusing the parse of bytes read before (the list reads ahead the case
    under its cursor, so that opening it does not wait for the parse). The file is always
    read: a parse is reused only for the very same bytes (same blob id).

    The data is shared with the cache: copy it before changing it."""
    try:
        raw, size = read_limited(directory / CASE_FILE)
    except OSError:
        return read_case(directory, case_id)  # says what is wrong, as a finding
    if size > MAX_FILE_BYTES:
        return read_case(directory, case_id)
    version = blob_id(raw)
    data = parse_cached(raw, CASE_FILE, version)
    if data is None:
        return read_case(directory, case_id)  # broken: the full parse names line and column
    return Case(case_id or directory.name, directory, data, version)


def _remember(key: str, data: dict[str, Any] | None) -> None:
    with _parsed_lock:
        _parsed[key] = data
        while len(_parsed) > 512:
            _parsed.popitem(last=False)


_found: OrderedDict[tuple[str, date, str], list[Finding]] = OrderedDict()


def findings_cached(
    data: dict[str, Any], directory: Path, today: date, version: str | None
) -> list[Finding]:
    """The findings of a version (cached by blob id and date: a save checks the version on
    disk too, which is usually the one the previous save wrote)."""
    key = (version or "", today, str(directory))
    if version is not None:
        with _parsed_lock:
            hit = _found.get(key)
        if hit is not None:
            return hit
    found = _findings(data, directory, today)
    if version is not None:
        with _parsed_lock:
            _found[key] = found
            while len(_found) > 256:
                _found.popitem(last=False)
    return found


def _rel(repo: git.Repo, path: Path) -> str:
    root = Path(repo.working_tree_dir or ".").resolve()
    return path.resolve().relative_to(root).as_posix()


def object_id(repo: git.Repo, spec: str) -> str | None:
    """The object id of ``REV:path`` (None if there is none), via the persistent
    ``git cat-file --batch-check`` of GitPython: no new process, and no reading of the root
    tree in Python (a repository of 1,000 cases has a root tree of 1,000 entries)."""
    try:
        sha, _kind, _size = repo.git.get_object_header(spec)
    except ValueError:
        return None
    except OSError as exc:  # the reader died: git refuses this repository; ask git why
        _forget(repo)
        raise StoreError(diagnose(repo)) from exc
    return sha.decode() if isinstance(sha, bytes) else str(sha)


def diagnose(repo: git.Repo) -> str:
    """Why git fails in this repository, in words that say what to do."""
    root = repo.working_tree_dir or repo.git_dir
    try:
        repo.git.rev_parse("--git-dir")
    except git.GitCommandError as exc:
        return explain_git_error(exc, str(root))
    return f"git 无法读取仓库 {root}；请在该目录运行 git status 查看原因"


def _forget(repo: git.Repo) -> None:
    """Drop a repository whose git helpers failed, so that the next call starts afresh."""
    with _repos_lock:
        for key in [k for k, v in _repos.items() if v is repo]:
            del _repos[key]
    with contextlib.suppress(Exception):
        repo.close()


def head_blobs(repo: git.Repo, rel_dir: str) -> dict[str, str]:
    """{path relative to the case folder: blob id} of the case's files in HEAD, without the
    attachments ({} if none)."""
    out: dict[str, str] = {}
    case = object_id(repo, f"HEAD:{rel_dir}/{CASE_FILE}")
    if case is None:
        return out
    out[CASE_FILE] = case
    reviews = object_id(repo, f"HEAD:{rel_dir}/reviews")
    if reviews is not None:
        tree = git.Tree(repo, bytes.fromhex(reviews), path=f"{rel_dir}/reviews")
        for item in tree.blobs:
            out[f"reviews/{item.name}"] = item.hexsha
    return out


def blob_bytes(repo: git.Repo, sha: str) -> bytes:
    """A blob's bytes through GitPython's persistent ``git cat-file --batch``."""
    return bytes(repo.odb.stream(bytes.fromhex(sha)).read())


# --- saving -------------------------------------------------------------------------------


def _load_form(data: dict[str, Any]) -> Any:
    from .schema import FormError, load_form

    name = data.get("form")
    if not isinstance(name, str):
        return None
    try:
        return load_form(name)
    except FormError:
        return None


def _findings(data: dict[str, Any], directory: Path, today: date) -> list[Finding]:
    from .schema import available_forms
    from .validate import check_data

    form = _load_form(data)
    if form is None:
        known = "、".join(available_forms()) or "（无）"
        return [
            Finding(
                "FORM.UNKNOWN",
                "error",
                "form",
                f"form = {data.get('form')!r}：没有这个申报书的 schema；应为 {known} 之一",
            )
        ]
    return check_data(data, form, today, directory)


def _status(data: dict[str, Any] | None) -> str:
    case = (data or {}).get("case")
    status = case.get("status") if isinstance(case, dict) else None
    return status if isinstance(status, str) else ""


def commit_message(
    case_id: str,
    changes: list[FieldChange],
    who: Person,
    reason: str | None = None,
    leftover: list[FieldChange] | None = None,
    other_files: Iterable[str] = (),
    subject: str | None = None,
) -> str:
    """``XH-2022-001: targets.info_pushes 1200 → 1500``, each field old → new, trailers."""
    listed = changes or leftover or []
    given = subject is not None
    if subject is None:
        if len(changes) == 1:
            subject = f"{case_id}: {changes[0].describe(40)}"
        elif changes:
            names = ", ".join(c.path for c in changes[:3])
            subject = f"{case_id}: {names}" + (f" 等 {len(changes)} 处" if len(changes) > 3 else "")
        else:
            subject = f"{case_id}: 提交未提交的修改"
    lines = [subject]
    if len(listed) > 1 or (leftover and changes) or (given and changes):
        lines.append("")
        lines += [f"- {c.describe()}" for c in changes[:MESSAGE_CHANGES]]
        if len(changes) > MESSAGE_CHANGES:
            lines.append(f"- …另有 {len(changes) - MESSAGE_CHANGES} 处（anjuan log 可见全部）")
    if leftover:
        lines += ["", "另含文件中此前未提交的修改（如中断的保存或手工编辑）："]
        lines += [f"- {c.describe()}" for c in leftover[:MESSAGE_CHANGES]]
    others = list(other_files)
    if others:
        lines += ["", "一并提交本案卷的其他文件：" + "、".join(others)]
    lines.append("")
    if reason:
        lines.append(f"{REASON_TRAILER}: {' '.join(reason.split())}")
    lines.append(f"{LOGIN_TRAILER}: {who.login}")
    return "\n".join(lines) + "\n"


def _case_dir(cases_dir: Path, case_id: str) -> Path:
    try:
        check_case_id(case_id)
    except CaseIdError as exc:
        raise StoreError(str(exc)) from exc
    problem = folder_problem(cases_dir / case_id, case_id)
    if problem:
        raise StoreError(problem)
    return cases_dir / case_id


def refuse_links(case_dir: Path, case_id: str) -> None:
    """StoreError naming every link or special file among what a save reads and commits."""
    problems = case_problems(case_dir, case_id)
    if problems:
        more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        raise StoreError(f"{problems[0]}{more}；未做任何修改")


def _read(path: Path, case_id: str) -> bytes:
    try:
        return read_regular(path)[0]
    except NotPlainFile as exc:
        raise StoreError(f"{case_id}/{exc.strerror}；未做任何修改") from exc
    except FileNotFoundError as exc:
        if path.parent.is_dir():  # a folder of reviews or attachments: the same words as read_case
            raise StoreError(
                f"{case_id}：案卷目录中没有 case.toml；请用 anjuan new 建立案卷，或删除此目录"
            ) from exc
        raise StoreError(
            f"没有案卷 {case_id}（{path} 不存在）；用 anjuan new {case_id} 新建"
        ) from exc
    except OSError as exc:
        raise StoreError(f"无法读取 {path}：{exc.strerror}") from exc


def _clean_temp_files(folder: Path, name: str) -> None:
    """Temporary files of a write that was killed (only ours: ``.case.toml.*.tmp``)."""
    with contextlib.suppress(OSError):
        for tmp in folder.glob(f".{name}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


Check = Callable[[dict[str, Any], dict[str, Any], str], tuple[list[Finding], list[Finding]]]
"""(new data, old data, old version) → (findings of the new data, those that refuse the save)."""


Change = Callable[[dict[str, Any]], dict[str, Any]]
"""The data read under the lock → the new data (must not change its argument)."""

UPDATE_TRIES = 3  # an update refused because the file changed while it was written is re-done


def update_case(
    cases_dir: Path,
    case_id: str,
    change: Change,
    *,
    as_name: str | None = None,
    reason: str | None = None,
    today: date | None = None,
    on_wait: Notify | None = None,
    subject: str | None = None,
) -> SaveResult:
    """Read the case under the lock, apply ``change`` and save: a command that reads the file
    itself (``anjuan set``) queues behind other people's saves instead of being refused as
    "changed since you opened it". A hand edit that lands while it writes is kept in the
    file and the change is applied again on top of it (committed along, as leftover)."""
    for attempt in range(UPDATE_TRIES):
        try:
            return save_case(
                cases_dir,
                case_id,
                change,
                as_name=as_name,
                reason=reason,
                today=today,
                on_wait=on_wait,
                subject=subject,
            )
        except ConflictError:
            if attempt == UPDATE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def save_case(
    cases_dir: Path,
    case_id: str,
    data: dict[str, Any] | Change,
    *,
    as_name: str | None = None,
    reason: str | None = None,
    expected_version: str | None = None,
    today: date | None = None,
    on_wait: Notify | None = None,
    subject: str | None = None,
    restoring: bytes | None = None,
) -> SaveResult:
    """Save the complete new content of a case and commit it (see the module docstring).

    Raises ConflictError when the file's version is not ``expected_version``, SaveRefused when
    the gate refuses the new content, StoreError for anything else; in every case nothing is
    written. ``on_wait`` is told (once) when the save waits for someone else's; ``subject``
    replaces the first line of the commit message (e.g. for a restore); ``restoring``: see
    ``_save_locked``. ``data`` may be a function of the data read under the lock.

    ``today`` is the date of the findings reported; the gate always judges by the real date,
    so that ``--today`` cannot let a submitted case take a new error (an error that only a
    chosen date hides, or that a chosen date makes look old).
    """
    day = today or date.today()
    case_dir = _case_dir(cases_dir, case_id)

    def check(
        new: dict[str, Any], old: dict[str, Any], version: str
    ) -> tuple[list[Finding], list[Finding]]:
        findings = _findings(new, case_dir, day)
        real = date.today()
        judged = findings if day == real else _findings(new, case_dir, real)
        before = None
        if _status(new) not in DRAFT_STATES and _status(old) not in DRAFT_STATES:
            before = findings_cached(old, case_dir, real, version)
        return findings, blocking(judged, _status(new), before, _status(old))

    repo = open_repo(cases_dir)
    with repo_lock(repo, on_wait):
        result = _save_locked(
            repo,
            case_id,
            case_dir,
            CASE_FILE,
            data,
            as_name,
            reason,
            expected_version,
            check,
            subject,
            restoring,
        )
    if result.commit is not None:
        with _parsed_lock:
            _found[(result.version, day, str(case_dir))] = result.findings
    return result


def save_review(
    cases_dir: Path,
    case_id: str,
    reviewer_file: str,
    data: dict[str, Any],
    *,
    as_name: str | None = None,
    reason: str | None = None,
    expected_version: str | None = None,
    on_wait: Notify | None = None,
    subject: str | None = None,
) -> SaveResult:
    """Save one reviewer's file (``reviews/<reviewer_file>.toml``, created if new) the same way
    as a case: only changed values rewritten, one commit. A new REVIEW.* error refuses it.
    Change paths read ``reviews/li.wei.toml:decision``, as in the log."""
    from .review import Review, check_review

    name = reviewer_file.removesuffix(".toml")
    # A reviewer may be named in Chinese (``--as 李伟``): letters of any script, digits,
    # ``._-``; never a path (no ``/``, no ``..``, no leading dot).
    if not re.fullmatch(r"\w[\w.\-]{0,63}", name) or ".." in name:
        raise StoreError(f"评审文件名 {reviewer_file!r} 无效；请用评审人的登录名，如 li.wei")
    case_dir = _case_dir(cases_dir, case_id)
    rel = f"reviews/{name}.toml"
    from .people import NotYourReview, my_reviewer_name
    from .review import reviewer_file_name

    mine = my_reviewer_name(cases_dir, as_name)
    if reviewer_file_name(mine) != f"{name}.toml":
        raise NotYourReview(
            f"不能写 {case_id}/{rel}：它是 {name} 的评审文件，而你（账号 {login_name()}）的评审人名是"
            f" {mine}，只能写 reviews/{reviewer_file_name(mine)}；文件未改动"
        )

    def check(
        new: dict[str, Any], old: dict[str, Any], _version: str
    ) -> tuple[list[Finding], list[Finding]]:
        case = read_case(case_dir, case_id)
        form = _load_form(case.data) if case.data is not None else None

        def found(content: dict[str, Any]) -> list[Finding]:
            return check_review(Review(name, rel, content, None), form, case.data)

        findings = found(new)
        known = {(f.rule, f.message) for f in found(old)} if old else set()
        refused = [f for f in findings if f.counts_as_error and (f.rule, f.message) not in known]
        return findings, refused

    repo = open_repo(cases_dir)
    with repo_lock(repo, on_wait):
        return _save_locked(
            repo, case_id, case_dir, rel, data, as_name, reason, expected_version, check, subject
        )


def _prefixed(file: str, changes: list[FieldChange]) -> list[FieldChange]:
    if file == CASE_FILE:
        return changes
    return [FieldChange(f"{file}:{c.path}", c.old, c.new) for c in changes]


def _save_locked(
    repo: git.Repo,
    case_id: str,
    case_dir: Path,
    file: str,
    new_data: dict[str, Any] | Change,
    as_name: str | None,
    reason: str | None,
    expected_version: str | None,
    check: Check,
    subject: str | None,
    restoring: bytes | None = None,
) -> SaveResult:
    """``restoring``: the bytes of the version being restored. Then what is uncommitted in
    the case is first committed on its own (a restore never reverts an edit that is in no
    commit), and a current file that does not parse is replaced whole by those bytes."""
    root = Path(repo.working_tree_dir or ".")
    path = case_dir / file
    try:
        check_repo_state(repo)
        notes = recover_stale_locks(repo)
        from .pending import recover_new  # a case a killed ``new`` left half-made

        notes += recover_new(repo)
    except git.GitCommandError as exc:
        raise StoreError(explain_git_error(exc, root)) from exc
    refuse_links(case_dir, case_id)
    if file != CASE_FILE and not path.exists():
        if not (case_dir / CASE_FILE).is_file():
            raise StoreError(f"没有案卷 {case_id}；用 anjuan new {case_id} 新建")
        raw = b""  # a new reviewer's file
    else:
        raw = _read(path, case_id)
    version = blob_id(raw)
    if expected_version is not None and expected_version != version:
        raise ConflictError(
            f"{case_id} 的文件 {file} 在你打开之后被修改过（可能是别人保存或手工编辑）；未保存。"
            "请重新打开，查看最新内容后再改"
        )
    parsed = parse_cached(raw, file, version=version)
    if parsed is None and restoring is None:
        raise StoreError(
            f"{path} 现在无法解析为 TOML，不能在其上合并修改；请先手工修复该文件（anjuan validate {case_id} 指出位置），"
            f"或用 anjuan restore {case_id} HEAD 恢复到最后提交的版本"
        )
    old: dict[str, Any] = parsed if parsed is not None else {}
    data = new_data(old) if callable(new_data) else new_data
    changes = diff_data(old, data) if parsed is not None else []
    findings, refused = check(data, old, version)
    if (changes or parsed is None) and refused:
        first = refused[0]
        raise SaveRefused(
            f"{case_id} 未保存：{first.path or ''} {first.message}"
            + (f"（共 {len(refused)} 个阻止保存的问题）" if len(refused) > 1 else ""),
            refused,
        )
    rel_dir = _rel(repo, case_dir)
    try:
        in_head = head_blobs(repo, rel_dir)
    except (git.GitCommandError, ValueError) as exc:
        raise StoreError(explain_git_error(exc, root)) from exc
    if CASE_FILE not in in_head:  # not committed yet, or git cannot read the repository: ask
        try:
            repo.git.rev_parse("--git-dir")
        except git.GitCommandError as exc:
            _forget(repo)
            raise StoreError(explain_git_error(exc, root)) from exc
    leftover: list[FieldChange] = []
    in_head_file = in_head.get(file)
    if in_head_file is not None and in_head_file != version:
        head_data = parse_cached(blob_bytes(repo, in_head_file), file, version=in_head_file)
        if parsed is None:
            leftover.append(FieldChange(file, None, "（无法解析的 TOML，按原样提交）"))
        elif head_data is not None:
            leftover += _prefixed(file, diff_data(head_data, old))
    others = _other_changed_files(case_dir, in_head, file)
    for other in others:
        leftover += _leftover_of(repo, case_dir, other, in_head.get(other))
    if restoring is not None and (leftover or others):
        # Keep what is in no commit as a commit of its own, so that the restore reverts
        # nothing that history could not give back (and its message claims nothing).
        files = [f for f in [file, *others] if f in in_head or (case_dir / f).exists()]
        kept = commit_message(
            case_id, [], person(repo, as_name), None, leftover, others,
            subject=f"{case_id}: 提交恢复前未提交的修改",
        )  # fmt: skip
        try:
            sha = commit_paths(
                repo,
                [case_dir / f for f in files],
                kept,
                person(repo, as_name),
                raw=True,
                new_files=[case_dir / f for f in files if f not in in_head],
            )
        except (git.GitCommandError, OSError) as exc:
            raise StoreError(f"{case_id} 未恢复：{explain_git_error(exc, root)}") from exc
        notes.append(
            f"恢复前先把文件中未提交的修改单独提交（{sha[:10]}），需要时可用 "
            f"anjuan restore {case_id} {sha[:10]} 取回"
        )
        leftover, others = [], []
        in_head = head_blobs(repo, rel_dir)
        in_head_file = in_head.get(file)
    if not changes and in_head_file == version and not others and parsed is not None:
        return SaveResult(None, [], findings, version, notes)
    new_raw = raw
    back: dict[str, Any] | None = None
    if parsed is None and restoring is not None:
        new_raw = restoring  # nothing to merge into: the restored version, whole
        notes.append(f"{path} 无法解析，已整个替换为所恢复版本的文件")
        changes = diff_data({}, data)
    elif changes:
        try:
            text, back = render_checked(raw.decode("utf-8"), old, data, changes)
        except MergeError as exc:
            raise StoreError(f"{case_id} 未保存：{exc}") from exc
        new_raw = text.encode("utf-8")
    if len(new_raw) > MAX_FILE_BYTES:  # the reader's limit: a file it would refuse to open
        raise StoreError(
            f"{case_id} 未保存：保存后 {path} 将有 {len(new_raw) / 1048576:.1f} MB，"
            f"超过案卷文件的上限 {MAX_FILE_BYTES // 1048576} MB（超过后 anjuan 无法再打开它）；"
            "文件未改动。请精简内容（如长篇说明放入 attachments/ 中的文件，或分批、分案卷导入）"
        )
    who = person(repo, as_name)
    shown = _prefixed(file, changes)
    body = commit_message(case_id, shown, who, reason, leftover, others, subject)
    _clean_temp_files(path.parent, path.name)
    try:
        if new_raw != raw:
            path.parent.mkdir(exist_ok=True)  # reviews/ of a case's first review
            # Re-checked on the very file replaced: a hand edit made while we merged (or
            # during the rename) stays in the file, and this save is refused.
            atomic_write(path, new_raw, expected=raw)
    except OSError as exc:
        raise StoreError(explain_os_error(exc, path)) from exc
    try:
        files = [file, *others]
        sha = commit_paths(
            repo,
            [case_dir / f for f in files],
            body,
            who,
            raw=True,
            new_files=[case_dir / f for f in files if f not in in_head and (case_dir / f).exists()],
        )
    except (git.GitCommandError, OSError) as exc:
        said = explain_git_error(exc, root)
        if new_raw != raw:
            try:
                if raw or file == CASE_FILE:
                    atomic_write(path, raw, expected=new_raw)
                else:
                    path.unlink()
                said += "；修改未保存，文件保持原样"
            except ConflictError:
                said += "；文件随后又被别人修改，保留了那次修改（未提交）"
            except OSError:
                said += "；新内容已写入文件但未提交，下次保存时会一并提交"
        raise StoreError(f"{case_id} 未能提交：{said}") from exc
    new_version = blob_id(new_raw)
    if back is not None:
        _remember(new_version + file, back)
    return SaveResult(sha, shown, findings, new_version, notes, leftover)


def _leftover_of(repo: git.Repo, case_dir: Path, file: str, head: str | None) -> list[FieldChange]:
    """The fields of another file of the case that differ from HEAD (committed along)."""
    before = parse_cached(blob_bytes(repo, head), file, version=head) if head else {}
    path = case_dir / file
    after = parse_cached(path.read_bytes(), file) if path.exists() else {}
    if before is None or after is None:
        return [FieldChange(file, None, "（无法解析的 TOML，按原样提交）")]
    return _prefixed(file, diff_data(before, after))


def _other_changed_files(case_dir: Path, in_head: dict[str, str], saving: str) -> list[str]:
    """The case's other TOML files that differ from HEAD (added, changed or deleted)."""
    found: list[str] = []
    on_disk: set[str] = set()
    candidates = [case_dir / CASE_FILE]
    reviews = case_dir / "reviews"
    if reviews.is_dir():
        candidates += sorted(reviews.glob("*.toml"))
    for file in candidates:
        rel = file.relative_to(case_dir).as_posix()
        if rel == saving or not file.is_file():
            continue
        on_disk.add(rel)
        try:
            if in_head.get(rel) != blob_id(file.read_bytes()):
                found.append(rel)
        except OSError:
            continue
    for rel in in_head:
        if rel.startswith("reviews/") and rel != saving and not (case_dir / rel).exists():
            found.append(rel)
    return found


def commit_paths(
    repo: git.Repo,
    paths: Iterable[Path],
    message: str,
    who: Person,
    reason: str | None = None,
    *,
    raw: bool = False,
    new_files: Iterable[Path] | None = None,
) -> str:
    """Commit exactly these files (added, changed or deleted) as one commit by ``who``.

    ``raw``: ``message`` already carries the trailers; ``new_files``: those of ``paths`` that
    git does not know yet (asked from git when not given). Returns the new commit's sha.
    """
    root = Path(repo.working_tree_dir or ".").resolve()
    rels = [os.path.relpath(os.path.abspath(p), root) for p in paths]
    body = message
    if not raw:
        body = message.rstrip("\n") + "\n\n"
        if reason:
            body += f"{REASON_TRAILER}: {' '.join(reason.split())}\n"
        body += f"{LOGIN_TRAILER}: {who.login}\n"
    env = who.git_env()
    # New files must be known to git before ``commit -- paths``; tracked files need no
    # ``git add`` (one process fewer on the save path: ``commit -- paths`` stages them itself).
    if new_files is None:
        tracked = set(repo.git.ls_files("--", *rels).splitlines()) if rels else set()
        new = [r for r in rels if r not in tracked and (root / r).exists()]
    else:
        new = [os.path.relpath(os.path.abspath(p), root) for p in new_files]
    with repo_lock(repo):
        if new:
            repo.git.add("--", *new)
        # ``git commit -- paths`` commits only these files, whatever else is staged. The
        # pre-commit hook is skipped: the save has just validated the case with the same gate.
        repo.git.commit("--no-verify", "-q", "--cleanup=verbatim", "-m", body, "--", *rels, env=env)
        return repo.head.commit.hexsha
