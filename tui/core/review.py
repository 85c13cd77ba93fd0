"""Reviewers' files: ``<case>/reviews/<reviewer>.toml``, one per reviewer, and their waivers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .case import parse_toml_bytes, read_limited
from .findings import Finding
from .paths import PathError, format_path, get_at, parse_path
from .safefs import NotPlainFile, folder_problem
from .schema import Form, load_review_schema

REVIEWS_DIR = "reviews"
DECISIONS = ("", "recommend", "revise", "reject")


@dataclass(frozen=True)
class Review:
    """One reviewer's file as read (data None when the file is broken)."""

    reviewer: str
    file: str  # relative to the case folder, e.g. reviews/li.wei.toml
    data: dict[str, Any] | None
    version: str | None
    error: Finding | None = None

    @property
    def decision(self) -> str:
        value = (self.data or {}).get("decision", "")
        return value if isinstance(value, str) else ""

    @property
    def score(self) -> int | None:
        value = (self.data or {}).get("score")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def waivers(self) -> Iterator[tuple[int, str, str]]:
        """(1-based row, rule, reason) of each well-formed waiver."""
        rows = (self.data or {}).get("waivers", [])
        if isinstance(rows, list):
            for n, row in enumerate(rows, 1):
                if isinstance(row, dict) and isinstance(row.get("rule"), str):
                    reason = row.get("reason")
                    yield n, row["rule"], reason if isinstance(reason, str) else ""

    def notes(self) -> list[dict[str, Any]]:
        rows = (self.data or {}).get("notes", [])
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def read_reviews(case_dir: Path) -> list[Review]:
    """Every ``reviews/*.toml`` of a case, in name order. A broken file is a Review with an error."""
    folder = case_dir / REVIEWS_DIR
    problem = folder_problem(folder, REVIEWS_DIR)
    if problem:
        return [
            Review(
                REVIEWS_DIR,
                REVIEWS_DIR,
                None,
                None,
                Finding("TOML.PARSE", "error", None, problem, file=REVIEWS_DIR),
            )
        ]
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.toml")):
        rel = f"{REVIEWS_DIR}/{path.name}"
        try:
            raw, size = read_limited(path, rel)
        except OSError as exc:
            said = (
                str(exc.strerror)
                if isinstance(exc, NotPlainFile)
                else f"{rel}：无法读取：{exc.strerror}"
            )
            out.append(
                Review(
                    path.stem,
                    rel,
                    None,
                    None,
                    Finding("TOML.PARSE", "error", None, said, file=rel),
                )
            )
            continue
        parsed = parse_toml_bytes(raw, rel, size)
        reviewer = path.stem
        claimed = _claimed(parsed.data)
        # the name a file is under is whose it is: a ``reviewer`` field that names someone
        # else (REVIEW.SCHEMA) never makes its waivers or notes theirs
        if claimed and reviewer_file_name(claimed) == path.name:
            reviewer = claimed
        out.append(Review(reviewer, rel, parsed.data, parsed.version, parsed.error))
    return out


def _claimed(data: dict[str, Any] | None) -> str | None:
    value = (data or {}).get("reviewer")
    return value.strip() if isinstance(value, str) and value.strip() else None


def check_review(
    review: Review, form: Form | None, case_data: dict[str, Any] | None
) -> list[Finding]:
    """REVIEW.SCHEMA and REVIEW.WAIVER findings of one review file (TOML.PARSE when broken)."""
    if review.data is None:
        return [review.error] if review.error else []
    from .rules.structure import WALK_RULES, SchemaWalk  # the same walk as case files

    findings: list[Finding] = []
    schema = load_review_schema()

    def label(parts: tuple[Any, ...]) -> str:
        return f"{review.file} {format_path(parts)}" if parts else review.file

    walk = SchemaWalk(
        label,
        rule_for=dict.fromkeys(WALK_RULES, "REVIEW.SCHEMA"),
    )
    for _rid, _parts, message in walk.walk(schema, review.data, ()):
        findings.append(Finding("REVIEW.SCHEMA", "error", None, message, file=review.file))
    claimed = _claimed(review.data)
    under = review.file.rsplit("/", 1)[-1]
    if claimed and reviewer_file_name(claimed) != under:
        findings.append(
            Finding(
                "REVIEW.SCHEMA",
                "error",
                None,
                f"{review.file} reviewer = {claimed!r} 与文件名不符：评审文件只能以本人的名字命名，"
                f"{claimed} 的评审应在 reviews/{reviewer_file_name(claimed)}；"
                f"请把 reviewer 改为 {under.removesuffix('.toml')!r}",
                file=review.file,
            )
        )
    for n, note in enumerate(review.notes(), 1):
        path = note.get("path")
        if not isinstance(path, str) or not path:
            continue
        problem = _note_path_problem(path, form, case_data)
        if problem:
            findings.append(
                Finding(
                    "REVIEW.SCHEMA",
                    "error",
                    None,
                    f"{review.file} 第{n}条批注：字段「{path}」{problem}",
                    file=review.file,
                )
            )
    for n, rule_id, _reason in review.waivers():
        if form is None:
            continue
        if rule_id not in form.rules:
            findings.append(
                Finding(
                    "REVIEW.WAIVER",
                    "error",
                    None,
                    f"{review.file} 第{n}条豁免：没有规则「{rule_id}」；请写 rules.md 中的规则编号，如 ELIG.ENTERPRISES",
                    file=review.file,
                )
            )
        elif not form.waivable(rule_id):
            allowed = "、".join(r for r, m in form.rules.items() if m.waivable)
            findings.append(
                Finding(
                    "REVIEW.WAIVER",
                    "error",
                    None,
                    f"{review.file} 第{n}条豁免：规则 {rule_id} 不可豁免；可豁免的只有 {allowed}",
                    file=review.file,
                )
            )
    return findings


def _note_path_problem(
    path: str, form: Form | None, case_data: dict[str, Any] | None
) -> str | None:
    try:
        parts = parse_path(path)
    except PathError:
        return "不是字段路径；应写成如 annex1[5].received_yuan"
    if form is not None and form.node(parts) is None:
        return "在申报书中不存在；请改为存在的字段"
    if case_data is not None:
        rows = [i for i, p in enumerate(parts) if isinstance(p, int)]
        if rows and get_at(case_data, parts[: rows[-1] + 1]) is None:
            return "所在的行在案卷中不存在"
    return None


def apply_waivers(findings: list[Finding], reviews: list[Review], form: Form) -> list[Finding]:
    """Mark findings of waivable rules that a reviewer waived: still reported, with who and why.

    A waiver without a reason waives nothing (its file gets a REVIEW.SCHEMA finding).
    """
    waived: dict[str, tuple[str, str]] = {}
    for review in reviews:
        for _n, rule_id, reason in review.waivers():
            if form.waivable(rule_id) and reason.strip() and rule_id not in waived:
                waived[rule_id] = (review.reviewer, reason)
    if not waived:
        return findings
    return [
        f.waived(*waived[f.rule]) if f.rule in waived and f.file == "case.toml" else f
        for f in findings
    ]


# --- writing one's own review -----------------------------------------------------------------


def reviewer_file_name(reviewer: str) -> str:
    """``li.wei`` → ``li.wei.toml``: the reviewer's name made safe as a file name."""
    safe = "".join(c if c.isalnum() or c in "._-" else "." for c in reviewer).strip(".")
    return f"{safe or 'reviewer'}.toml"


def save_review(
    cases_dir: Path,
    case_id: str,
    data: dict[str, Any],
    *,
    as_name: str | None = None,
    expected_version: str | None = None,
) -> tuple[str, str]:
    """Save the reviewer's own ``reviews/<reviewer>.toml`` and commit it; (commit, version).

    The reviewer is the one this process's account may write as (``people.my_reviewer_name``:
    ``as_name`` must agree with it, else NotYourReview and nothing is written). It goes through the store's save (only
    changed values rewritten, comments kept, schema check, lock, one commit);
    ``expected_version`` None means the file must not exist yet (ConflictError otherwise).
    """
    from .people import my_reviewer_name
    from .store import ConflictError
    from .store import save_review as store_save_review

    reviewer = my_reviewer_name(cases_dir, as_name)
    file_name = reviewer_file_name(reviewer)
    content = {"reviewer": reviewer, **{k: v for k, v in data.items() if k != "reviewer"}}
    path = cases_dir / case_id / REVIEWS_DIR / file_name
    if expected_version is None and path.exists():
        raise ConflictError(
            f"{case_id}/{REVIEWS_DIR}/{file_name} 在你打开之后已被建立；请重新打开评审再保存（你的内容未写入）"
        )
    decision = content.get("decision") or "未定"
    result = store_save_review(
        cases_dir,
        case_id,
        file_name,
        content,
        as_name=as_name,
        expected_version=expected_version,
        subject=f"{case_id}: {reviewer} 的评审（{decision}）",
    )
    return result.commit or "", result.version
