"""Several machines, one history: fetch, merge field by field, push.

Git is the distributed engine; this module only drives it. ``sync`` merges the remote's
branch with ``git merge`` and the field-level merge driver (``tui.core.merge``). When a field
was changed two ways, the merge is undone at once (nothing half-merged stays in the index or
the working tree) and the conflicts are kept as data in ``.git/anjuan/sync.json``; the person
chooses a side for each (``choose``), and the next ``sync`` makes the merge again with those
choices and commits it as one normal commit of the audit log.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import git

from .case import parse_toml_bytes
from .merge import (
    WHOLE_FILE,
    FieldConflict,
    Side,
    merge_case_file,
    show_value,
)
from .schema import Form, FormError, load_form, load_review_schema
from .store import (
    LOGIN_TRAILER,
    Person,
    StoreError,
    atomic_write,
    check_repo_state,
    open_repo,
    person,
    repo_lock,
)

DRIVER_NAME = "anjuan"
ATTRIBUTE_LINES = ("*/case.toml merge=anjuan", "*/reviews/*.toml merge=anjuan")
ATTRIBUTES_MARK = "# anjuan: field-level merge of cases and reviews (anjuan init)"
# Case and review files are stored byte for byte: no filter, no end-of-line or encoding change.
SAFE_ATTRIBUTES = " -filter -ident -text !working-tree-encoding"
STATE_FILE = "anjuan/sync.json"


class SyncError(StoreError):
    """sync cannot go on; nothing was changed (or what was half done was undone)."""


# --- the merge driver ------------------------------------------------------------------------


def driver_command() -> str:
    """The command git runs for ``merge=anjuan`` files: this Python, by absolute path, in
    isolated mode (``-I``: git runs drivers in the repository root, and a committed ``tui/``
    there must not be imported instead of the installed package)."""
    python = shlex.quote(os.path.abspath(sys.executable))
    return f"{python} -I -m tui.cli merge-driver %O %A %B %P"


def install_merge_driver(repo: git.Repo, cases_dir: Path | None = None) -> list[str]:
    """Name the driver for case and review files in ``.git/info/attributes`` and define it in
    this repository's config.

    Both stay with this clone (git clones neither), so every clone runs ``anjuan init``; a
    committed ``.gitattributes`` would name a driver that a fresh clone does not define, and
    ``init`` makes no commit. ``anjuan sync`` passes both itself, so it needs neither.
    """
    with repo.config_writer("repository") as cw:
        cw.set_value(f'merge "{DRIVER_NAME}"', "name", "anjuan field-level merge of cases")
        cw.set_value(f'merge "{DRIVER_NAME}"', "driver", driver_command())
    root = Path(repo.working_tree_dir or ".").resolve()
    folder = (cases_dir or root).resolve()
    prefix = "" if folder == root else folder.relative_to(root).as_posix() + "/"
    _ensure_attributes(repo, _attribute_lines(prefix))
    return ["已安装字段级合并：git merge / git pull / anjuan sync 按字段合并案卷与评审文件"]


# --- conflicts as data -----------------------------------------------------------------------


@dataclass
class Conflict:
    """One conflict of a sync, as kept in ``.git/anjuan/sync.json`` and shown to the person."""

    file: str  # path in the repository, e.g. XH-2022-001/case.toml
    path: str  # field path in that file ("" for the whole file)
    key: str  # the same place by row identity (what a choice is attached to)
    kind: str  # field | row | file
    base: str
    ours: str
    theirs: str
    choice: Side | None = None
    label: str = ""  # the field's Chinese label, e.g. 附件1 第2行 实际到账（元）

    @property
    def where(self) -> str:
        return f"{self.file}:{self.path}" if self.path else self.file

    def matches(self, other: Conflict) -> bool:
        return (self.file, self.key, self.ours, self.theirs) == (
            other.file,
            other.key,
            other.ours,
            other.theirs,
        )


@dataclass
class SyncState:
    remote: str
    branch: str
    head: str
    theirs: str
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def unresolved(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.choice is None]


def _state_path(repo: git.Repo) -> Path:
    return Path(repo.git_dir) / STATE_FILE


def load_state(repo: git.Repo) -> SyncState | None:
    path = _state_path(repo)
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["conflicts"] = [Conflict(**c) for c in raw.get("conflicts", [])]
        return SyncState(**raw)
    except (ValueError, TypeError) as exc:
        raise SyncError(
            f"{path} 已损坏：{exc}；请运行 anjuan sync --abandon 放弃未完成的同步后重试"
        ) from exc


def _save_state(repo: git.Repo, state: SyncState | None) -> None:
    path = _state_path(repo)
    if state is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(asdict(state), ensure_ascii=False, indent=1)
    atomic_write(path, data.encode("utf-8"))


def _conflict(file: str, c: FieldConflict, form: Form | None) -> Conflict:
    if c.kind == "file":
        return Conflict(
            file,
            WHOLE_FILE,
            WHOLE_FILE,
            "file",
            "（文件）",
            "（本地版本）",
            "（远端版本）",
            label="整个文件无法按字段合并（有一边不是有效的 TOML）",
        )
    label = ""
    if form is not None:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            label = form.label(c.path)
    return Conflict(
        file,
        c.path,
        c.key,
        c.kind,
        show_value(c.base),
        show_value(c.ours),
        show_value(c.theirs),
        label=label,
    )


def _form_of(path: str, *raws: bytes) -> Form | None:
    """The form whose labels name the fields of this file (the review schema for a review)."""
    parts = PurePosixPath(path).parts
    try:
        if len(parts) >= 2 and parts[-2] == "reviews":
            return Form("review", load_review_schema())
        for raw in raws:
            parsed = parse_toml_bytes(raw)
            name = (parsed.data or {}).get("form")
            if isinstance(name, str):
                return load_form(name)
    except (FormError, OSError):
        return None
    return None


def pending(cases_dir: Path) -> SyncState | None:
    """The sync waiting for choices, if any."""
    return load_state(open_repo(cases_dir))


def abandon(cases_dir: Path) -> bool:
    """Forget a sync waiting for choices (nothing else to undo: no merge was left behind)."""
    repo = open_repo(cases_dir)
    had = load_state(repo) is not None
    _save_state(repo, None)
    return had


def choose(cases_dir: Path, side: Side, which: Iterable[str] = ()) -> SyncState:
    """Choose ``side`` for the named conflicts (number from 1, ``file:path``, or ``path``);
    none named: for every conflict still open. Nothing is merged or committed here."""
    repo = open_repo(cases_dir)
    state = load_state(repo)
    if state is None or not state.conflicts:
        raise SyncError("没有待解决的同步冲突；请先运行 anjuan sync")
    names = list(which)
    targets: list[Conflict] = []
    for name in names:
        found = _find(state.conflicts, name)
        if not found:
            raise SyncError(
                f"没有冲突 {name!r}；用 anjuan sync --list 查看编号与字段（可写编号、文件:字段 或 字段）"
            )
        targets.extend(found)
    for c in targets if names else state.unresolved:
        if side == "base" and c.kind == "file":
            raise SyncError(f"{c.where} 整个文件冲突只能取 ours 或 theirs")
        c.choice = side
    _save_state(repo, state)
    return state


def _find(conflicts: list[Conflict], name: str) -> list[Conflict]:
    if name.isdigit() and 1 <= int(name) <= len(conflicts):
        return [conflicts[int(name) - 1]]
    exact = [c for c in conflicts if c.where == name]
    return exact or [c for c in conflicts if c.path == name]


# --- sync ------------------------------------------------------------------------------------


Outcome = Literal["up-to-date", "pushed", "fast-forward", "merged", "conflicts"]


@dataclass
class SyncResult:
    outcome: Outcome
    remote: str
    branch: str
    commit: str | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    resolved: list[Conflict] = field(default_factory=list)
    pushed: bool = False
    theirs: str | None = None  # the remote's commit that was merged (or tried)
    changed_cases: list[str] = field(default_factory=list)  # cases the remote's changes touched


def _upstream(repo: git.Repo, remote: str | None) -> tuple[str, str]:
    try:
        branch = repo.active_branch
    except TypeError as exc:
        raise SyncError(
            "当前不在任何分支上（detached HEAD）；请先 git switch 到一个分支再同步"
        ) from exc
    names = [r.name for r in repo.remotes]
    tracking = branch.tracking_branch()
    if remote is None and tracking is not None and tracking.remote_name in names:
        return tracking.remote_name, tracking.remote_head
    if remote is None:
        if not names:
            raise SyncError(
                "没有远端仓库，无处同步；请先添加一个：git remote add origin <共享盘上的裸仓库路径或 ssh 地址>"
            )
        remote = "origin" if "origin" in names else names[0] if len(names) == 1 else None
        if remote is None:
            raise SyncError(f"有多个远端（{'、'.join(names)}），请用 --remote NAME 指定一个")
    elif remote not in names:
        raise SyncError(f"没有名为 {remote!r} 的远端；现有：{'、'.join(names) or '（无）'}")
    return remote, branch.name


def _identity_env(who: Person) -> dict[str, str]:
    return who.git_env()


def _git_message(exc: git.GitCommandError) -> str:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())[:400]


def _refuse_unclean(repo: git.Repo) -> None:
    """An unfinished merge or rebase, a detached HEAD, or uncommitted changes: sync refuses."""
    try:
        check_repo_state(repo)
    except StoreError as exc:
        raise SyncError(str(exc).replace("再保存", "再同步")) from exc
    if repo.is_dirty(index=True, working_tree=True, untracked_files=False):
        changed = [str(d.a_path) for d in repo.index.diff(None)] + [
            str(d.a_path) for d in repo.index.diff("HEAD")
        ]
        raise SyncError(
            "有未提交的修改（"
            + "、".join(sorted(set(changed))[:5])
            + "）；同步不会覆盖它们。请先保存（anjuan set）或 git commit，再同步"
        )


def sync(cases_dir: Path, as_name: str | None = None, remote: str | None = None) -> SyncResult:
    """Fetch, merge the remote's changes (field by field), push. Conflicts: nothing is kept
    half-merged; they are listed and saved for ``choose``."""
    repo = open_repo(cases_dir)
    _refuse_unclean(repo)
    remote, branch = _upstream(repo, remote)
    state = load_state(repo)
    who = person(repo, as_name)
    try:
        heads = str(repo.git.ls_remote("--heads", remote, f"refs/heads/{branch}")).strip()
        if heads:
            repo.git.fetch("-q", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    except git.GitCommandError as exc:
        raise SyncError(
            f"无法连接远端 {remote}：{_git_message(exc)}；请检查网络或路径后重试"
        ) from exc
    theirs = repo.rev_parse(f"refs/remotes/{remote}/{branch}").hexsha if heads else None
    with repo_lock(repo):  # a save and a sync of this repository queue
        _refuse_unclean(repo)
        head = repo.head.commit.hexsha if repo.head.is_valid() else None
        result = SyncResult("up-to-date", remote, branch, head)
        if theirs is None or theirs == head or (head and _is_ancestor(repo, theirs, head)):
            _save_state(repo, None)
        elif head is None or _is_ancestor(repo, head, theirs):
            try:
                repo.git.merge("--ff-only", "-q", theirs)
            except git.GitCommandError as exc:
                raise SyncError(f"无法快进到远端的版本：{_git_message(exc)}") from exc
            _save_state(repo, None)
            result = SyncResult("fast-forward", remote, branch, theirs, theirs=theirs)
        else:
            result = _merge(repo, remote, branch, head, theirs, state, who)
        if head is not None and result.outcome in ("fast-forward", "merged"):
            result.changed_cases = _changed_cases(repo, cases_dir, head)
    if result.outcome in ("conflicts", "fast-forward") or head is None or head == theirs:
        return result
    _push(repo, remote, branch)
    if result.outcome == "up-to-date":
        result.outcome = "pushed"
    result.pushed = True
    return result


def _changed_cases(repo: git.Repo, cases_dir: Path, before: str) -> list[str]:
    """The cases whose files differ between ``before`` and HEAD, in name order."""
    root = Path(repo.working_tree_dir or ".").resolve()
    base = cases_dir.resolve()
    names = str(repo.git.diff("--name-only", "-z", before, "HEAD")).split("\0")
    ids: set[str] = set()
    for rel in filter(None, names):
        path = root / rel
        if path.is_relative_to(base) and path != base:
            cid = path.relative_to(base).parts[0]
            if (base / cid / "case.toml").is_file():
                ids.add(cid)
    return sorted(ids)


def _is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    return repo.is_ancestor(repo.commit(older), repo.commit(newer))


def _push(repo: git.Repo, remote: str, branch: str) -> None:
    try:
        repo.git.push("--porcelain", "-u", remote, f"HEAD:refs/heads/{branch}")
    except git.GitCommandError as exc:
        raise SyncError(
            f"推送到 {remote} 被拒绝：{_git_message(exc)}；本地提交都在，"
            "请再运行 anjuan sync（先取回远端的新修改再推送）"
        ) from exc


def _merge_config(repo: git.Repo) -> list[str]:
    """``-c`` options so that this merge uses the field-level driver even where ``anjuan init``
    never ran (the config is not cloned).

    The attributes go to ``$GIT_DIR/info/attributes``, which outranks every ``.gitattributes``
    of the tree: a committed ``*/case.toml merge=union`` (or a filter) must not decide how
    anjuan merges cases.
    """
    _ensure_attributes(repo, _attribute_lines("**/"))
    return [
        "-c",
        f"merge.{DRIVER_NAME}.driver={driver_command()}",
        "-c",
        f"merge.{DRIVER_NAME}.name=anjuan field-level merge",
    ]


def _attribute_lines(prefix: str) -> list[str]:
    """The merge lines and the byte-for-byte lines for case folders under ``prefix``."""
    merges = [
        line.replace("*/", prefix, 1) if prefix == "**/" else prefix + line
        for line in ATTRIBUTE_LINES
    ]
    return [*merges, *(line.split()[0] + SAFE_ATTRIBUTES for line in merges)]


def _ensure_attributes(repo: git.Repo, wanted: list[str]) -> None:
    """Append the missing ``wanted`` lines to ``$GIT_DIR/info/attributes`` (kept last: later
    lines win within the file)."""
    info = Path(getattr(repo, "common_dir", None) or repo.git_dir) / "info"
    info.mkdir(parents=True, exist_ok=True)
    attributes = info / "attributes"
    old = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
    lines = old.splitlines()
    if lines[-len(wanted) :] == wanted:
        return
    kept = [line for line in lines if line not in wanted and line != ATTRIBUTES_MARK]
    text = "\n".join([*kept, ATTRIBUTES_MARK, *wanted]) + "\n"
    atomic_write(attributes, text.encode("utf-8"))


def _unmerged(repo: git.Repo) -> dict[str, dict[int, str]]:
    """path -> {stage: blob sha} of the files git could not merge."""
    out: dict[str, dict[int, str]] = {}
    raw = repo.git.ls_files("-u", "-z")
    for entry in filter(None, raw.split("\0")):
        meta, path = entry.split("\t", 1)
        _mode, sha, stage = meta.split()
        out.setdefault(path, {})[int(stage)] = sha
    return out


def _is_case_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (len(parts) >= 2 and parts[-1] == "case.toml") or (
        len(parts) >= 3 and parts[-2] == "reviews" and parts[-1].endswith(".toml")
    )


def _merge(
    repo: git.Repo,
    remote: str,
    branch: str,
    head: str,
    theirs: str,
    prior: SyncState | None,
    who: Person,
) -> SyncResult:
    """Merge ``theirs`` into HEAD; commit if every conflict has a choice, else undo and keep
    the conflicts as data."""
    choices = [c for c in (prior.conflicts if prior else []) if c.choice is not None]
    env = _identity_env(who)
    root = Path(repo.working_tree_dir or ".")
    found: list[Conflict] = []
    resolved: list[Conflict] = []
    committed = False
    try:
        done = repo.git.execute(
            [
                "git",
                *_merge_config(repo),
                "merge",
                "--no-ff",
                "--no-commit",
                "-q",
                theirs,
            ],
            with_exceptions=False,
            with_extended_output=True,
            env=env,
        )
        status, _out, err = done
        unmerged = _unmerged(repo)
        if status != 0 and not unmerged:
            raise SyncError(f"合并远端的修改失败：{' '.join(str(err).split())[:400]}；未做任何修改")
        for path, stages in sorted(unmerged.items()):
            file_conflicts, text = _settle(repo, path, stages, choices)
            found.extend(file_conflicts)
            if any(c.choice is None for c in file_conflicts):
                continue
            resolved.extend(file_conflicts)
            target = root / path
            if text is None:
                repo.git.rm("-q", "--cached", "--ignore-unmatch", "--", path)
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, text)
                repo.git.add("--", path)
        open_ = [c for c in found if c.choice is None]
        if open_:
            _abort(repo, head)
            state = SyncState(remote, branch, head, theirs, found)
            _save_state(repo, state)
            return SyncResult("conflicts", remote, branch, head, found, resolved, theirs=theirs)
        message = _merge_message(remote, branch, theirs, resolved, who)
        repo.git.commit("--no-verify", "-q", "-m", message, env=env)
        committed = True
    finally:
        if not committed and (Path(repo.git_dir) / "MERGE_HEAD").exists():
            _abort(repo, head)
    _save_state(repo, None)
    return SyncResult(
        "merged", remote, branch, repo.head.commit.hexsha, [], resolved, theirs=theirs
    )


def _settle(
    repo: git.Repo, path: str, stages: Mapping[int, str], choices: list[Conflict]
) -> tuple[list[Conflict], bytes | None]:
    """The conflicts of one file (with any choices already made) and its merged bytes when
    every conflict has a choice (None: the file is deleted)."""
    blobs = {
        n: repo.git.cat_file("blob", sha, stdout_as_string=False, strip_newline_in_stdout=False)
        for n, sha in stages.items()
    }
    if _is_case_file(path) and 2 in blobs and 3 in blobs:
        merged = merge_case_file(path, blobs.get(1, b""), blobs[2], blobs[3])
        form = _form_of(path, blobs[2], blobs[3]) if merged.conflicts else None
        conflicts = [_conflict(path, c, form) for c in merged.conflicts]
        picked: dict[str, Side] = {}
        for c in conflicts:
            for old in choices:
                if old.choice is not None and c.matches(old):
                    c.choice = old.choice
                    picked[c.key] = old.choice
        if any(c.choice is None for c in conflicts):
            return conflicts, None
        final = merge_case_file(path, blobs.get(1, b""), blobs[2], blobs[3], picked)
        return conflicts, final.text.encode("utf-8", errors="surrogateescape")
    # Any other file (an attachment, a file deleted on one side): the whole file, one side.
    c = Conflict(
        path,
        WHOLE_FILE,
        WHOLE_FILE,
        "file",
        "（文件）" if 1 in blobs else "（无）",
        "（本地版本）" if 2 in blobs else "（本地已删除）",
        "（远端版本）" if 3 in blobs else "（远端已删除）",
    )
    for old in choices:
        if c.matches(old):
            c.choice = old.choice
    if c.choice is None:
        return [c], None
    stage = {"ours": 2, "theirs": 3, "base": 1}[c.choice]
    return [c], blobs.get(stage)


def _abort(repo: git.Repo, head: str) -> None:
    """Undo the merge: HEAD, index and working tree as before (the tree was clean)."""
    try:
        repo.git.merge("--abort")
    except git.GitCommandError:
        repo.git.reset("-q", "--hard", head)
    if repo.head.commit.hexsha != head or _unmerged(repo):
        repo.git.reset("-q", "--hard", head)


def _merge_message(
    remote: str, branch: str, theirs: str, resolved: list[Conflict], who: Person
) -> str:
    lines = [f"同步：合并 {remote}/{branch}（{theirs[:10]}）的修改"]
    if resolved:
        lines.append("")
        lines.append("解决冲突：")
        for c in resolved:
            chosen = {"ours": c.ours, "theirs": c.theirs, "base": c.base}[c.choice or "ours"]
            lines.append(f"- {c.where} 取 {c.choice}：{chosen}")
    lines.append("")
    lines.append(f"{LOGIN_TRAILER}: {who.login}")
    return "\n".join(lines) + "\n"


def describe(
    conflicts: Iterable[Conflict], only_open: bool = False, theirs: str | None = None
) -> list[str]:
    """Lines that list conflicts per field, numbered from 1 in the whole list (the numbers
    ``choose`` takes), for the CLI."""
    out = []
    for n, c in enumerate(conflicts, 1):
        if only_open and c.choice is not None:
            continue
        mark = f"已选 {c.choice}" if c.choice else "待选"
        out.append(f"[{n}] {c.where}（{mark}）" + (f"  {c.label}" if c.label else ""))
        out.append(f"    本地 ours:   {c.ours}")
        out.append(f"    远端 theirs: {c.theirs}")
        out.append(f"    原值 base:   {c.base}")
        if c.kind == "file" and theirs:
            out.append(f"    查看两边：git show HEAD:{c.file}    git show {theirs[:12]}:{c.file}")
    return out
