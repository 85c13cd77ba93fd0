"""The ``anjuan`` command: a thin face over ``tui.core`` (contract: shared/spec/cli.md).

Exit codes: 0 done; 1 ``validate`` found an error; 2 the command could not do its job
(the message on stderr says what, and nothing was changed). Never asks a question.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .core.case import CONTROL_CHARS, CaseUnusable, show_controls
from .core.repo import CaseIdError, CasesDirError, check_case_id, list_case_ids, resolve_cases_dir

if TYPE_CHECKING:
    from .core.index import CheckedCase
    from .core.validate import CaseReport

EXIT_OK, EXIT_FINDINGS, EXIT_FAIL = 0, 1, 2


class CommandError(Exception):
    """The command cannot do its job: print the message, exit 2, change nothing."""


def safe(text: str) -> str:
    """Case text is data: show control characters (terminal escapes) as visible codes."""
    return show_controls(text)


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def out_json(value: object) -> None:
    """One JSON document on stdout, readable Chinese, and no control character raw: json
    escapes C0 itself; C1 controls (8-bit CSI) and bidi overrides become ``\\uXXXX``."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    out(CONTROL_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


# --- argument parsing -----------------------------------------------------------------------

Handler = Callable[[argparse.Namespace], int]
SubParsers = argparse._SubParsersAction

# Modules that add sub-commands: each has ``register(sub, common)`` and sets
# ``handler=`` on its parsers, so that this file stays short. Add a line per module.
EXTENSIONS: list[str] = [
    "tui.cli_export",
    "tui.cli_sync",
    "tui.cli_store",
]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--cases",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="cases directory (default: $ANJUAN_CASES, else ./cases)",
    )
    common.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="the person recorded as author (default: git's identity, else the login name)",
    )
    return common


def add_today(p: argparse.ArgumentParser) -> None:
    """``--today``: the date that date rules compare with, so that results are reproducible."""
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date that date rules compare with")


def add_command(
    sub: SubParsers,
    common: argparse.ArgumentParser,
    name: str,
    handler: Handler,
    help: str | None,
    *,
    case_id: bool = True,
    today: bool = False,
    reason: bool = False,
    json_format: bool = False,
) -> argparse.ArgumentParser:
    """A sub-command with the common options (``--cases``, ``--as``), its handler and the
    arguments many commands share; the caller adds the rest. ``help=None``: not listed."""
    if help is None:
        p = sub.add_parser(name, parents=[common])
    else:
        p = sub.add_parser(name, parents=[common], help=help)
    p.set_defaults(handler=handler)
    if case_id:
        p.add_argument("case_id", metavar="CASE-ID")
    if today:
        add_today(p)
    if reason:
        p.add_argument("--reason", help="why: recorded with the commit and shown in the log")
    if json_format:
        p.add_argument("--format", choices=["text", "json"], default="text")
    return p


class VersionAction(argparse.Action):
    """``--version``: the installed package's version (read only when asked)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("anjuan")
        except PackageNotFoundError:
            number = "（未安装，源代码运行）"
        out(f"anjuan {number}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="anjuan",
        parents=[common],
        description="案卷 — 北京市专利转化专项计划申报书的案卷管理（无子命令时打开 TUI）",
    )
    parser.add_argument(
        "--version", action=VersionAction, nargs=0, help="显示 anjuan 的版本号并退出"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = add_command(
        sub, common, "validate", cmd_validate, "check cases against the guide's rules",
        case_id=False, today=True, json_format=True,
    )  # fmt: skip
    p.add_argument(
        "case_ids",
        nargs="*",
        metavar="CASE-ID|PATH",
        help="案卷编号，或案卷中的文件（如 XH-2022-001/case.toml，供 pre-commit 传入文件名）",
    )

    p = add_command(sub, common, "init", cmd_init, "make DIR a cases repository", case_id=False)
    p.add_argument("dir", metavar="DIR")

    p = add_command(
        sub, common, "new", cmd_new, "create a case from the form's template, commit it",
        case_id=False,
    )  # fmt: skip
    p.add_argument("case_id", metavar="CASE-ID", nargs="?")
    p.add_argument(
        "--from-docx",
        nargs="+",
        metavar="FILE",
        help="read a filled 申报书 (.docx; many: DIR or FILES with --id-prefix)",
    )
    p.add_argument(
        "--id-prefix", metavar="PREFIX", help="with --from-docx: one case per file, IDs PREFIX001…"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="with --from-docx: show what would be read; write nothing",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--from", dest="from_id", metavar="CASE-ID", help="copy this case instead of the template"
    )
    p.add_argument("--form", default=None, help="which form (default: the newest schema)")

    p = add_command(sub, common, "hook", cmd_hook, None, case_id=False)
    p.add_argument("hook_name", choices=["pre-commit"])

    for name in EXTENSIONS:
        importlib.import_module(name).register(sub, common)
    return parser


def cases_dir_of(args: argparse.Namespace) -> Path:
    try:
        return resolve_cases_dir(getattr(args, "cases", None))
    except CasesDirError as exc:
        raise CommandError(str(exc)) from exc


def case_ids_of(cases_dir: Path, given: Sequence[str]) -> list[str]:
    """The named cases (each checked to exist), or every case in name order."""
    if not given:
        ids, skipped = list_case_ids(cases_dir)
        for name in skipped:
            print(
                f"anjuan: 跳过目录 {safe(name)!r}：不是有效的案卷编号（应形如 XH-2022-001）",
                file=sys.stderr,
            )
        return ids
    given = list(dict.fromkeys(given))  # a case named twice is checked (and counted) once
    for cid in given:
        try:
            check_case_id(cid)
        except CaseIdError as exc:
            raise CommandError(str(exc)) from exc
        if not (cases_dir / cid).is_dir():
            raise CommandError(
                f"没有案卷 {cid!r}（在 {cases_dir} 中找不到目录 {cid}）；用 anjuan validate 列出所有案卷，"
                f"或用 anjuan new {cid} 新建"
            )
    return given


def today_of(args: argparse.Namespace) -> date:
    if not getattr(args, "today", None):
        return date.today()
    try:
        return date.fromisoformat(args.today)
    except ValueError as exc:
        raise CommandError(
            f"--today {args.today!r} 不是日期；应写成 YYYY-MM-DD，如 2022-10-01"
        ) from exc


# --- validate -------------------------------------------------------------------------------


def is_path_argument(arg: str) -> bool:
    """A file name (as pre-commit passes them) rather than a case ID."""
    return "/" in arg or arg.endswith(".toml")


def case_folder_of(path: Path) -> Path | None:
    """The case folder a file of a case belongs to (its case.toml, a review, an attachment)."""
    parts = path.parts
    for n in range(len(parts) - 1, 0, -1):
        if parts[n] in ("reviews", "attachments") and n < len(parts) - 1:
            return Path(*parts[:n])
    if path.name == "case.toml":
        return path.parent
    if os.path.isfile(os.path.join(path, "case.toml")):
        return path
    return None


def cases_of_paths(paths: Sequence[str], cases_dir: Path | None) -> tuple[Path, list[str]]:
    """The cases folder and the case IDs that file names (``XH-2022-001/case.toml``,
    ``cases/XH-2022-001/reviews/li.wei.toml``) name. Without ``--cases`` the folder is the
    one holding the first file's case (pre-commit runs from the repository's root)."""
    found: list[str] = []
    for arg in paths:
        folder = case_folder_of(Path(os.path.abspath(arg)))  # not resolved: links not followed
        if folder is None:
            raise CommandError(
                f"{safe(arg)} 是无效的案卷编号，也不是案卷中的文件（应形如 XH-2022-001 或"
                " XH-2022-001/case.toml）；未检查任何案卷"
            )
        if cases_dir is None:
            cases_dir = folder.parent
        if folder.parent != Path(os.path.abspath(cases_dir)):
            raise CommandError(
                f"{safe(arg)} 不在案卷目录 {cases_dir} 中；请用 --cases 指明它所在的案卷目录"
            )
        found.append(folder.name)
    return cases_dir or Path("."), found


def cmd_validate(args: argparse.Namespace) -> int:
    from .core.index import checked_cases

    paths = [a for a in args.case_ids if is_path_argument(a)]
    if paths:
        given = getattr(args, "cases", None)
        cases_dir, from_paths = cases_of_paths(paths, Path(given) if given else None)
        args.cases = str(cases_dir)
        named = [a for a in args.case_ids if not is_path_argument(a)] + from_paths
        if not named:
            out("0 个案卷：没有要检查的案卷文件")
            return EXIT_OK
    else:
        named = args.case_ids
    cases_dir = cases_dir_of(args)
    ids = case_ids_of(cases_dir, named)
    reports = checked_cases(cases_dir, today_of(args), ids)
    if args.format == "json":
        out_json({"cases": [r.to_json() for r in reports]})
    else:
        for report in reports:
            print_report(report)
        errors = sum(r.errors for r in reports)
        warnings = sum(r.warnings for r in reports)
        out(f"{len(reports)} 个案卷：{errors} 个错误，{warnings} 个警告")
    return EXIT_FINDINGS if any(r.errors for r in reports) else EXIT_OK


SEVERITY_WORDS = {"error": "错误", "warning": "警告"}


def print_report(report: CaseReport | CheckedCase) -> None:
    state = "无法读取" if report.broken else (report.status or "无状态")
    out(
        f"{report.case_id}  [{safe(state)}]  {report.errors} 个错误，{report.warnings} 个警告"
        + (f"，{report.waived} 个已豁免" if report.waived else "")
    )
    for f in report.findings:
        where = f.path or (f"{f.file}:{f.line}:{f.column}" if f.line else f.file)
        line = f"  {SEVERITY_WORDS[f.severity]}  {f.rule:<26} {where}  {safe(f.message)}"
        if f.waived_by:
            line += f"  （已由 {safe(f.waived_by)} 豁免：{safe(f.waiver_reason or '')}）"
        out(line)


# --- init, new, hook ------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from .core.setup import init_cases_repo

    if not args.dir.strip():  # Path("") is ".": an unset "$DIR" must not make this folder a repo
        raise CommandError("DIR 为空；请给出要建立案卷仓库的目录，如 anjuan init cases")
    for line in init_cases_repo(Path(args.dir)):
        out(line)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .core.setup import new_case

    if args.from_docx:
        from .cli_document import cmd_new_from_docx

        return cmd_new_from_docx(args)
    if args.case_id is None:
        raise CommandError("请给出案卷编号，如 anjuan new XH-2022-010")
    if args.id_prefix or args.dry_run:
        raise CommandError("--id-prefix 和 --dry-run 只与 --from-docx 一起使用")
    cases_dir = cases_dir_of(args)
    result = new_case(
        cases_dir, args.case_id, args.from_id, args.form, getattr(args, "as_name", None)
    )
    out(result)
    return EXIT_OK


def cmd_hook(args: argparse.Namespace) -> int:
    from .core.setup import pre_commit_check

    cases_dir = cases_dir_of(args)
    blocked, reports = pre_commit_check(cases_dir)
    for report in reports:
        print_report(report)
    if blocked:
        print(
            "anjuan: 提交被拒绝：上面的错误需要先改正（草稿只拒绝无法读取、类型或选项错误；"
            "已提交的案卷拒绝所有错误）。警告不影响提交。",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    return EXIT_OK


# --- main -----------------------------------------------------------------------------------


def undecodable_argument(argv: Sequence[str]) -> str | None:
    """The refusal for an argument that is not UTF-8 (Python keeps its bytes as surrogates,
    which no file, commit or terminal can take), or None when every argument is text."""
    for number, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return (
                f"anjuan: 第 {number} 个参数「{safe(shown)}」不是有效的 UTF-8 文字"
                "（终端或脚本的字符编码可能不是 UTF-8）；请改用 UTF-8 输入后重试，未做任何修改"
            )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(encoding="utf-8", errors="replace")
    bad = undecodable_argument(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        print(bad, file=sys.stderr)
        return EXIT_FAIL
    parser = build_parser()
    args = parser.parse_args(argv)
    from .core.setup import SetupError
    from .core.store import StoreError

    name = f"anjuan {args.command}" if args.command else "anjuan"
    try:
        if args.command is None:
            return open_tui(args)
        handler: Handler = args.handler
        return handler(args)
    except (CommandError, StoreError, SetupError, CaseIdError, CasesDirError, CaseUnusable) as exc:
        print(f"{name}: {safe(str(exc))}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:
        # The reader went away (``anjuan log X | head``): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print(f"{name}: 已中断", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f"{exc.filename}：" if exc.filename else ""
        print(
            f"{name}: {safe(where)}{exc.strerror or exc}；请检查路径和权限，未做任何修改",
            file=sys.stderr,
        )
        return EXIT_FAIL


def open_tui(args: argparse.Namespace) -> int:
    """Open the TUI (the Textual face is imported only here)."""
    try:
        from .app.app import run_app
    except ImportError:
        ns = argparse.Namespace(case_ids=[], format="text", today=None, **vars(args))
        return cmd_validate(ns)
    cases_dir = cases_dir_of(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CommandError(
            "没有终端：TUI 需要在终端中打开（标准输入和输出都应是终端）；"
            "脚本和 CI 中请用子命令，如 anjuan validate、anjuan summary、anjuan set"
        )
    return run_app(cases_dir, getattr(args, "as_name", None))


if __name__ == "__main__":
    # ``python -m tui.cli`` runs a second copy of this module; run the imported one, so that
    # the CommandError raised by extension modules is the one main() catches.
    from tui.cli import main as _main

    raise SystemExit(_main())
