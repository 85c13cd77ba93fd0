"""Making a cases repository (``init``), new cases (``new``) and the pre-commit check."""

from __future__ import annotations

import configparser
import errno
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import git
import tomlkit

from .case import parse_toml_bytes, parse_toml_text, read_case
from .editor_schema import EDITOR_SCHEMA_DIR, editor_schema_bytes, editor_schema_path
from .gate import blocking
from .gitsafe import harden
from .pending import aside_dir, drop_journal, recover_new, write_journal
from .pending import aside_path as _aside_of
from .repo import CaseIdError, check_case_id, git_root
from .safefs import case_problems, read_regular
from .schema import Form, FormError, available_forms, load_form
from .store import (
    Person,
    StoreError,
    atomic_write,
    check_repo_state,
    commit_paths,
    explain_git_error,
    explain_os_error,
    open_repo,
    person,
    recover_stale_locks,
    repo_lock,
)
from .template import template_text
from .validate import CaseReport, validate_case

HOOK_MARK = "# installed by anjuan init"


class SetupError(RuntimeError):
    """init/new cannot proceed; the message says why and what to do."""


def installed_python() -> str:
    """This interpreter by absolute path (the one the hook and the merge driver will run)."""
    return os.path.abspath(sys.executable)


def _hook_text(cases_dir: Path) -> str:
    """The pre-commit hook: the installed anjuan by absolute path, in isolated mode.

    ``-I``: no current directory (the repository root, where a committed ``tui/`` would sit)
    and no PYTHON* variables on the module path. When the recorded interpreter is gone the
    hook falls back to an ``anjuan`` on PATH by absolute path outside the repository; when it
    finds none it refuses the commit, since the cases could not be checked.
    """
    python = shlex.quote(installed_python())
    cases = shlex.quote(str(cases_dir.resolve()))
    return f"""#!/bin/sh
{HOOK_MARK}: checks the staged cases with `anjuan validate`.
# Errors block the commit (in a draft only unreadable, mistyped or out-of-list values);
# warnings pass. Skip once with `git commit --no-verify`.
# The recorded interpreter runs isolated (-I): nothing of this repository is imported.
PY={python}
CASES={cases}
if [ -x "$PY" ] && "$PY" -I -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('tui') is None)" 2>/dev/null; then
  exec "$PY" -I -m tui.cli hook pre-commit --cases "$CASES"
fi
# Else the first anjuan on PATH, by absolute path and outside this repository (a "." on PATH
# would otherwise find a committed ./anjuan).
TOP=$(pwd -P)
ANJUAN=
set -f
OLDIFS=$IFS
IFS=:
for dir in $PATH; do
  case "$dir" in /*) ;; *) continue ;; esac
  case "$dir/" in "$TOP"/*) continue ;; esac
  if [ -f "$dir/anjuan" ] && [ -x "$dir/anjuan" ]; then ANJUAN="$dir/anjuan"; break; fi
done
IFS=$OLDIFS
set +f
if [ -n "$ANJUAN" ]; then
  exec "$ANJUAN" hook pre-commit --cases "$CASES"
fi
echo "anjuan pre-commit：找不到 anjuan（记录的 $PY 已不可用，PATH 中也没有仓库之外的 anjuan），案卷未能检查，提交被拒绝。" >&2
echo "请安装 anjuan 后在本仓库重新运行 anjuan init 更新此钩子；确需不经检查提交时用 git commit --no-verify" >&2
exit 1
"""


def init_cases_repo(directory: Path) -> list[str]:
    """Make ``directory`` a cases repository: git init if needed, and the pre-commit hook."""
    said: list[str] = []
    if directory.exists() and not directory.is_dir():
        raise SetupError(f"{directory} 已存在且不是目录；请换一个目录名")
    directory.mkdir(parents=True, exist_ok=True)
    root = git_root(directory)
    if root is None:
        git.Repo.init(directory, initial_branch="main")
        said.append(f"已在 {directory} 建立 git 仓库")
        root = directory.resolve()
    else:
        said.append(f"{directory} 已在 git 仓库 {root} 中")
    repo = harden(git.Repo(root))
    hooks = Path(repo.git_dir) / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    hook = hooks / "pre-commit"
    if hook.exists() and HOOK_MARK not in hook.read_text(encoding="utf-8", errors="replace"):
        said.append(
            f"未安装 pre-commit 钩子：{hook} 已有别的钩子；请在其中加入 `anjuan hook pre-commit --cases {directory}`"
        )
    else:
        atomic_write(hook, _hook_text(directory).encode())
        hook.chmod(0o755)
        said.append(
            "已安装 pre-commit 钩子：用 git 直接提交时也会检查案卷（错误阻止提交，警告不阻止）"
        )
    from .sync import install_merge_driver

    said.extend(install_merge_driver(repo, directory))
    forms = [load_form(name) for name in available_forms()]
    changed = write_editor_schemas(directory, forms)
    if changed:
        names = "、".join(p.name for p in changed)
        try:
            sha = commit_paths(
                repo, changed, "案卷仓库：编辑器用的申报书 schema", _person(repo, None)
            )
        except (git.GitCommandError, OSError) as exc:
            said.append(f"已写入编辑器用的 schema（{names}），但未能提交：{exc}")
        else:
            said.append(
                f"已写入并提交编辑器用的 schema {EDITOR_SCHEMA_DIR}/（{names}，提交 {sha[:10]}）："
                "taplo、Even Better TOML 等编辑器据此提示案卷文件中的类型和选项错误"
            )
    return said


def write_editor_schemas(cases_dir: Path, forms: list[Form]) -> list[Path]:
    """Write the editor schema of each form into the cases folder where it is missing or
    out of date; the paths written (to commit)."""
    written = []
    for folder in (cases_dir / ".anjuan", cases_dir / EDITOR_SCHEMA_DIR):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise SetupError(
                f"{folder} 是链接或不是目录：anjuan 不跟随案卷仓库中的链接；"
                "请删除它（或换成普通目录）后重试，未做任何修改"
            )
    for form in forms:
        path = editor_schema_path(cases_dir, form)
        content = editor_schema_bytes(form)
        if path.is_file() and not path.is_symlink() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, content)
        written.append(path)
    return written


def new_case(
    cases_dir: Path,
    case_id: str,
    from_id: str | None,
    form_name: str | None,
    as_name: str | None,
    *,
    data: dict[str, Any] | None = None,
    source_name: str | None = None,
) -> str:
    """Create ``case_id`` from the template (or a copy of ``from_id``) and commit it.

    ``data``: the whole case as read elsewhere (a filled Word form, ``source_name`` names it),
    written into the template's text in the same one commit, or nothing is written."""
    try:
        check_case_id(case_id)
        if from_id is not None:
            check_case_id(from_id)
    except CaseIdError as exc:
        raise SetupError(str(exc)) from exc
    repo = open_repo(cases_dir)
    root = Path(repo.working_tree_dir or ".")
    if not (Path(repo.git_dir) / "anjuan-new.json").exists():  # else it may be a killed new's
        _prepare(cases_dir, case_id, from_id, form_name, data, source_name)  # refuse unlocked
    with repo_lock(repo):
        try:
            check_repo_state(repo)
            notes = recover_stale_locks(repo)
            notes += recover_new(repo)
        except git.GitCommandError as exc:
            raise StoreError(explain_git_error(exc, root)) from exc
        sha, what, who = _new_locked(
            repo, cases_dir, case_id, from_id, form_name, as_name, data, source_name
        )
    lines = [*notes, f"已新建 {case_id}（{what}），提交 {sha[:10]}，作者 {who.name}"]
    return "\n".join(lines)


def _prepare(
    cases_dir: Path,
    case_id: str,
    from_id: str | None,
    form_name: str | None,
    data: dict[str, Any] | None,
    source_name: str | None,
) -> tuple[str, str, Form | None]:
    """The new case's text, what it was made from, and its form; refusals write nothing."""
    form: Form | None = None
    target = cases_dir / case_id
    if os.path.lexists(target):
        raise SetupError(f"案卷 {case_id} 已存在（{target}）；请换一个编号，或用 anjuan set 修改它")
    if from_id is not None:
        source = cases_dir / from_id
        refused = case_problems(source, from_id, whole=True)
        if refused:
            listed = "；".join(refused[:5]) + (
                f"；另有 {len(refused) - 5} 处" if len(refused) > 5 else ""
            )
            raise SetupError(f"不能复制 {from_id}：{listed}。未建立 {case_id}")
        if not (source / "case.toml").is_file():
            raise SetupError(f"没有案卷 {from_id!r} 可复制（{source}/case.toml 不存在）")
        raw = read_regular(source / "case.toml")[0]
        parsed = parse_toml_bytes(raw)
        if parsed.data is None:
            raise SetupError(
                f"无法复制 {from_id}：{parsed.error.message if parsed.error else ''}；请先修复该文件"
            )
        doc = tomlkit.parse(raw.decode("utf-8"))
        case_table = doc.get("case")
        if isinstance(case_table, dict):
            case_table["status"] = "draft"
            if "acceptance_no" in case_table:
                case_table["acceptance_no"] = ""
        text = tomlkit.dumps(doc)
        what = f"复制自 {from_id}"
    else:
        names = available_forms()
        name = form_name or (names[-1] if names else "")
        try:
            form = load_form(name)
        except FormError as exc:
            raise SetupError(f"没有申报书 {name!r}；可用：{'、'.join(names) or '（无）'}") from exc
        text = template_text(form, target)
        what = f"模板 {form.name}"
        if data is not None:
            from .edit import render_checked

            blank = parse_toml_text(text).data or {}
            text = render_checked(text, blank, data)[0]
            what = f"读自 {source_name or 'Word 文件'}"
    return text, what, form


def _new_locked(
    repo: git.Repo,
    cases_dir: Path,
    case_id: str,
    from_id: str | None,
    form_name: str | None,
    as_name: str | None,
    data: dict[str, Any] | None,
    source_name: str | None,
) -> tuple[str, str, Person]:
    """``new`` with the repository lock held: build aside, journal, rename, commit."""
    text, what, form = _prepare(cases_dir, case_id, from_id, form_name, data, source_name)
    target = cases_dir / case_id
    who = _person(repo, as_name)
    root = Path(repo.working_tree_dir or ".")
    message = f"{case_id}: 新建案卷（{what}）"
    aside = aside_dir(repo, case_id)
    try:
        aside.mkdir()
        if from_id is not None:
            attachments = cases_dir / from_id / "attachments"
            if attachments.is_dir():
                # symlinks=True: a link that appeared since the check is copied as a link, its
                # target never read
                shutil.copytree(attachments, aside / "attachments", symlinks=True)
        atomic_write(aside / "case.toml", text.encode("utf-8"))
        written = [target]
        if form is not None:  # the file's #:schema line points at it: keep it current
            written.extend(write_editor_schemas(cases_dir, [form]))
    except OSError as exc:
        shutil.rmtree(aside, ignore_errors=True)
        raise StoreError(f"新建 {case_id} 未能写入：{explain_os_error(exc, aside)}") from exc
    write_journal(repo, target, written, message, who)
    try:
        try:
            os.rename(aside, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.move(aside, target)  # .git on another file system: copy, then commit
    except OSError as exc:
        drop_journal(repo)
        shutil.rmtree(aside, ignore_errors=True)
        raise StoreError(f"新建 {case_id} 未能写入：{explain_os_error(exc, target)}") from exc
    try:
        sha = commit_paths(repo, written, message, who)
    except (git.GitCommandError, OSError) as exc:
        # Back aside first (one rename), then forget: a kill in between is rolled back by
        # the next command, and never commits a half-deleted case.
        try:
            os.rename(target, aside_dir(repo, case_id))
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
        drop_journal(repo)
        shutil.rmtree(_aside_of(repo, case_id), ignore_errors=True)
        said = (
            explain_git_error(exc, root)
            if isinstance(exc, git.GitCommandError)
            else explain_os_error(exc, target)
        )
        raise StoreError(f"新建 {case_id} 未能提交：{said}；未留下案卷文件") from exc
    drop_journal(repo)
    return sha, what, who


def _person(repo: git.Repo, as_name: str | None) -> Person:
    """Who makes the change; with no git identity configured at all, ``--as`` or the login name."""
    try:
        return person(repo, as_name)
    except (configparser.Error, KeyError):  # GitPython: no [user] section anywhere
        return person(None, as_name)


def _head_report(repo: git.Repo, directory: Path, cid: str, rel: str) -> CaseReport | None:
    """The case as the last commit has it (None for a new case)."""
    try:
        raw = repo.git.show(f"HEAD:{rel}", stdout_as_string=False, strip_newline_in_stdout=False)
    except git.GitCommandError:
        return None
    parsed = parse_toml_bytes(raw)
    case = read_case(directory, cid)
    case.data, case.version, case.error = parsed.data, parsed.version, parsed.error
    return validate_case(case)


def pre_commit_check(cases_dir: Path) -> tuple[bool, list[CaseReport]]:
    """Validate the cases whose files are staged; True when a blocking finding was found.

    The staged ``case.toml`` is what is checked (not the working file), so a commit is judged
    by what it will contain.
    """
    repo = open_repo(cases_dir)
    root = Path(repo.working_tree_dir or ".").resolve()
    base = cases_dir.resolve()
    staged = repo.git.diff("--cached", "--name-only", "-z", "--diff-filter=ACMR").split("\0")
    ids: list[str] = []
    for rel in filter(None, staged):
        path = (root / rel).resolve()
        if not path.is_relative_to(base) or path == base:
            continue
        cid = path.relative_to(base).parts[0]
        if cid not in ids and (base / cid).is_dir():
            ids.append(cid)
    reports: list[CaseReport] = []
    blocked = False
    for cid in sorted(ids):
        case = read_case(base / cid, cid)
        rel_case = (base / cid / "case.toml").relative_to(root).as_posix()
        try:
            raw = repo.git.show(
                f":{rel_case}", stdout_as_string=False, strip_newline_in_stdout=False
            )
        except git.GitCommandError:
            raw = None
        if raw is not None:
            parsed = parse_toml_bytes(raw)
            case.data, case.version, case.error = parsed.data, parsed.version, parsed.error
        report = validate_case(case)
        reports.append(report)
        before = _head_report(repo, base / cid, cid, rel_case)
        if blocking(
            report.findings,
            case.status,
            before.findings if before else None,
            before.case.status if before else None,
        ):
            blocked = True
    return blocked, reports
