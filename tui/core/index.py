"""One summary per case for the case list and ``anjuan summary``, without re-reading every case.

Parsing and checking 1,000 cases of 36 KB takes seconds, so summaries are kept in an index
outside the tracked tree (``<git dir>/anjuan/index-<key>.json``). Each entry is keyed by
what its summary depends on: the git blob ids of ``case.toml`` and of every
``reviews/*.toml``, and the names of the files in the case folder (evidence rules check
that files exist). The index file as a whole is keyed by the code and schema files. The
day matters only to rules that ask ``Context.after_today(d)``: an entry keeps the days on
which its summary holds — from the latest date it asked about that had come, until the
earliest that had not — so a new day re-checks only the cases with a date in between.
Blob ids come from one ``git ls-files`` call; a file that differs from git's index (edited,
new, ignored) is hashed from its bytes, so the index is never trusted over the file. A
corrupt, stale or foreign index is rebuilt, never believed.

Last editor and time of each case come from one ``git log`` call, cached by HEAD and
extended incrementally when HEAD moves forward.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .case import blob_id, read_case
from .findings import CASE_FILE, Finding
from .gitsafe import safe_env
from .repo import list_case_ids
from .review import REVIEWS_DIR
from .safefs import read_regular
from .schema import schema_dir

if TYPE_CHECKING:
    from .validate import CaseReport

INDEX_FORMAT = 4  # 4: entries keep their findings (validate reads them)
INDEX_DIR = "anjuan"


@dataclass(frozen=True)
class CaseSummary:
    """What the list shows of a case without opening it."""

    case_id: str
    applicant: str
    park: str
    status: str
    errors: int
    warnings: int
    broken: bool
    enterprises: int | None
    smes: int | None
    requested_wan: Decimal | None
    decisions: tuple[str, ...]
    mean_score: Decimal | None
    version: str | None
    last_editor: str | None = None  # author of the last commit that changed case.toml
    last_edited: str | None = None  # its author date, ISO 8601 with offset


def summarize(report: CaseReport) -> CaseSummary:
    data = report.case.data or {}
    applicant = data.get("applicant") if isinstance(data.get("applicant"), dict) else {}
    foundation = data.get("foundation") if isinstance(data.get("foundation"), dict) else {}
    assert isinstance(applicant, dict) and isinstance(foundation, dict)

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    def count(value: object) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    requested: Decimal | None = None
    budget = data.get("budget")
    if isinstance(budget, list):
        requested = Decimal(0)
        for row in budget:
            amount = row.get("amount_wan") if isinstance(row, dict) else None
            if isinstance(amount, int | Decimal) and not isinstance(amount, bool):
                requested += amount
    scores = [r.score for r in report.reviews if r.score is not None]
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1")) if scores else None
    return CaseSummary(
        case_id=report.case_id,
        applicant=text(applicant.get("name")),
        park=text(applicant.get("park_name")),
        status=report.case.status,
        errors=report.errors,
        warnings=report.warnings,
        broken=report.case.broken,
        enterprises=count(foundation.get("enterprises")),
        smes=count(foundation.get("smes")),
        requested_wan=requested,
        decisions=tuple(f"{r.reviewer}:{r.decision}" for r in report.reviews if r.decision),
        mean_score=mean,
        version=report.case.version,
    )


@dataclass
class IndexStats:
    """What one ``case_summaries`` call did: cases read and checked, summaries reused."""

    checked: int = 0
    reused: int = 0


@dataclass(frozen=True)
class CheckedCase:
    """What ``anjuan validate`` reports of a case, as checked now or kept in the index."""

    summary: CaseSummary
    form_name: str | None
    findings: tuple[Finding, ...]

    @property
    def case_id(self) -> str:
        return self.summary.case_id

    @property
    def status(self) -> str:
        return self.summary.status

    @property
    def broken(self) -> bool:
        return self.summary.broken

    @property
    def errors(self) -> int:
        return self.summary.errors

    @property
    def warnings(self) -> int:
        return self.summary.warnings

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "form": self.form_name,
            "status": self.status or None,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_json() for f in self.findings],
        }


def case_summaries(
    cases_dir: Path,
    today: date | None = None,
    *,
    stats: IndexStats | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CaseSummary]:
    """A summary of every case in the directory, in name order. Never raises for a bad file.

    ``stats``, when given, is filled in with how many cases were checked and reused;
    ``progress``, when given, is called with (cases done, all cases) after each case."""
    return [c.summary for c in checked_cases(cases_dir, today, stats=stats, progress=progress)]


def checked_cases(
    cases_dir: Path,
    today: date | None = None,
    case_ids: list[str] | None = None,
    *,
    stats: IndexStats | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CheckedCase]:
    """The findings of the cases named (default: every case), from the index where it holds.

    Shared by ``validate``, ``summary`` and the case list: a case is read and checked only
    when a file it depends on, the code, the schema or (for date rules) the day changed.
    Entries of cases not named are kept as they were."""
    today = today or date.today()
    stats = stats if stats is not None else IndexStats()
    asked = _GitView.ask(cases_dir)  # git works while the folder is listed
    ids = case_ids if case_ids is not None else list_case_ids(cases_dir)[0]
    index_key = _index_key()
    git = _GitView.answer(asked)
    step = _counter(progress, len(ids))
    if git is None:
        stats.checked += len(ids)
        checked_now = _check_all(cases_dir, ids, today, step)
        return [checked_now[cid][0] for cid in ids]
    path = git.git_dir / INDEX_DIR / f"index-{index_key[:20]}.json"
    stored = _load(path, index_key)
    log = _editors(cases_dir, git, stored.get("log"))
    edits: dict[str, list[str]] = log["cases"]
    old_cases: dict[str, Any] = stored.get("cases", {})
    # a partial run (some case IDs) keeps the other entries; a full run drops removed cases
    new_cases: dict[str, Any] = {} if case_ids is None else dict(old_cases)
    keys: dict[str, str | None] = {}
    kept: dict[str, CheckedCase] = {}
    for cid in ids:
        key = keys[cid] = _case_key(cases_dir, cid, git)
        editor, edited = edits.get(cid) or (None, None)
        entry = old_cases.get(cid)
        if (
            key is not None
            and isinstance(entry, dict)
            and entry.get("key") == key
            and _holds_on(entry.get("days"), today)
        ):
            checked = _decode_checked(entry, cid, editor, edited)
            if checked is not None:
                kept[cid] = checked
    for _ in kept:
        step()
    stale = [cid for cid in ids if cid not in kept]
    fresh = _check_all(cases_dir, stale, today, step)
    stats.checked += len(stale)
    stats.reused += len(kept)
    out: list[CheckedCase] = []
    for cid in ids:
        key = keys[cid]
        if cid in kept:
            checked = kept[cid]
            entry = old_cases[cid]
        else:
            editor, edited = edits.get(cid) or (None, None)
            made, days = fresh[cid]
            entry = {"key": key, **_encode_checked(made), "days": days}
            checked = replace(
                made, summary=replace(made.summary, last_editor=editor, last_edited=edited)
            )
        if key is not None:
            new_cases[cid] = entry
        else:
            new_cases.pop(cid, None)
        out.append(checked)
    index = {"format": INDEX_FORMAT, "key": index_key, "cases": new_cases, "log": log}
    if index != stored:
        _save(path, index)
    return out


def _counter(progress: Callable[[int, int], None] | None, total: int) -> Callable[[], None]:
    """One call per case done: tells ``progress`` (cases done, all cases)."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return step


PARALLEL_FROM = 64  # cases to check before the work is spread over every core
Checked = tuple[CheckedCase, list[str | None]]


def _check_all(
    cases_dir: Path, ids: list[str], today: date, step: Callable[[], None]
) -> dict[str, Checked]:
    """Read and check the cases, on every core when there are many (a cold start: a fresh
    clone, new code or a new schema). ``step`` is called once per case, as each finishes."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(ids) < PARALLEL_FROM:
        out: dict[str, Checked] = {}
        for cid in ids:
            out[cid] = _fresh(cases_dir, cid, today)
            step()
        return out
    # deferred for start-up speed: only a cold run over many cases starts processes.
    # forkserver, not fork: the TUI calls this from a thread, and fork copies held locks.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    chunk = max(8, len(ids) // (workers * 8))
    parts = [ids[n : n + chunk] for n in range(0, len(ids), chunk)]
    out = {}
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_fresh_part, cases_dir, part, today) for part in parts]
        for future in as_completed(futures):
            for cid, result in future.result():
                out[cid] = result
                step()
    return out


def _fresh_part(cases_dir: Path, ids: list[str], today: date) -> list[tuple[str, Checked]]:
    """A worker's share of ``_check_all``."""
    return [(cid, _fresh(cases_dir, cid, today)) for cid in ids]


def _fresh(cases_dir: Path, cid: str, today: date) -> tuple[CheckedCase, list[str | None]]:
    """The case read and checked, and the days on which its findings hold."""
    # deferred for start-up speed: a warm ``anjuan validate`` never loads the rules
    from .validate import validate_case

    report = validate_case(read_case(cases_dir / cid, cid), today)
    checked = CheckedCase(summarize(report), report.case.form_name, tuple(report.findings))
    return checked, _days(report.compared, today)


def _days(compared: frozenset[date], today: date) -> list[str | None]:
    """[from, until): the days on which every date in ``compared`` is on the same side of
    today as it is on ``today`` (``after_today(d)`` is ``d > day``: true until the day before
    d, false from d on). None: no bound on that side."""
    since = max((d for d in compared if d <= today), default=None)
    until = min((d for d in compared if d > today), default=None)
    return [
        None if since is None else since.isoformat(),
        None if until is None else until.isoformat(),
    ]


def _holds_on(days: object, today: date) -> bool:
    """Whether an entry's summary, made for one day, also holds ``today``."""
    if not isinstance(days, list) or len(days) != 2:
        return False
    try:
        since, until = (None if d is None else date.fromisoformat(d) for d in days)
    except (TypeError, ValueError):
        return False
    return (since is None or since <= today) and (until is None or today < until)


# --- what git knows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _GitView:
    """Blob ids of the files git tracks under the cases folder, and those it says differ."""

    git_dir: Path
    head: str | None
    blobs: dict[str, str]  # path relative to the cases folder -> blob id in git's index
    dirty: frozenset[str]  # changed, deleted or untracked in the working tree

    @staticmethod
    def ask(cases_dir: Path) -> list[subprocess.Popen[bytes]] | None:
        """Start the two git calls; ``answer`` collects them."""
        # -s: blob id of each tracked file; -m -d -o -t: tagged lines for the ones that differ.
        # Only the files a summary reads: case.toml and reviews/*.toml of each case folder.
        calls = [
            ("rev-parse", "--absolute-git-dir", "--verify", "-q", "HEAD"),
            (
                *("ls-files", "-z", "-s", "-m", "-d", "-o", "-t", "--exclude-standard", "--"),
                *(f":(glob)*/{CASE_FILE}", f":(glob)*/{REVIEWS_DIR}/*.toml"),
            ),
        ]
        started: list[subprocess.Popen[bytes]] = []
        for args in calls:
            proc = _spawn(cases_dir, *args)
            if proc is None:
                for other in started:
                    other.kill()
                    other.communicate()
                return None
            started.append(proc)
        return started

    @classmethod
    def answer(cls, asked: list[subprocess.Popen[bytes]] | None) -> _GitView | None:
        """The view of git, or None when the folder is not in a git work tree."""
        if asked is None:
            return None
        (where_out, _e), (listed_out, _e2) = (p.communicate() for p in asked)
        if asked[0].returncode not in (0, 1) or asked[1].returncode != 0:
            return None
        lines = where_out.decode("utf-8", "surrogateescape").splitlines()
        if not lines:
            return None
        head = lines[1].strip() if asked[0].returncode == 0 and len(lines) > 1 else None
        blobs: dict[str, str] = {}
        dirty: set[str] = set()
        for record in listed_out.decode("utf-8", "surrogateescape").split("\0"):
            if len(record) < 3:
                continue
            tag, rest = record[0], record[2:]
            if tag == "?":
                dirty.add(rest)
                continue
            meta, _tab, name = rest.partition("\t")
            if tag == "H":
                parts = meta.split()
                if len(parts) == 3 and parts[2] == "0":
                    blobs[name] = parts[1]
                else:
                    dirty.add(name)  # not a plain staged file (e.g. a merge conflict)
            else:
                dirty.add(name)
        return cls(Path(lines[0].strip()), head, blobs, frozenset(dirty))

    def blob(self, cases_dir: Path, rel: str) -> str | None:
        """The blob id of the file as it is now on disk (None when it cannot be read)."""
        known = self.blobs.get(rel)
        if known is not None and rel not in self.dirty:
            return known
        try:
            return blob_id(read_regular(cases_dir / rel)[0])  # never a link, nor a FIFO
        except OSError:
            return None


_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def _spawn(cwd: Path, *args: str) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **_GIT_ENV, **safe_env(cwd)},
        )
    except OSError:
        return None


def _git(cwd: Path, *args: str) -> tuple[int, str] | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            env={**os.environ, **_GIT_ENV, **safe_env(cwd)},
        )
    except OSError:
        return None
    return done.returncode, done.stdout.decode("utf-8", "surrogateescape")


# --- keys -------------------------------------------------------------------------------------

_CODE_KEY: str | None = None


def _index_key() -> str:
    """What makes every summary stale: the code and the schema files."""
    global _CODE_KEY
    if _CODE_KEY is None:
        digest = hashlib.sha256(str(INDEX_FORMAT).encode())
        digest.update(",".join(f.name for f in fields(CaseSummary)).encode())
        core = Path(__file__).resolve().parent
        for source in sorted(core.rglob("*.py")):
            digest.update(source.relative_to(core).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
        _CODE_KEY = digest.hexdigest()
    digest = hashlib.sha256(_CODE_KEY.encode())
    folder = schema_dir()
    with contextlib.suppress(OSError):
        for schema in sorted(folder.glob("*.json")):
            digest.update(schema.name.encode() + b"\0" + schema.read_bytes())
    return digest.hexdigest()


def _case_key(cases_dir: Path, cid: str, git: _GitView) -> str | None:
    """The blob ids and file names that a case's summary depends on; None: do not cache."""
    names: list[str] = []
    folder = f"{cases_dir}{os.sep}{cid}"
    cut = len(folder) + 1
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None  # evidence through a link depends on files outside
                    if entry.is_dir():
                        stack.append(entry.path)
                    else:
                        names.append(entry.path[cut:])
        except OSError:
            return None
    if os.sep != "/":
        names = [n.replace(os.sep, "/") for n in names]
    names.sort()
    parts = []
    reviews = f"{REVIEWS_DIR}/"
    for name in names:
        if name == CASE_FILE or (name.startswith(reviews) and name.endswith(".toml")):
            blob = git.blob(cases_dir, f"{cid}/{name}")
            if blob is None:
                return None
            parts.append(f"{name}\0{blob}")
        else:
            parts.append(name)
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


# --- last editor per case ---------------------------------------------------------------------


def _editors(cases_dir: Path, git: _GitView, cached: object) -> dict[str, Any]:
    """{"head": sha, "cases": {case_id: [author, ISO date]}} of the last commit to each case.toml."""
    if git.head is None:
        return {"head": None, "cases": {}}
    old: dict[str, list[str]] = {}
    since: str | None = None
    if (
        isinstance(cached, dict)
        and isinstance(cached.get("head"), str)
        and isinstance(cached.get("cases"), dict)
        and all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
            for v in cached["cases"].values()
        )
    ):
        if cached["head"] == git.head:
            return cached
        ancestor = _git(cases_dir, "merge-base", "--is-ancestor", cached["head"], git.head)
        if ancestor is not None and ancestor[0] == 0:
            old, since = dict(cached["cases"]), cached["head"]
    revs = f"{since}..{git.head}" if since else git.head
    done = _git(
        cases_dir,
        "log",
        "--no-renames",
        "--relative",
        "--name-only",
        "--format=%x01%an%x1f%aI",
        revs,
        "--",
        ".",
    )
    if done is None or done[0] != 0:
        return {"head": None, "cases": {}}
    newer: dict[str, list[str]] = {}
    who: list[str] | None = None
    for line in done[1].split("\n"):
        if line.startswith("\x01"):
            name, _sep, when = line[1:].partition("\x1f")
            who = [name, when]
        elif who is not None and line.endswith(f"/{CASE_FILE}") and line.count("/") == 1:
            newer.setdefault(line.split("/", 1)[0], who)
    return {"head": git.head, "cases": {**old, **newer}}


# --- the index file ---------------------------------------------------------------------------


def _load(path: Path, index_key: str) -> dict[str, Any]:
    """The stored index if it is whole and for this key; else empty (it will be rebuilt)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    check, _nl, body = raw.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != check:
        return {}
    try:
        stored = json.loads(body)
    except ValueError:
        return {}
    if (
        not isinstance(stored, dict)
        or stored.get("format") != INDEX_FORMAT
        or stored.get("key") != index_key
        or not isinstance(stored.get("cases"), dict)
    ):
        return {}
    return stored


def _save(path: Path, index: dict[str, Any]) -> None:
    """Write the index atomically; indexes of other versions are removed. Best effort."""
    from .store import atomic_write

    body = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        for other in path.parent.glob("index-*.json"):
            if other != path:
                other.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only repository still shows the list, just without the speed-up


_FIELDS = [f.name for f in fields(CaseSummary)]
_FINDING_FIELDS = [f.name for f in fields(Finding)]
_FINDING_KINDS: dict[str, tuple[type, ...]] = {
    "rule": (str,),
    "severity": (str,),
    "path": (str, type(None)),
    "message": (str,),
    "file": (str,),
    "line": (int, type(None)),
    "column": (int, type(None)),
    "waived_by": (str, type(None)),
    "waiver_reason": (str, type(None)),
}
_FINDING_KIND_LIST = [_FINDING_KINDS[name] for name in _FINDING_FIELDS]


def _encode_checked(checked: CheckedCase) -> dict[str, Any]:
    return {
        "summary": _encode(checked.summary),
        "form": checked.form_name,
        "findings": [[getattr(f, n) for n in _FINDING_FIELDS] for f in checked.findings],
    }


def _decode_checked(
    entry: dict[str, Any], case_id: str, editor: str | None, edited: str | None
) -> CheckedCase | None:
    """A checked case from its entry, or None if anything in it is not what it should be."""
    summary = _decode(entry.get("summary"), case_id, editor, edited)
    form, raw = entry.get("form"), entry.get("findings")
    if summary is None or type(form) not in (str, type(None)) or not isinstance(raw, list):
        return None
    found: list[Finding] = []
    for item in raw:
        if not isinstance(item, list) or len(item) != len(_FINDING_FIELDS):
            return None
        for value, kinds in zip(item, _FINDING_KIND_LIST, strict=True):
            if type(value) not in kinds:
                return None
        finding = Finding(*item)
        if finding.severity not in ("error", "warning"):
            return None
        found.append(finding)
    result = CheckedCase(summary, form, tuple(found))
    if (result.summary.errors, result.summary.warnings) != (
        sum(1 for f in found if f.counts_as_error),
        sum(1 for f in found if f.counts_as_warning),
    ):
        return None
    return result


def _encode(summary: CaseSummary) -> list[Any]:
    values: list[Any] = []
    for name in _FIELDS:
        value = getattr(summary, name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        values.append(value)
    return values


_NONE = type(None)
# The JSON types each stored field may have (Decimals are stored as strings).
_KINDS: dict[str, tuple[type, ...]] = {
    "case_id": (str,),
    "applicant": (str,),
    "park": (str,),
    "status": (str,),
    "errors": (int,),
    "warnings": (int,),
    "broken": (bool,),
    "enterprises": (int, _NONE),
    "smes": (int, _NONE),
    "requested_wan": (str, _NONE),
    "decisions": (list,),
    "mean_score": (str, _NONE),
    "version": (str, _NONE),
    "last_editor": (str, _NONE),
    "last_edited": (str, _NONE),
}
_KIND_LIST = [_KINDS[name] for name in _FIELDS]


def _decode(
    raw: object, case_id: str, editor: str | None, edited: str | None
) -> CaseSummary | None:
    """A summary from its stored form, or None if anything in it is not what it should be."""
    if not isinstance(raw, list) or len(raw) != len(_FIELDS) or raw[0] != case_id:
        return None
    for value, kinds in zip(raw, _KIND_LIST, strict=True):
        if type(value) not in kinds:
            return None
    v = dict(zip(_FIELDS, raw, strict=True))
    if not all(type(d) is str for d in v["decisions"]):
        return None
    try:
        requested = None if v["requested_wan"] is None else Decimal(v["requested_wan"])
        mean = None if v["mean_score"] is None else Decimal(v["mean_score"])
    except InvalidOperation:
        return None
    v.update(
        requested_wan=requested,
        mean_score=mean,
        decisions=tuple(v["decisions"]),
        last_editor=editor,
        last_edited=edited,
    )
    return CaseSummary(**v)
