"""The audit trail of a case, read at the level of fields: log, diff, blame and restore.

git records lines; people ask "who changed 附件1 第3行 合同额, when, from what to what". Every
answer here comes from comparing the parsed versions of the case's files, so reformatting is
not a change, and a hand edit committed with plain git shows as the fields it changed.
Blobs are read through GitPython's persistent ``git cat-file`` and parsed once (by blob id).
"""

from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import git

from .edit import (
    FieldChange,
    align_rows,
    clone,
    diff_data,
    is_rows,
    json_value,
    same,
    short_value,
)
from .findings import CASE_FILE
from .paths import PathError, format_path, get_at, parse_path
from .safefs import read_regular
from .store import (
    LOGIN_TRAILER,
    REASON_TRAILER,
    Notify,
    SaveResult,
    StoreError,
    _case_dir,
    _rel,
    blob_bytes,
    cached_data,
    explain_git_error,
    object_id,
    open_repo,
    parse_cached,
    refuse_links,
    save_case,
)

NULL_SHA = "0" * 40
_RAW = re.compile(r"^:\d+ \d+ ([0-9a-f]{40}) ([0-9a-f]{40}) \w+\t(.*)$")


@dataclass
class Revision:
    """One commit that touched a case: who, when, why, and the blob ids of its files."""

    commit: str
    parents: tuple[str, ...]
    author: str
    email: str
    time: datetime
    message: str
    files: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    committer: str = ""  # the account that made the commit (anjuan: the uid's, not --as)
    committer_email: str = ""

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    def trailer(self, key: str) -> str | None:
        found = None
        for line in self.message.splitlines():
            if line.startswith(f"{key}: "):
                found = line[len(key) + 2 :].strip()
        return found


@dataclass(frozen=True)
class LogEntry:
    """One line of the audit trail."""

    commit: str
    author: str
    email: str
    login: str | None
    time: datetime
    reason: str | None
    subject: str
    changes: list[FieldChange]
    committer: str | None = None
    committer_email: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "email": self.email,
            "committer": self.committer,
            "committer_email": self.committer_email,
            "login": self.login,
            "time": self.time.isoformat(),
            "reason": self.reason,
            "subject": self.subject,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class BlameLine:
    """A field of the current case and the commit that last changed it (None: not committed)."""

    path: str
    value: Any
    commit: str | None
    author: str | None
    login: str | None
    time: datetime | None
    committer: str | None = None

    def shown(self, width: int = 60) -> str:
        return short_value(self.value, width)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "value": json_value(self.value),
            "commit": self.commit,
            "author": self.author,
            "committer": self.committer,
            "login": self.login,
            "time": self.time.isoformat() if self.time else None,
        }


# --- reading history ----------------------------------------------------------------------


def revisions(
    repo: git.Repo,
    rel_dir: str,
    *,
    limit: int | None = None,
    oldest_first: bool = False,
    only: str | None = None,
) -> list[Revision]:
    """The commits that touched ``rel_dir`` (or only the file ``only`` in it), with the blob
    ids before and after of each file — one ``git log --raw``, no diff computed by git."""
    target = f"{rel_dir}/{only}" if only else rel_dir
    args = [
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--parents",  # rewritten parents: the nearest ancestors that touched the case
        "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%aI%x1f%B%x1f",
    ]
    if limit:
        args.append(f"-n{int(limit)}")
    if oldest_first:
        args += ["--reverse", "--topo-order"]
    try:
        text = repo.git(c="core.quotePath=false").log(*args, "--", target)
    except git.GitCommandError as exc:
        if "does not have any commits" in str(exc.stderr) or "bad default revision" in str(
            exc.stderr
        ):
            return []
        raise StoreError(explain_git_error(exc, str(repo.working_tree_dir or ""))) from exc
    out: list[Revision] = []
    prefix = rel_dir + "/"
    for chunk in text.split("\x1e"):
        if not chunk.strip():
            continue
        parts = chunk.split("\x1f", 8)
        if len(parts) < 9:
            continue
        sha, parents, author, email, committer, committer_email, when, message, raw = parts
        rev = Revision(
            sha.strip(),
            tuple(parents.split()),
            author,
            email,
            datetime.fromisoformat(when),
            message.strip("\n"),
            committer=committer,
            committer_email=committer_email,
        )
        for line in raw.splitlines():
            m = _RAW.match(line)
            if not m or not m.group(3).startswith(prefix):
                continue
            old, new, path = m.group(1), m.group(2), m.group(3)[len(prefix) :]
            rev.files[path] = (None if old == NULL_SHA else old, None if new == NULL_SHA else new)
        if len(rev.parents) > 1:
            _merge_files(repo, rev, rel_dir, only)
        out.append(rev)
    return out


def _merge_files(repo: git.Repo, rev: Revision, rel_dir: str, only: str | None) -> None:
    """git shows no diff for a merge; the case file before (first parent) and after."""
    files = [only] if only else [CASE_FILE]
    for name in files:
        new = object_id(repo, f"{rev.commit}:{rel_dir}/{name}")
        old = object_id(repo, f"{rev.parents[0]}:{rel_dir}/{name}")
        if new != old:
            rev.files[name] = (old, new)


def data_of_blob(repo: git.Repo, sha: str | None, file: str = CASE_FILE) -> dict[str, Any] | None:
    """Parsed content of a blob (cached by blob id); {} for no file, None for a broken one."""
    if sha is None:
        return {}
    known, data = cached_data(sha, file)
    if known:
        return data
    return parse_cached(blob_bytes(repo, sha), file, version=sha)


def _file_changes(repo: git.Repo, name: str, old: str | None, new: str | None) -> list[FieldChange]:
    if name == CASE_FILE or (name.startswith("reviews/") and name.endswith(".toml")):
        before = data_of_blob(repo, old, name)
        after = data_of_blob(repo, new, name)
        if before is None or after is None:
            return [
                FieldChange(
                    name,
                    "（无法解析的 TOML）" if before is None else None,
                    "（无法解析的 TOML）" if after is None else None,
                )
            ]
        changes = diff_data(before, after)
        if name == CASE_FILE:
            return changes
        return [FieldChange(f"{name}:{c.path}", c.old, c.new) for c in changes]
    return [FieldChange(name, old[:10] if old else None, new[:10] if new else None)]


def _merge_only(
    repo: git.Repo, rev: Revision, rel_dir: str, changes: list[FieldChange]
) -> list[FieldChange]:
    """Of a merge's changes against its first parent, those that differ from every parent
    (what the merge itself decided); the rest are shown with the commits that made them."""
    others = []
    for parent in rev.parents[1:]:
        others.append(data_of_blob(repo, object_id(repo, f"{parent}:{rel_dir}/{CASE_FILE}")))
    kept = []
    for change in changes:
        try:
            parts = parse_path(change.path)
        except PathError:
            kept.append(change)
            continue
        if all(d is None or not same(get_at(d, parts), change.new) for d in others):
            kept.append(change)
    return kept


def preload(repo: git.Repo, revs: list[Revision]) -> None:
    """Parse every TOML blob these revisions name that is not parsed yet, reading them all
    with one ``git cat-file --batch`` (one request at a time through GitPython's persistent
    reader costs a round trip each: measurably slower for a case with 200 commits)."""
    wanted: dict[str, str] = {}
    for rev in revs:
        for name, pair in rev.files.items():
            if name == CASE_FILE or (name.startswith("reviews/") and name.endswith(".toml")):
                for sha in pair:
                    if sha and sha not in wanted and not cached_data(sha, name)[0]:
                        wanted[sha] = name
    if len(wanted) < 8:
        return
    proc = repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
    request = "".join(f"{sha}\n" for sha in wanted).encode()
    writer = threading.Thread(target=_feed, args=(proc.proc.stdin, request), daemon=True)
    writer.start()
    out = proc.proc.stdout
    try:
        for _ in range(len(wanted)):
            header = out.readline().split()
            if len(header) != 3:
                break
            raw = out.read(int(header[2]))
            out.read(1)
            sha = header[0].decode()
            parse_cached(raw, wanted[sha], version=sha)
    finally:
        writer.join()
        proc.proc.stdout.close()
        proc.proc.wait()


def _feed(stdin: Any, data: bytes) -> None:
    try:
        stdin.write(data)
    finally:
        stdin.close()


def case_log(cases_dir: Path, case_id: str, limit: int | None = None) -> list[LogEntry]:
    """The audit trail of a case, newest first: who changed which field, when, old → new."""
    case_dir = _case_dir(cases_dir, case_id)
    repo = open_repo(cases_dir)
    rel_dir = _rel(repo, case_dir)
    entries: list[LogEntry] = []
    found = revisions(repo, rel_dir, limit=limit)
    preload(repo, found)
    for rev in found:
        changes: list[FieldChange] = []
        for name in sorted(rev.files, key=lambda n: (n != CASE_FILE, n)):
            old, new = rev.files[name]
            changes += _file_changes(repo, name, old, new)
        if len(rev.parents) > 1:
            changes = _merge_only(repo, rev, rel_dir, changes)
        entries.append(
            LogEntry(
                rev.commit,
                rev.author,
                rev.email,
                rev.trailer(LOGIN_TRAILER),
                rev.time,
                rev.trailer(REASON_TRAILER),
                rev.subject,
                changes,
                rev.committer,
                rev.committer_email,
            )
        )
    return entries


# --- versions and differences -------------------------------------------------------------


def resolve(repo: git.Repo, rev: str) -> str:
    """The commit a revision names (sha, HEAD~2, a branch…); StoreError saying how to find one."""
    if not rev or rev.startswith("-"):
        raise StoreError(f"版本 {rev!r} 无效；请用 anjuan log 列出的提交号（如 3f2a1b9c）")
    try:
        return str(repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}")).strip()
    except git.GitCommandError as exc:
        raise StoreError(
            f"没有版本 {rev!r}；请用 anjuan log CASE-ID 列出的提交号（如 3f2a1b9c），或 HEAD~1 之类"
        ) from exc


def _files_at(repo: git.Repo, commit: str, rel_dir: str) -> dict[str, str]:
    """{case.toml / reviews/x.toml: blob id} of a case at a commit."""
    out: dict[str, str] = {}
    case = object_id(repo, f"{commit}:{rel_dir}/{CASE_FILE}")
    if case:
        out[CASE_FILE] = case
    reviews = object_id(repo, f"{commit}:{rel_dir}/reviews")
    if reviews:
        tree = git.Tree(repo, bytes.fromhex(reviews), path=f"{rel_dir}/reviews")
        for blob in tree.blobs:
            if blob.name.endswith(".toml"):
                out[f"reviews/{blob.name}"] = blob.hexsha
    return out


def _files_on_disk(case_dir: Path) -> dict[str, bytes]:
    refuse_links(case_dir, case_dir.name)  # never read through a link
    out: dict[str, bytes] = {}
    if (case_dir / CASE_FILE).is_file():
        out[CASE_FILE] = read_regular(case_dir / CASE_FILE)[0]
    reviews = case_dir / "reviews"
    if reviews.is_dir():
        for path in sorted(reviews.glob("*.toml")):
            out[f"reviews/{path.name}"] = read_regular(path)[0]
    return out


def case_diff(
    cases_dir: Path, case_id: str, rev_a: str | None = None, rev_b: str | None = None
) -> list[FieldChange]:
    """Field-level difference: ``rev_a`` (default: the last commit) → ``rev_b`` (default: the
    working files). Reviews files are compared too (paths ``reviews/x.toml:decision``)."""
    case_dir = _case_dir(cases_dir, case_id)
    repo = open_repo(cases_dir)
    rel_dir = _rel(repo, case_dir)
    a = _files_at(repo, resolve(repo, rev_a or "HEAD"), rel_dir)
    before = {name: data_of_blob(repo, sha, name) for name, sha in a.items()}
    after: dict[str, dict[str, Any] | None]
    if rev_b is None:
        after = {name: parse_cached(raw, name) for name, raw in _files_on_disk(case_dir).items()}
    else:
        b = _files_at(repo, resolve(repo, rev_b), rel_dir)
        after = {name: data_of_blob(repo, sha, name) for name, sha in b.items()}
    changes: list[FieldChange] = []
    for name in sorted(set(before) | set(after), key=lambda n: (n != CASE_FILE, n)):
        old, new = before.get(name, {}), after.get(name, {})
        if old is None or new is None:
            if not (old is None and new is None):
                changes.append(FieldChange(name, None if old else "（无法解析）", None))
            continue
        found = diff_data(old, new)
        if name != CASE_FILE:
            found = [FieldChange(f"{name}:{c.path}", c.old, c.new) for c in found]
        changes += found
    return changes


def restore_case(
    cases_dir: Path,
    case_id: str,
    rev: str,
    *,
    as_name: str | None = None,
    reason: str | None = None,
    today: date | None = None,
    on_wait: Notify | None = None,
) -> SaveResult:
    """Bring the case back to its content at ``rev``, as a new commit (history is never
    rewritten). The values come back; the file keeps today's comments and layout."""
    case_dir = _case_dir(cases_dir, case_id)
    repo = open_repo(cases_dir)
    rel_dir = _rel(repo, case_dir)
    commit = resolve(repo, rev)
    sha = object_id(repo, f"{commit}:{rel_dir}/{CASE_FILE}")
    if sha is None:
        raise StoreError(f"版本 {rev} 中没有案卷 {case_id}；请用 anjuan log {case_id} 选择版本")
    data = data_of_blob(repo, sha)
    if data is None:
        raise StoreError(f"版本 {rev} 的 {case_id}/case.toml 无法解析，不能恢复；请选择别的版本")
    when = repo.commit(commit).authored_datetime
    return save_case(
        cases_dir,
        case_id,
        clone(data),  # cached data is shared and must not change
        as_name=as_name,
        reason=reason,
        today=today,
        on_wait=on_wait,
        subject=f"{case_id}: 恢复到 {commit[:10]}（{when:%Y-%m-%d %H:%M}）的版本",
        restoring=blob_bytes(repo, sha),  # a broken current file is replaced by it whole
    )


# --- blame --------------------------------------------------------------------------------

Tree = (
    Any  # mirrors the data: dict of trees, list of row trees, or a Revision (None: not committed)
)


def _fresh(new: Any, rev: Revision | None) -> Tree:
    if isinstance(new, dict):
        return {k: _fresh(v, rev) for k, v in new.items()}
    if is_rows(new) and new:
        return [_fresh(r, rev) for r in new]
    return rev


_MISSING = object()


def _carry(tree: Tree, old: Any, new: Any, rev: Revision | None) -> Tree:
    """The blame of ``new``: unchanged fields keep their commit, changed ones get ``rev``."""
    if old is _MISSING:
        return _fresh(new, rev)
    if old is new:  # the parse cache shares unchanged sections between versions
        return tree
    if isinstance(new, dict):
        if not (isinstance(old, dict) and isinstance(tree, dict)):
            return _fresh(new, rev)
        return {k: _carry(tree.get(k), old.get(k, _MISSING), v, rev) for k, v in new.items()}
    if is_rows(new) and new:
        if not (is_rows(old) and old and isinstance(tree, list)):
            return _fresh(new, rev)
        if len(old) == len(new) and all(a is b for a, b in zip(old, new, strict=True)):
            return tree
        result: list[Tree] = [None] * len(new)
        for tag, i1, i2, j1, j2 in align_rows(old, new):
            paired = (
                (i2 - i1) if tag == "equal" else min(i2 - i1, j2 - j1) if tag == "replace" else 0
            )
            for n in range(paired):
                result[j1 + n] = _carry(tree[i1 + n], old[i1 + n], new[j1 + n], rev)
            for j in range(j1 + paired, j2):
                result[j] = _fresh(new[j], rev)
        return result
    if isinstance(tree, dict | list) or not same(old, new):
        return rev
    return tree


def _adopt(tree: Tree, other: Tree, first: Any, theirs: Any, new: Any) -> Tree:
    """After a merge: a field that came from the other parent keeps that parent's blame."""
    if isinstance(new, dict) and isinstance(tree, dict):
        if not (isinstance(other, dict) and isinstance(theirs, dict)):
            return tree
        mine = first if isinstance(first, dict) else {}
        return {
            k: _adopt(tree[k], other.get(k), mine.get(k), theirs.get(k, _MISSING), v)
            for k, v in new.items()
        }
    if is_rows(new) and isinstance(tree, list):
        if not (isinstance(other, list) and is_rows(theirs) and len(theirs) == len(new)):
            return tree
        rows = first if is_rows(first) and len(first) == len(new) else [None] * len(new)
        return [
            _adopt(t, o, a, b, n)
            for t, o, a, b, n in zip(tree, other, rows, theirs, new, strict=False)
        ]
    if theirs is not _MISSING and same(theirs, new) and not same(first, new):
        return other
    return tree


def case_blame(cases_dir: Path, case_id: str, path: str | None = None) -> list[BlameLine]:
    """For each field of the case (or under ``path``): the last commit, person and time that
    changed it — followed across row insertions and deletions, not by line number."""
    case_dir = _case_dir(cases_dir, case_id)
    repo = open_repo(cases_dir)
    rel_dir = _rel(repo, case_dir)
    state: dict[str, tuple[dict[str, Any], Tree]] = {}
    last: tuple[dict[str, Any], Tree] | None = None
    found = revisions(repo, rel_dir, oldest_first=True, only=CASE_FILE)
    preload(repo, found)
    for rev in found:
        blob = rev.files.get(
            CASE_FILE, (None, object_id(repo, f"{rev.commit}:{rel_dir}/{CASE_FILE}"))
        )[1]
        new = data_of_blob(repo, blob)
        if new is None:  # a broken version: blame carries over it
            if rev.parents and rev.parents[0] in state:
                state[rev.commit] = state[rev.parents[0]]
            continue
        base = state.get(rev.parents[0]) if rev.parents else None
        tree = _carry(base[1], base[0], new, rev) if base else _fresh(new, rev)
        for parent in rev.parents[1:]:
            if parent in state:
                theirs, other = state[parent]
                tree = _adopt(tree, other, base[0] if base else None, theirs, new)
        state[rev.commit] = (new, tree)
        last = state[rev.commit]
    refuse_links(case_dir, case_id)
    on_disk = (
        parse_cached(read_regular(case_dir / CASE_FILE)[0])
        if (case_dir / CASE_FILE).is_file()
        else None
    )
    if on_disk is None:
        if last is None:
            raise StoreError(f"{case_id}/case.toml 不存在或无法解析；请先修复")
        current, tree = last
    else:
        current = on_disk
        tree = _carry(last[1], last[0], on_disk, None) if last else _fresh(on_disk, None)
    lines: list[BlameLine] = []
    _flatten(current, tree, (), lines)
    if path:
        try:
            parse_path(path)
        except PathError as exc:
            raise StoreError(str(exc)) from exc
        lines = [b for b in lines if b.path == path or b.path.startswith((path + ".", path + "["))]
        if not lines:
            raise StoreError(
                f"{case_id} 中没有字段 {path!r}；请用 anjuan blame {case_id} 列出所有字段"
            )
    return lines


def _flatten(data: Any, tree: Tree, at: tuple[Any, ...], out: list[BlameLine]) -> None:
    if isinstance(data, dict) and isinstance(tree, dict):
        for k, v in data.items():
            _flatten(v, tree.get(k), (*at, k), out)
        return
    if is_rows(data) and data and isinstance(tree, list):
        for n, (row, sub) in enumerate(zip(data, tree, strict=False), 1):
            _flatten(row, sub, (*at, n), out)
        return
    rev = tree if isinstance(tree, Revision) else None
    out.append(
        BlameLine(
            format_path(at),
            data,
            rev.commit if rev else None,
            rev.author if rev else None,
            rev.trailer(LOGIN_TRAILER) if rev else None,
            rev.time if rev else None,
            rev.committer if rev else None,
        )
    )


def field_log(cases_dir: Path, case_id: str, path: str) -> list[LogEntry]:
    """The log entries that touched a field (or a table/row containing it, or fields under it),
    newest first, each with only those changes. Rows are matched by their number at the time
    of each commit; ``case_blame`` follows a row across insertions."""
    try:
        parse_path(path)
    except PathError as exc:
        raise StoreError(str(exc)) from exc

    def touches(change: FieldChange) -> bool:
        p = change.path
        return (
            p == path
            or p.startswith((path + ".", path + "["))
            or path.startswith((p + ".", p + "["))
        )

    out = []
    for entry in case_log(cases_dir, case_id):
        mine = [c for c in entry.changes if touches(c)]
        if mine:
            out.append(
                LogEntry(
                    entry.commit,
                    entry.author,
                    entry.email,
                    entry.login,
                    entry.time,
                    entry.reason,
                    entry.subject,
                    mine,
                    entry.committer,
                    entry.committer_email,
                )
            )
    return out
