"""``anjuan set``, ``restore``, ``log``, ``diff``, ``blame``: the versioned store from the shell.

A thin face over ``tui.core.store`` and ``tui.core.history``: every value from a case file is
printed through ``safe()``, every failure is exit 2 with a message that says what to do.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .cli import (
    EXIT_OK,
    CommandError,
    SubParsers,
    add_command,
    case_ids_of,
    cases_dir_of,
    out,
    out_json,
    safe,
    today_of,
)


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub, common, "set", cmd_set, "change fields (VALUE is a TOML value), validate, save, commit",
        today=True, reason=True,
    )  # fmt: skip
    p.add_argument("pairs", nargs="+", metavar="PATH VALUE")

    p = add_command(
        sub, common, "restore", cmd_restore, "bring a case back to an earlier version, as a new commit",
        today=True, reason=True,
    )  # fmt: skip
    p.add_argument("rev", metavar="REV")

    p = add_command(
        sub, common, "log", cmd_log, "the audit trail of a case, field by field", json_format=True
    )
    p.add_argument("-n", "--max-count", type=int, default=None, metavar="N")

    p = add_command(
        sub, common, "diff", cmd_diff, "field-level difference (default: last commit vs working file)",
        json_format=True,
    )  # fmt: skip
    p.add_argument("revs", nargs="*", metavar="REV")

    p = add_command(
        sub, common, "blame", cmd_blame, "for each field: the last commit, person and time",
        json_format=True,
    )  # fmt: skip
    p.add_argument("path", nargs="?", metavar="PATH")


def _say(message: str) -> None:
    print(f"anjuan: {safe(message)}", file=sys.stderr)


def _refused(exc: Any, message: str) -> CommandError:
    """The findings that refused a save, on stderr; the error to raise (exit 2)."""
    for f in exc.findings:
        print(safe(f"  错误  {f.rule:<14} {f.path or ''}  {f.message}"), file=sys.stderr)
    return CommandError(message)


def _print_saved(result: Any, saved: str, unchanged: str) -> bool:
    """The store's notes, then what was committed (``saved`` with ``{commit}``) and the fields
    it changed, or ``unchanged``. True when a commit was made."""
    for note in result.notes:
        _say(note)
    if result.commit is None:
        out(unchanged)
        return False
    out(saved.format(commit=result.commit[:10]))
    for change in result.changes:
        out(f"  {safe(change.describe())}")
    return True


def _one_case(args: argparse.Namespace) -> Any:
    cases_dir = cases_dir_of(args)
    case_ids_of(cases_dir, [args.case_id])
    return cases_dir


MAX_VALUE_DEPTH = 16  # the form's deepest field is a list in a row of a table: 3 levels


def _depth(value: Any) -> int:
    """How many lists and tables a value nests (iteratively: a deep value must not recurse)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            if level <= MAX_VALUE_DEPTH:
                stack.extend(
                    (v, level) for v in (item.values() if isinstance(item, dict) else item)
                )
    return deepest


def cmd_set(args: argparse.Namespace) -> int:
    from .core.case import Case, data_and_form
    from .core.edit import apply_changes, parse_value
    from .core.paths import PathError
    from .core.store import SaveRefused, update_case

    cases_dir = _one_case(args)
    if len(args.pairs) % 2:
        raise CommandError(
            f"PATH 和 VALUE 应成对给出（收到 {len(args.pairs)} 个参数）；"
            '例如 anjuan set XH-2022-001 targets.info_pushes 1500 applicant.lead.mobile "13800000000"'
        )
    pairs = list(zip(args.pairs[::2], args.pairs[1::2], strict=True))
    values: dict[str, Any] = {}
    for path, value in pairs:
        try:
            values[path] = parse_value(value)
        except PathError as exc:
            raise CommandError(str(exc)) from exc
        except RecursionError:
            depth = MAX_VALUE_DEPTH + 1  # deeper than the parser goes: refused just below
        else:
            depth = _depth(values[path])
        if depth > MAX_VALUE_DEPTH:
            raise CommandError(
                f"{path} 的值嵌套的列表或表超过 {MAX_VALUE_DEPTH} 层（申报书没有这么深的字段）；请只给出该字段的值，"
                '如文字、数字、日期或一层列表 ["a", "b"]；文件未改动'
            )

    def change(current: dict[str, Any]) -> dict[str, Any]:
        # Called under the repository's lock with the file as it is now, so that several
        # people's ``set`` queue instead of refusing each other.
        _, form = data_and_form(Case(args.case_id, cases_dir / args.case_id, current, None), "修改")
        try:
            return apply_changes(current, values, form.node)
        except PathError as exc:
            raise CommandError(str(exc)) from exc

    try:
        result = update_case(
            cases_dir,
            args.case_id,
            change,
            as_name=getattr(args, "as_name", None),
            reason=args.reason,
            today=today_of(args),
            on_wait=_say,
        )
    except SaveRefused as exc:
        raise _refused(exc, f"{args.case_id} 未保存：上面的问题需要先改正（文件未改动）") from exc
    if _print_saved(
        result,
        f"已保存 {args.case_id}，提交 {{commit}}",
        f"{args.case_id} 没有变化（值与文件中相同），未提交",
    ):
        for left in result.leftover:
            out(f"  （一并提交此前未提交的修改）{safe(left.describe())}")
    _print_findings(result.findings, [p for p, _ in pairs])
    return EXIT_OK


def _print_findings(findings: list[Any], paths: list[str]) -> None:
    """The findings about the fields just changed, and a count of the rest."""
    words = {"error": "错误", "warning": "警告"}
    related = [
        f
        for f in findings
        if f.path and any(f.path == p or f.path.startswith((p + ".", p + "[")) for p in paths)
    ]
    for f in related:
        out(safe(f"  {words.get(f.severity, f.severity)}  {f.rule:<22} {f.path}  {f.message}"))
    errors = sum(1 for f in findings if f.counts_as_error)
    warnings = sum(1 for f in findings if f.counts_as_warning)
    if errors or warnings:
        out(f"  本案卷共 {errors} 个错误，{warnings} 个警告（anjuan validate 查看全部）")


def cmd_restore(args: argparse.Namespace) -> int:
    from .core.history import restore_case
    from .core.store import SaveRefused

    cases_dir = _one_case(args)
    try:
        result = restore_case(
            cases_dir,
            args.case_id,
            args.rev,
            as_name=getattr(args, "as_name", None),
            reason=args.reason,
            today=today_of(args),
            on_wait=_say,
        )
    except SaveRefused as exc:
        raise _refused(exc, f"{args.case_id} 未恢复：那个版本有上面的问题（文件未改动）") from exc
    _print_saved(
        result,
        f"已把 {args.case_id} 恢复到 {safe(args.rev)} 的版本，新提交 {{commit}}",
        f"{args.case_id} 已与 {safe(args.rev)} 的版本相同，未提交",
    )
    return EXIT_OK


def who_line(author: str, committer: str | None, login: str | None) -> str:
    """The author, and who really committed when that is someone else (``--as``, or a plain
    git commit by another account), and the login trailer when it says something new."""
    notes = []
    if committer and committer != author:
        notes.append(f"提交者 {committer}")
    if login and login != committer and login != author:
        notes.append(f"登录 {login}")
    return author + (f"（{'，'.join(notes)}）" if notes else "")


def cmd_log(args: argparse.Namespace) -> int:
    from .core.history import case_log

    cases_dir = _one_case(args)
    entries = case_log(cases_dir, args.case_id, limit=args.max_count)
    if args.format == "json":
        out_json({"case": args.case_id, "log": [e.to_json() for e in entries]})
        return EXIT_OK
    for entry in entries:
        who = who_line(entry.author, entry.committer, entry.login)
        out(f"{entry.commit[:10]}  {entry.time:%Y-%m-%d %H:%M}  {safe(who)}")
        if entry.reason:
            out(f"    理由：{safe(entry.reason)}")
        if not entry.changes:
            out(f"    （没有字段变化）{safe(entry.subject)}")
        for change in entry.changes:
            out(f"    {safe(change.describe())}")
    if not entries:
        out(f"{args.case_id} 还没有提交记录")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from .core.history import case_diff

    cases_dir = _one_case(args)
    if len(args.revs) > 2:
        raise CommandError("diff 最多接受两个版本：anjuan diff CASE-ID [REV [REV]]")
    changes = case_diff(cases_dir, args.case_id, *args.revs)
    if args.format == "json":
        out_json([c.to_json() for c in changes])
        return EXIT_OK
    for change in changes:
        out(safe(change.describe(width=200)))
    if not changes:
        out("没有字段变化")
    return EXIT_OK


def cmd_blame(args: argparse.Namespace) -> int:
    from .core.history import case_blame

    cases_dir = _one_case(args)
    lines = case_blame(cases_dir, args.case_id, args.path)
    if args.format == "json":
        out_json([b.to_json() for b in lines])
        return EXIT_OK
    for b in lines:
        commit = b.commit[:10] if b.commit else "未提交    "
        when = f"{b.time:%Y-%m-%d %H:%M}" if b.time else " " * 16
        who = who_line(b.author or "", b.committer, None) if b.commit else ""
        out(safe(f"{commit}  {when}  {who:<12}  {b.path} = {b.shown()}"))
    return EXIT_OK
