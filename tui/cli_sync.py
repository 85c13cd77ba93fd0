"""``anjuan sync`` (fetch, field-level merge, push; conflicts chosen per field) and the git
merge driver entry point ``anjuan merge-driver %O %A %B %P`` (hidden from help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli import (
    EXIT_FAIL,
    EXIT_FINDINGS,
    EXIT_OK,
    CommandError,
    SubParsers,
    cases_dir_of,
    out,
    safe,
)


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sync",
        parents=[common],
        help="fetch the remote's changes, merge them field by field, push",
        description=(
            "取回远端的修改，按字段合并，再推送。同一字段两边改得不同即为冲突："
            "逐条列出（本地 ours / 远端 theirs / 原值 base），不提交任何内容；"
            "用 --take 选定每一处后，再次同步即完成合并并推送。"
        ),
    )
    p.add_argument("--remote", metavar="NAME", help="which remote (default: upstream, else origin)")
    p.add_argument(
        "--take",
        choices=["ours", "theirs", "base"],
        metavar="ours|theirs|base",
        help="choose a side for the conflicts named (number, FILE:PATH or PATH; none: all open ones), then sync",
    )
    p.add_argument("conflicts", nargs="*", metavar="CONFLICT", help="conflicts for --take")
    p.add_argument("--list", action="store_true", help="list the conflicts waiting for a choice")
    p.add_argument("--abandon", action="store_true", help="forget a sync waiting for choices")
    p.set_defaults(handler=cmd_sync)

    # No ``help=``: argparse then leaves it out of the command list (SUPPRESS would print).
    p = sub.add_parser("merge-driver", parents=[common])
    p.add_argument("base")
    p.add_argument("ours")
    p.add_argument("theirs")
    p.add_argument("path", nargs="?", default="case.toml")
    p.set_defaults(handler=cmd_merge_driver)


def _print_conflicts(
    conflicts: list[object], only_open: bool = False, theirs: str | None = None
) -> None:
    from .core.sync import Conflict, describe

    items = [c for c in conflicts if isinstance(c, Conflict)]
    for line in describe(items, only_open, theirs):
        out(safe(line))


def cmd_sync(args: argparse.Namespace) -> int:
    from .core import sync as core

    cases_dir = cases_dir_of(args)
    if args.conflicts and not args.take:
        raise CommandError("列出冲突编号时需要 --take ours|theirs|base 指定取哪一边")
    if args.abandon:
        had = core.abandon(cases_dir)
        out("已放弃未完成的同步（仓库未被改动）" if had else "没有未完成的同步")
        return EXIT_OK
    if args.list:
        state = core.pending(cases_dir)
        if state is None or not state.conflicts:
            out("没有待解决的同步冲突")
            return EXIT_OK
        out(
            f"与 {state.remote}/{state.branch} 同步的冲突 {len(state.conflicts)} 处，"
            f"待选 {len(state.unresolved)} 处："
        )
        _print_conflicts(list(state.conflicts), theirs=state.theirs)
        return EXIT_FINDINGS if state.unresolved else EXIT_OK
    if args.take:
        state = core.choose(cases_dir, args.take, args.conflicts)
        if state.unresolved:
            out(f"已记录选择；还有 {len(state.unresolved)} 处冲突待选（未提交任何内容）：")
            _print_conflicts(list(state.conflicts), only_open=True, theirs=state.theirs)
            return EXIT_FINDINGS
        out("所有冲突都已选定，继续同步……")
    result = core.sync(cases_dir, getattr(args, "as_name", None), args.remote)
    where = f"{result.remote}/{result.branch}"
    if result.outcome == "conflicts":
        open_ = [c for c in result.conflicts if c.choice is None]
        out(
            f"与 {where} 合并时有 {len(open_)} 处冲突（同一字段两边改得不同）；"
            "已撤销这次合并，未提交任何内容，本地文件保持原样："
        )
        _print_conflicts(list(result.conflicts), theirs=result.theirs)
        out(
            "用 anjuan sync --take ours|theirs|base 编号… 逐条选定"
            "（不写编号即所有待选的都取这一边）；全部选定后自动完成合并并推送。"
        )
        return EXIT_FINDINGS
    if result.outcome == "up-to-date":
        out(f"已是最新：与 {where} 一致")
    elif result.outcome == "pushed":
        out(f"已推送本地的修改到 {where}")
    elif result.outcome == "fast-forward":
        out(f"已取回 {where} 的修改（快进到 {str(result.commit)[:10]}），本地没有要推送的修改")
    else:
        out(f"已合并 {where} 的修改（提交 {str(result.commit)[:10]}）并推送")
        for c in result.resolved:
            out(safe(f"  解决冲突 {c.where}：取 {c.choice}"))
    _report_cases(cases_dir, result.changed_cases)
    return EXIT_OK


def _report_cases(cases_dir: Path, case_ids: list[str]) -> None:
    """After taking in others' changes: which cases changed, and which now have errors
    (two edits that were each fine can together break a rule, e.g. the budget's total)."""
    if not case_ids:
        return
    from .core.validate import validate_dir

    for report in validate_dir(cases_dir, case_ids):
        line = f"  {report.case_id}：已更新"
        if report.errors:
            line += f"，合并后有 {report.errors} 个错误（anjuan validate {report.case_id} 查看）"
        out(safe(line))


def cmd_merge_driver(args: argparse.Namespace) -> int:
    """git runs this for ``merge=anjuan`` files: the result goes to %A; 1 when conflicts remain."""
    from .core.merge import merge_driver, merge_file_text

    ours = Path(args.ours)
    try:
        return merge_driver(Path(args.base), ours, Path(args.theirs), args.path)
    except Exception as exc:
        print(f"anjuan merge-driver: {safe(str(exc))}；改用逐行合并", file=sys.stderr)
        try:
            read = [
                Path(p).read_text(encoding="utf-8", errors="surrogateescape")
                for p in (args.base, args.ours, args.theirs)
            ]
            text, _ = merge_file_text(read[0], read[1], read[2])
            ours.write_text(text, encoding="utf-8", errors="surrogateescape")
        except Exception as again:
            if str(again) != str(exc):
                print(f"anjuan merge-driver: 逐行合并也失败：{safe(str(again))}", file=sys.stderr)
            return EXIT_FAIL
        return EXIT_FINDINGS
