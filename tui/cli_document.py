"""``anjuan new --from-docx``: filled 申报书 Word files into new cases (contract: shared/spec/cli.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .cli import EXIT_FAIL, EXIT_OK, CommandError, cases_dir_of, out, out_json, safe, today_of

if TYPE_CHECKING:
    from .core.document.cases import DocxPlan
    from .core.schema import Form

SEVERITY = {"error": "错误", "warning": "警告"}


def _form(name: str | None) -> Form:
    from .core.schema import FormError, available_forms, load_form

    names = available_forms()
    chosen = name or (names[-1] if names else "")
    try:
        return load_form(chosen)
    except FormError as exc:
        raise CommandError(f"没有申报书 {chosen!r}；可用：{'、'.join(names) or '（无）'}") from exc


def _report(plan: DocxPlan, case_id: str | None) -> None:
    out(f"{safe(plan.source.name)}：读出 {plan.read} 个栏目，{len(plan.unread)} 处无法读取，"
        f"{plan.errors} 个错误，{plan.warnings} 个警告" + (f" → {case_id}" if case_id else ""))  # fmt: skip
    for u in plan.unread:
        where = f"（{u.path}）" if u.path else ""
        out(f"  无法读取  {safe(u.label)}{where}：{safe(u.text)!r}")
    for f in plan.findings:
        out(
            f"  {SEVERITY.get(f.severity, f.severity)}  {f.rule:<22} {f.path or ''}  {safe(f.message)}"
        )


def cmd_new_from_docx(args: argparse.Namespace) -> int:
    from .core.document.cases import case_id_for, docx_files, next_number, plan_docx, save_plan
    from .core.document.read import DocxUnreadable
    from .core.repo import CaseIdError, check_case_id, list_case_ids
    from .core.setup import SetupError

    if args.from_id:
        raise CommandError("--from 与 --from-docx 不能同时使用；请只给出其中一个")
    form = _form(args.form)
    today = today_of(args)
    as_name = getattr(args, "as_name", None)
    files = docx_files(args.from_docx)
    many = args.id_prefix is not None
    if not many:
        if not args.case_id:
            raise CommandError(
                "请给出案卷编号（anjuan new XH-2022-010 --from-docx 申报书.docx），"
                "或用 --id-prefix 一次读入多个文件（anjuan new --from-docx 目录 --id-prefix XH-2022-）"
            )
        if len(files) != 1:
            raise CommandError(
                f"一个案卷编号只能读一个文件（收到 {len(files)} 个）；多个文件请去掉 CASE-ID 并加 --id-prefix"
            )
        try:
            check_case_id(args.case_id)
        except CaseIdError as exc:
            raise CommandError(str(exc)) from exc
    elif args.case_id:
        raise CommandError("用 --id-prefix 时不写 CASE-ID（编号取自项目受理号，或按顺序编号）")
    if not files:
        raise CommandError(f"{'、'.join(args.from_docx)} 中没有 .docx 文件")
    cases_dir = cases_dir_of(args) if not args.dry_run or many else None

    if not many:
        try:
            plan = plan_docx(files[0], form, today)
        except DocxUnreadable as exc:
            raise CommandError(str(exc)) from exc
        if args.dry_run:
            if args.format == "json":
                out_json(plan.to_json())
            else:
                _report(plan, args.case_id)
                out(
                    "演练（--dry-run），未写入任何内容"
                    + ("；保存会被拒绝（见上面的错误）" if plan.refused else "")
                )
            return EXIT_OK
        cases_dir = cases_dir_of(args)
        try:
            line = save_plan(cases_dir, plan, args.case_id, form, as_name)
        except SetupError as exc:
            raise CommandError(str(exc)) from exc
        if args.format == "json":
            out_json({**plan.to_json(), "case_id": args.case_id})
        else:
            _report(plan, args.case_id)
            out(line)
        return EXIT_OK

    prefix = args.id_prefix
    assert cases_dir is not None
    existing, _ = list_case_ids(cases_dir)
    used = set(existing)
    number = [next_number(existing, prefix)]
    rows: list[tuple[str, str, str]] = []
    results: list[dict[str, object]] = []
    failed = 0
    for n, path in enumerate(files, 1):
        print(f"[{n}/{len(files)}] {path.name}", file=sys.stderr)
        try:
            plan = plan_docx(path, form, today)
        except DocxUnreadable as exc:
            failed += 1
            rows.append((path.name, "—", f"未读取：{exc}"))
            results.append({"file": str(path), "case_id": None, "error": str(exc)})
            continue
        cid = case_id_for(plan, prefix, lambda c: c in used or (cases_dir / c).exists(), number)
        used.add(cid)
        error = None
        if not args.dry_run:
            try:
                save_plan(cases_dir, plan, cid, form, as_name)
            except SetupError as exc:
                error = str(exc)
                failed += 1
        state = f"{plan.errors} 错误 / {plan.warnings} 警告 / {len(plan.unread)} 无法读取"
        rows.append(
            (
                path.name,
                cid if error is None else f"{cid}（未建立）",
                state if error is None else error,
            )
        )
        results.append({"file": str(path), "case_id": cid, "error": error, **plan.to_json()})
        if args.format != "json":
            _report(plan, cid)
    if args.format == "json":
        out_json({"files": results})
    else:
        from .core.export import Column, Table, render_table

        table = Table(
            "files",
            "读入结果",
            [Column("file", "文件"), Column("case", "案卷"), Column("state", "错误/警告/无法读取")],
            [list(r) for r in rows],
        )
        out(safe(render_table(table, "simple_grid")))
        out(
            ("演练（--dry-run），未写入任何内容；" if args.dry_run else "")
            + f"{len(files)} 个文件，{len(files) - failed} 个成功，{failed} 个失败"
        )
    return EXIT_FAIL if failed else EXIT_OK


__all__ = ["Path", "cmd_new_from_docx"]
