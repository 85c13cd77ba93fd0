"""Who may write which reviewer file: ``people.toml`` maps operating-system accounts to
reviewer names, and a reviewer file ``reviews/<name>.toml`` is written only by its person.

The file lives at the top of the cases directory and only its committed version counts (an
uncommitted edit maps nobody): a change to it is a commit like any other, seen in the log
with the account that made it, so the office reviews it as it reviews cases::

    # 操作系统账号 = 评审人姓名（reviews/<姓名>.toml）
    [accounts]
    root = "wang.fang"
    lw = "李伟"

Without a committed ``people.toml`` every account is its own reviewer name. An account not
listed in it is too, unless that name belongs to a listed account.
"""

from __future__ import annotations

from pathlib import Path

import git

from .case import parse_toml_bytes
from .store import StoreError, login_name, open_repo

PEOPLE_FILE = "people.toml"


class NotYourReview(StoreError):
    """A reviewer file would be written under someone else's name; nothing was written."""


def accounts(cases_dir: Path) -> dict[str, str] | None:
    """The committed ``[accounts]`` of ``people.toml`` (None when none is committed).

    StoreError naming the file and field when it is malformed: a broken mapping must not
    silently let everyone write under any name."""
    repo = open_repo(cases_dir)
    root = Path(repo.working_tree_dir or ".").resolve()
    rel = (Path(cases_dir).resolve() / PEOPLE_FILE).relative_to(root).as_posix()
    try:
        raw = repo.git.show(f"HEAD:{rel}", stdout_as_string=False, strip_newline_in_stdout=False)
    except git.GitCommandError:
        return None
    parsed = parse_toml_bytes(raw, PEOPLE_FILE)
    fix = f'；请修正 {PEOPLE_FILE} 并提交（格式：[accounts] 下每行 账号 = "评审人姓名"）'
    if parsed.data is None:
        said = parsed.error.message if parsed.error else "无法解析"
        raise StoreError(f"{PEOPLE_FILE}（已提交的版本）无法读取：{said}{fix}")
    table = parsed.data.get("accounts", {})
    if not isinstance(table, dict):
        raise StoreError(f"{PEOPLE_FILE} 的 accounts 应是表 [accounts]{fix}")
    mapping: dict[str, str] = {}
    owner: dict[str, str] = {}
    for account, name in table.items():
        if not isinstance(name, str) or not name.strip():
            raise StoreError(f"{PEOPLE_FILE} 的 accounts.{account} 应是非空的评审人姓名{fix}")
        name = name.strip()
        if name in owner:
            raise StoreError(
                f"{PEOPLE_FILE} 中账号 {owner[name]} 与 {account} 都对应评审人 {name}；"
                f"一个评审人只能对应一个账号{fix}"
            )
        owner[name] = account
        mapping[str(account)] = name
    return mapping


def my_reviewer_name(cases_dir: Path, as_name: str | None = None) -> str:
    """The reviewer name this process's account may write under; NotYourReview when
    ``as_name`` claims another (the message says who the account is and how to fix it)."""
    login = login_name()
    mapping = accounts(cases_dir)
    if mapping is None:
        mine, why = login, f"没有已提交的 {PEOPLE_FILE}，评审人即账号名 {login}"
    elif login in mapping:
        mine, why = mapping[login], f'{PEOPLE_FILE} 登记账号 {login} = "{mapping[login]}"'
    else:
        taken = next((a for a, n in mapping.items() if n == login), None)
        if taken is not None:
            raise NotYourReview(
                f"账号 {login} 未在 {PEOPLE_FILE} 中登记，而评审人 {login} 属于账号 {taken}；"
                f"不能写评审。请办公室在 {PEOPLE_FILE} 的 [accounts] 中登记 {login} 并提交"
            )
        mine, why = login, f"账号 {login} 未在 {PEOPLE_FILE} 中登记，评审人即账号名"
    if as_name and as_name != mine:
        raise NotYourReview(
            f"不能以 {as_name} 的名义写评审：本进程的操作系统账号是 {login}（{why}）。"
            f"评审文件只能由本人写：请去掉 --as 或用 --as {mine}；"
            f"若 {login} 确是 {as_name}，请办公室在 {PEOPLE_FILE} 的 [accounts] 中写 "
            f'{login} = "{as_name}" 并提交'
        )
    return mine
