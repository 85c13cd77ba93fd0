"""Git run by anjuan runs nothing that a repository configures.

A cases repository travels (clones, copies of a shared folder, a colleague's ``.git/config``
on a shared server); what it configures must never run as code when anjuan calls git. Every
git anjuan starts gets the overrides of ``safe_env`` through ``GIT_CONFIG_COUNT`` (the
environment form of ``git -c``, which outranks every config file):

- ``core.fsmonitor`` off (``git status``/``add``/``commit`` would run its command);
- hooks off (``core.hooksPath`` to an empty place): anjuan validates before it commits, and a
  ``post-commit``/``post-merge`` hook is a command of the repository;
- commit signing off (``gpg.program`` is a command);
- every clean/smudge/process filter and diff textconv the config names made empty (a filter
  named by a committed ``.gitattributes`` then changes nothing), a required filter made optional;
- every merge driver other than anjuan's replaced by ``false`` (the file becomes a whole-file
  conflict that the person settles with ``anjuan sync --choose``);
- the ``ext::`` transport refused.

The driver names are read with ``git config --get-regexp`` (which runs nothing) and kept per
config state, so a repository opened once costs one small git call.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import git

NO_HOOKS = os.devnull  # git looks for <hooksPath>/<name>: under /dev/null there is nothing
OUR_DRIVER = "anjuan"

BASE_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", NO_HOOKS),
    ("commit.gpgSign", "false"),
    ("tag.gpgSign", "false"),
    ("protocol.ext.allow", "never"),
    ("core.pager", "cat"),
)

_DRIVER_KEYS = r"^(filter|diff|merge)\..+\.(clean|smudge|process|required|textconv|driver)$"

_cache: dict[tuple[str, tuple[float, ...]], dict[str, str]] = {}
_cache_lock = threading.Lock()


def _config_files(git_dir: Path | None) -> tuple[float, ...]:
    """Modification times of the config files that may name drivers (a cache key)."""
    paths = [Path.home() / ".gitconfig", Path("/etc/gitconfig")]
    if git_dir is not None:
        paths.insert(0, git_dir / "config")
    out = []
    for p in paths:
        try:
            out.append(p.stat().st_mtime)
        except OSError:
            out.append(0.0)
    return tuple(out)


def _git_dir(cwd: Path) -> Path | None:
    here = cwd.resolve()
    for folder in (here, *here.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree: "gitdir: <path>"
            try:
                text = dot.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                return (folder / text[len("gitdir:") :].strip()).resolve()
            return None
    return None


def overrides(cwd: Path) -> list[tuple[str, str]]:
    """The ``(key, value)`` overrides for git run in ``cwd`` (see the module docstring)."""
    found: list[tuple[str, str]] = list(BASE_OVERRIDES)
    try:
        done = subprocess.run(
            ["git", "config", "--null", "--get-regexp", _DRIVER_KEYS],
            cwd=cwd,
            capture_output=True,
            check=False,
            env={**os.environ, **_count_env(list(BASE_OVERRIDES))},
        )
        listed = done.stdout.decode("utf-8", "surrogateescape")
    except OSError:
        listed = ""
    for record in listed.split("\0"):
        key = record.split("\n", 1)[0]
        section, _dot, rest = key.partition(".")
        name, _dot, var = rest.rpartition(".")
        if not name:
            continue
        if section == "filter":
            found += [(f"filter.{name}.{v}", "") for v in ("clean", "smudge", "process")]
            found.append((f"filter.{name}.required", "false"))
        elif section == "diff" and var == "textconv":
            found.append((f"diff.{name}.textconv", ""))
        elif section == "merge" and var == "driver" and name != OUR_DRIVER:
            found.append((f"merge.{name}.driver", "false"))
    return list(dict.fromkeys(found))


def _count_env(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """``GIT_CONFIG_COUNT``/``KEY_n``/``VALUE_n``, after any the caller's environment has."""
    try:
        start = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        start = 0
    env = {"GIT_CONFIG_COUNT": str(start + len(pairs))}
    for n, (key, value) in enumerate(pairs, start):
        env[f"GIT_CONFIG_KEY_{n}"] = key
        env[f"GIT_CONFIG_VALUE_{n}"] = value
    return env


def safe_env(cwd: Path) -> dict[str, str]:
    """Environment variables to add to any git anjuan runs in ``cwd``."""
    key = (str(cwd.resolve()), _config_files(_git_dir(cwd)))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return dict(hit)
    env = _count_env(overrides(cwd))
    with _cache_lock:
        _cache[key] = env
    return dict(env)


def harden(repo: git.Repo) -> git.Repo:
    """Give every git this GitPython repository starts the overrides (its persistent
    ``cat-file`` helpers included); returns the repository."""
    root = Path(repo.working_tree_dir or repo.git_dir)
    repo.git.update_environment(**safe_env(root))
    return repo
