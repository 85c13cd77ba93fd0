"""``anjuan export``, ``anjuan summary`` and ``anjuan import`` (contract: shared/spec/cli.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli import (
    EXIT_OK,
    CommandError,
    SubParsers,
    add_command,
    case_ids_of,
    cases_dir_of,
    out,
    safe,
    today_of,
)
from .core.export import DEFAULT_FORMAT, FORMATS, TABLES


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub, common, "export", cmd_export,
        "one of the form's tables (or the whole application) as text, CSV or XLSX",
    )  # fmt: skip
    tables = [*TABLES, "document"]
    p.add_argument("table", choices=tables, metavar="TABLE", help=" | ".join(tables))
    _output_arguments(p)

    p = add_command(
        sub, common, "summary", cmd_summary, "one row per case, with a 合计 row",
        case_id=False, today=True,
    )  # fmt: skip
    _output_arguments(p)

    p = add_command(
        sub, common, "import", cmd_import, "append annex1/annex2 rows from .csv or .xlsx",
        today=True,
    )  # fmt: skip
    p.add_argument("table", choices=["annex1", "annex2"])
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="show what would be added; write nothing")


def _output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        default=None,
        metavar="FMT",
        help=f"any tabulate format, csv, xlsx (default: from -o FILE's suffix, else {DEFAULT_FORMAT})",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (- for stdout)")


# ``-o 表.xlsx`` without --format means a spreadsheet, not a text table in a file named .xlsx.
BY_SUFFIX = {".xlsx": "xlsx", ".csv": "csv", ".tsv": "tsv", ".html": "html", ".md": "github"}


def _format_of(args: argparse.Namespace) -> str:
    fmt: str | None = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        fmt = BY_SUFFIX.get(suffix, DEFAULT_FORMAT)
    if fmt not in FORMATS:
        raise CommandError(f"--format {fmt!r} 不可用；可用格式：{', '.join(FORMATS)}")
    return fmt


def _repo_data(target: Path, cases_dir: Path) -> str | None:
    """What of the cases repository ``target`` is (its .git, a case's folder, a tracked
    file), or None when an export may be written there. Read without running git."""
    from .core.repo import CASE_ID, git_root

    where = target.resolve()
    root = git_root(cases_dir)
    git_dirs = [root / ".git"] if root else []
    if root and (root / ".git").is_file():  # a worktree: ``gitdir: …`` names the real one
        line = (root / ".git").read_text(encoding="utf-8", errors="replace").strip()
        if line.startswith("gitdir:"):
            git_dirs.append((root / line[7:].strip()).resolve())
    for git_dir in git_dirs:
        gd = git_dir.resolve()
        if where == gd or gd in where.parents:
            return f"git 仓库的内部文件（{gd}）"
    cases = cases_dir.resolve()
    if cases in where.parents:
        first = where.relative_to(cases).parts[0]
        if CASE_ID.match(first) and (cases / first).is_dir():
            return f"案卷 {first} 的文件"
    if root is not None and (root.resolve() in where.parents) and where.exists():
        import git

        try:
            index = git.IndexFile(git.Repo(root))
            rel = where.relative_to(root.resolve()).as_posix()
            if (rel, 0) in index.entries:
                return "git 跟踪的文件"
        except Exception:  # an unreadable index: do not guess, refuse inside the repository
            return "案卷仓库中的文件（无法读取 git 索引，不能确认它不是案卷数据）"
    return None


def _emit(
    content: str | bytes, output: str | None, default_name: str, cases_dir: Path | None = None
) -> None:
    """Text to stdout (control characters made visible) or atomically to a file; xlsx to a file.

    Never into the cases repository's data (a case's files, .git, tracked files); a device or
    a pipe is written into, not replaced (``atomic_write``)."""
    from .core.store import atomic_write

    if isinstance(content, bytes) and output is None:
        output = default_name
    if output == "-" or output is None:
        if isinstance(content, bytes):
            if sys.stdout.isatty():
                raise CommandError("xlsx 是二进制文件，不能输出到终端；请用 -o 文件名.xlsx")
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        sys.stdout.write(safe(content))
        return
    path = Path(output)
    if not path.parent.is_dir():
        raise CommandError(f"无法写入 {output}：目录 {path.parent} 不存在；请先建立目录")
    if path.is_dir():
        raise CommandError(f"无法写入 {output}：这是一个目录；请给出文件名")
    what = _repo_data(path, cases_dir) if cases_dir is not None else None
    if what is not None:
        raise CommandError(
            f"不能写入 {output}：它是案卷仓库中的{what}，导出会覆盖案卷数据；未写入任何内容。"
            "请写到案卷仓库之外，如 -o ~/导出/附件1.xlsx"
        )
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise CommandError(f"无法写入 {output}：{exc.strerror}；请检查权限和磁盘空间") from exc
    print(f"已写入 {path}", file=sys.stderr)


DOCUMENT_FORMATS = ("docx", "pdf")


def _document_format(args: argparse.Namespace) -> str:
    fmt: str | None = args.format
    if fmt is None:
        fmt = "pdf" if args.output and Path(args.output).suffix.lower() == ".pdf" else "docx"
    if fmt not in DOCUMENT_FORMATS:
        raise CommandError(
            f"export document 的 --format {fmt!r} 不可用；可用：docx（默认）、pdf（需要 LibreOffice）"
        )
    return fmt


def cmd_export(args: argparse.Namespace) -> int:
    from .core.case import data_and_form, read_case
    from .core.export import export_table

    if args.table == "document":
        return _export_document(args)
    fmt = _format_of(args)
    cases_dir = cases_dir_of(args)
    (case_id,) = case_ids_of(cases_dir, [args.case_id])
    data, form = data_and_form(read_case(cases_dir / case_id, case_id), "导出")
    content = export_table(data, form, args.table, fmt)
    _emit(content, args.output, f"{case_id}-{args.table}.xlsx", cases_dir)
    return EXIT_OK


def _export_document(args: argparse.Namespace) -> int:
    from .core.case import data_and_form, read_case
    from .core.document.pdf import PdfUnavailable, docx_to_pdf
    from .core.document.write import document_bytes

    fmt = _document_format(args)
    cases_dir = cases_dir_of(args)
    (case_id,) = case_ids_of(cases_dir, [args.case_id])
    data, form = data_and_form(read_case(cases_dir / case_id, case_id), "导出")
    content = document_bytes(data, form)
    if fmt == "pdf":
        try:
            content = docx_to_pdf(content)
        except PdfUnavailable as exc:
            raise CommandError(str(exc)) from exc
    _emit(content, args.output, f"{case_id}-申报书.{fmt}", cases_dir)
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from .core.index import case_summaries
    from .core.summary import export_summary

    fmt = _format_of(args)
    cases_dir = cases_dir_of(args)
    summaries = case_summaries(cases_dir, today_of(args))
    _emit(export_summary(summaries, fmt), args.output, "summary.xlsx", cases_dir)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .core.export import Table, render_table, rows_table
    from .core.imports import ImportRefused, apply_import, plan_import
    from .core.store import read_case_cached

    cases_dir = cases_dir_of(args)
    (case_id,) = case_ids_of(cases_dir, [args.case_id])
    today = today_of(args)
    source = Path(args.file)
    try:
        plan = plan_import(
            read_case_cached(cases_dir / case_id, case_id), args.table, source, today
        )
    except ImportRefused as exc:
        raise CommandError(str(exc)) from exc
    label = plan.form.label(args.table)
    for notice in plan.notices:
        print(f"anjuan: {safe(notice)}", file=sys.stderr)
    if args.dry_run:
        whole = rows_table(plan.data, plan.form, (args.table,), args.table, seq=True)
        first = plan.rows[0].number - 1
        shown = Table(whole.name, whole.title, whole.columns, whole.rows[first:])
        out(safe(render_table(shown, DEFAULT_FORMAT)))
        for row in plan.rows:
            notes = [*row.problems, *(f"{f.rule} {f.message}" for f in row.findings)]
            state = "有错误" if row.bad else ("有警告" if notes else "无问题")
            out(f"文件第{row.file_row}行 → {label}第{row.number}行：{state}")
            for note in notes:
                out(f"  {safe(note)}")
        verdict = (
            f"有 {len(plan.bad_rows)} 行有错误，导入会被拒绝"
            if plan.bad_rows
            else f"将追加 {len(plan.rows)} 行"
        )
        out(f"演练（--dry-run），未写入任何内容：{verdict}")
        return EXIT_OK
    try:
        result = apply_import(cases_dir, plan, getattr(args, "as_name", None), today)
    except ImportRefused as exc:
        raise CommandError(str(exc)) from exc
    out(
        f"已向 {case_id} {label}追加 {result.rows} 行"
        f"（第{plan.rows[0].number}–{plan.rows[-1].number}行，提交 {result.commit[:10]}）"
    )
    for row in plan.rows:
        for f in row.findings:
            out(f"  警告  {label}第{row.number}行  {f.rule}  {safe(f.message)}")
    for note in result.notes:
        out(safe(note))
    return EXIT_OK
