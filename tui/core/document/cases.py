"""Filled Word forms into new cases: one file (``new CASE-ID --from-docx FILE``) or many
(``new --from-docx DIR_OR_FILES… --id-prefix PREFIX``), each all or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..edit import json_value
from ..findings import Finding
from ..gate import blocking
from ..repo import CaseIdError, check_case_id
from ..schema import Form
from ..validate import check_data
from .read import DocxUnreadable, Unread, read_document

MAX_DOCX_BYTES = 52_428_800  # 50 MiB


@dataclass
class DocxPlan:
    """What one filled form would become: the case data, what could not be read, findings."""

    source: Path
    data: dict[str, Any]
    unread: list[Unread]
    findings: list[Finding]
    read: int
    case_id: str | None = None
    error: str | None = None  # the file could not be read or the case cannot be saved
    commit: str | None = None

    @property
    def refused(self) -> list[Finding]:
        return blocking(self.findings, "draft")

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.counts_as_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.counts_as_warning)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": json_value(self.data),
            "unread": [u.to_json() for u in self.unread],
            "findings": [f.to_json() for f in self.findings],
        }


def plan_docx(source: Path, form: Form, today: date) -> DocxPlan:
    """Read and check one filled form; raises DocxUnreadable for a file that is not one."""
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise DocxUnreadable(f"无法读取 {source}：{exc.strerror}；请检查文件路径") from exc
    if not source.is_file():
        raise DocxUnreadable(f"{source} 不是文件；请给出 .docx 文件或包含它们的目录")
    if size > MAX_DOCX_BYTES:
        raise DocxUnreadable(
            f"{source.name} 太大（{size // 1048576} MB）；申报书应为几 MB 以内的 .docx"
        )
    result = read_document(source, form)
    if result.read == 0:
        raise DocxUnreadable(
            f"{source.name} 中找不到申报书的任何栏目（如“园区或集聚区名称”“专利号”）；"
            "请确认它是填好的《北京市专利转化专项计划项目申报书》"
        )
    findings = check_data(result.data, form, today, None)
    return DocxPlan(source, result.data, result.unread, findings, result.read)


def docx_files(given: list[str]) -> list[Path]:
    """The .docx files named, folders searched (in name order, Word's ~$ lock files skipped)."""
    out: list[Path] = []
    for name in given:
        path = Path(name)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.iterdir())
                if p.suffix.lower() == ".docx" and not p.name.startswith("~$") and p.is_file()
            )
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def case_id_for(
    plan: DocxPlan, prefix: str, taken: Callable[[str], bool], number: list[int]
) -> str:
    """From the 项目受理号 when it is filled (as is, or after the prefix), else the next free number."""
    acceptance = str(plan.data.get("case", {}).get("acceptance_no", "") or "").strip()
    for candidate in (acceptance, prefix + acceptance) if acceptance else ():
        try:
            check_case_id(candidate)
        except CaseIdError:
            continue
        if candidate.startswith(prefix) and not taken(candidate):
            return candidate
    while True:
        number[0] += 1
        candidate = f"{prefix}{number[0]:03d}"
        if not taken(candidate):
            return candidate


def save_plan(
    cases_dir: Path, plan: DocxPlan, case_id: str, form: Form, as_name: str | None
) -> str:
    """Create and commit the case (nothing written when refused); the commit line."""
    from ..setup import SetupError, new_case

    if plan.refused:
        listed = "；".join(f"{f.path}：{f.message}" for f in plan.refused[:5])
        raise SetupError(f"{plan.source.name} 的内容不能保存为案卷（{listed}）；未建立 {case_id}")
    return new_case(
        cases_dir, case_id, None, form.name, as_name, data=plan.data, source_name=plan.source.name
    )


def next_number(existing: list[str], prefix: str) -> int:
    best = 0
    for cid in existing:
        m = re.fullmatch(re.escape(prefix) + r"(\d+)", cid)
        if m:
            best = max(best, int(m.group(1)))
    return best


__all__ = [
    "DocxPlan",
    "DocxUnreadable",
    "case_id_for",
    "docx_files",
    "field",
    "next_number",
    "plan_docx",
    "save_plan",
]
