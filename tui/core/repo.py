"""The cases directory: where it is, which cases it holds, and safe case IDs."""

from __future__ import annotations

import os
import re
from pathlib import Path

CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CASES_ENV = "ANJUAN_CASES"


class CaseIdError(ValueError):
    """A case ID that may not be used as a folder name."""


class CasesDirError(LookupError):
    """A cases directory that does not exist or cannot be used."""


def check_case_id(case_id: str) -> str:
    """Return the ID if it is safe as a folder name, else raise CaseIdError saying why."""
    if not CASE_ID.match(case_id) or ".." in case_id:
        if not case_id:
            why = "为空"
        elif case_id.startswith("."):
            why = "以点开头"
        elif len(case_id) > 64 and CASE_ID.match(case_id[:64]) and ".." not in case_id:
            why = f"有 {len(case_id)} 个字符，超过 64 个"
        else:
            why = "含有 .. / 空格或其他不允许的字符"
        raise CaseIdError(
            f"案卷编号 {case_id!r} 无效（{why}）；编号只能用字母、数字、点、下划线和连字符，"
            "以字母或数字开头，最长 64 个字符，如 XH-2022-001"
        )
    return case_id


def default_cases_dir() -> Path:
    return Path(os.environ.get(CASES_ENV) or "cases")


def resolve_cases_dir(given: str | os.PathLike[str] | None) -> Path:
    if given is not None and not str(given).strip():
        raise CasesDirError(
            f"--cases 为空；请给出案卷目录，或不写 --cases 而用 {CASES_ENV} 或 ./cases"
        )
    path = Path(given) if given is not None else default_cases_dir()
    if not path.exists():
        raise CasesDirError(
            f"案卷目录 {str(path)!r} 不存在；请用 --cases DIR 指定，或设置 {CASES_ENV}，或用 anjuan init DIR 新建"
        )
    if not path.is_dir():
        raise CasesDirError(f"{str(path)!r} 不是目录；--cases 应指向案卷目录")
    return path


def list_case_ids(cases_dir: Path) -> tuple[list[str], list[str]]:
    """(case IDs in name order, names of folders skipped because they are not valid IDs).

    A case folder that is a symbolic link is listed (and read as a broken case that names
    the link), so that it is neither followed nor silently hidden."""
    ids: list[str] = []
    skipped: list[str] = []
    try:
        entries = sorted(os.scandir(cases_dir), key=lambda e: e.name)
    except OSError as exc:
        raise CasesDirError(f"无法读取案卷目录 {str(cases_dir)!r}：{exc.strerror}") from exc
    for entry in entries:
        if entry.name.startswith(".") or not (
            entry.is_dir(follow_symlinks=False) or entry.is_symlink()
        ):
            continue
        if not (
            os.path.exists(os.path.join(entry.path, "case.toml"))
            or os.path.isdir(os.path.join(entry.path, "reviews"))
        ):
            continue
        if CASE_ID.match(entry.name) and ".." not in entry.name:
            ids.append(entry.name)
        else:
            skipped.append(entry.name)
    return ids, skipped


def case_dir(cases_dir: Path, case_id: str) -> Path:
    return cases_dir / check_case_id(case_id)


def git_root(path: Path) -> Path | None:
    """The work tree that holds ``path``, found by looking for ``.git`` upwards (no git call)."""
    here = path.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None
