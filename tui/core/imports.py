"""Rows in: annex 1 and annex 2 rows from a .csv or .xlsx file, checked before anything is written.

Headers are matched by the form's Chinese labels (as the form, the schema or our export
write them) or by the TOML keys; values are converted the way people type them (dates
2021/6/18, 2021.06.18, 2021年6月18日 or Excel dates; amounts 1,200,000 元; 议价). Every row
is validated with the case's own rules; if any row is bad nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .case import Case, CaseUnusable, data_and_form
from .edit import clone
from .export import FORMULA_START, SEQ_HEADER, TOTAL_LABEL
from .findings import Finding
from .schema import Form
from .validate import check_data

IMPORT_TABLES = ("annex1", "annex2")
MAX_IMPORT_BYTES = 20 * 1024 * 1024
# How the printed form words some headers (the schema's title is the short form).
FORM_HEADERS = {
    "annex1": {"转化方式（转让、许可等）": "method"},
    "annex2": {
        "需求方式（转让、许可或其他）": "demand",
        "可接受报价（元）/或议价": "price_yuan",
        "可接受报价（元）/议价": "price_yuan",
    },
}
NEGOTIABLE_WORDS = frozenset({"议价", "面议", "可议价"})
TRUE_WORDS = frozenset({"是", "true", "yes", "y", "1", "议价", "√", "✓"})
FALSE_WORDS = frozenset({"否", "false", "no", "n", "0", ""})
_TIME = r"(?:[ T]0{1,2}:00(?::00)?)?"  # a spreadsheet's "2021-06-18 00:00:00"
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_PARENS = re.compile(r"\(.*?\)")


class ImportRefused(ValueError):
    """The file cannot be imported as it is; the message lists every bad row and column."""


@dataclass
class ImportedRow:
    """One row of the file: where it was, the row it becomes, its values and what is wrong."""

    file_row: int
    number: int
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def bad(self) -> bool:
        """Bad: a value that could not be read, an error of the row, or a required cell left empty.

        REQUIRED.FIELD counts even where the case is a draft (where it is only a warning):
        an imported row missing its patent number is a broken row, not an unfinished form.
        """
        return bool(self.problems) or any(
            f.counts_as_error or f.rule == "REQUIRED.FIELD" for f in self.findings
        )


@dataclass
class ImportPlan:
    """What an import would add to a case: the rows and the whole new case data."""

    case: Case
    form: Form
    table: str
    source: Path
    rows: list[ImportedRow]
    data: dict[str, Any]
    headers: dict[str, str]  # TOML key -> the header the file uses
    notices: list[str] = field(default_factory=list)  # skipped 合计 rows, merged cells read

    @property
    def bad_rows(self) -> list[ImportedRow]:
        return [r for r in self.rows if r.bad]

    def refusal(self) -> str:
        """Every bad row and column, as the refusal message says them."""
        label = _table_label(self.form, self.table)
        lines = [
            f"导入被拒绝，案卷未作任何修改：{self.source.name} 中有 {len(self.bad_rows)} 行有错误"
            f"（共 {len(self.rows)} 行）；请改正后重新导入"
        ]
        for row in self.bad_rows:
            where = f"文件第{row.file_row}行（将成为{label}第{row.number}行）"
            for problem in row.problems:
                lines.append(f"  {where} {problem}")
            for f in row.findings:
                if f.counts_as_error or f.rule == "REQUIRED.FIELD":
                    lines.append(f"  {where} {self.column_of(f)}：{f.message}（{f.rule}）")
        return "\n".join(lines)

    def column_of(self, finding: Finding) -> str:
        key = (finding.path or "").rsplit(".", 1)[-1]
        if key in self.headers:
            return self.headers[key]
        node = self.form.node((self.table, 1, key)) if key and "[" not in key else None
        return str(node.get("title", key)) if node else "整行"


def _table_label(form: Form, table: str) -> str:
    title = str((form.node(table) or {}).get("title", table))
    return title.split("：", 1)[0]


# --- reading the file --------------------------------------------------------------------


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRefused(f"无法读取 {path}：{exc.strerror}；请检查文件路径") from exc
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(f"{path.name} 太大（{size // 1048576} MB）；附件清单应为几百行的表格")


def read_sheet(path: Path) -> list[tuple[int, list[Any]]]:
    """The rows of a .csv (UTF-8, with or without BOM, or GB18030) or .xlsx (first sheet)."""
    suffix = path.suffix.lower()
    _check_size(path)
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ImportRefused(
                    f"{path.name} 不是 UTF-8 或 GBK 编码的 CSV；请在表格软件中另存为“CSV UTF-8”"
                ) from exc
        reader = csv.reader(io.StringIO(text, newline=""))
        return [(n, list(row)) for n, row in enumerate(reader, 1)]
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)[0]
    raise ImportRefused(f"{path.name}：只能导入 .csv 或 .xlsx 文件")


Merge = tuple[int, int, int, int]
"""A merged range of a sheet: (first row, first column, last row, last column), from 1."""


def read_xlsx(path: Path) -> tuple[list[tuple[int, list[Any]]], list[Merge]]:
    """The rows of the first sheet and its merged ranges (a merged range keeps its value in
    the top-left cell only; the others read as empty, so the caller must know of them).

    Not read-only: openpyxl's read-only sheets do not report merged cells."""
    from openpyxl import load_workbook

    _check_size(path)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused(
            f"{path.name} 不是可读取的 .xlsx 文件（{exc}）；请用表格软件另存为 .xlsx"
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows = [(n, list(row)) for n, row in enumerate(ws.iter_rows(values_only=True), 1)]
        merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        return rows, merges
    finally:
        wb.close()


TOTAL_WORDS = frozenset({TOTAL_LABEL, "总计"})


def _is_total_row(texts: list[str], keys: list[str | None]) -> bool:
    """A 合计 row (ours or a person's): its 序号 cell, or its first filled cell, says 合计."""
    seq_cells = [_norm(t) for t, k in zip(texts, keys, strict=False) if k == ""]
    first = _norm(next((t for t in texts if t), ""))
    return bool(TOTAL_WORDS & {*seq_cells, first})


def _unmerge(
    sheet: list[tuple[int, list[Any]]],
    merges: list[Merge],
    header_at: int,
    keys: list[str | None],
    used: dict[str, str],
    name: str,
) -> list[str]:
    """Give every cell of a merged range below the header its value: a range down one
    column ("same as above", as Chinese lists often do) is copied into each of its rows, with
    a notice; a range over several columns cannot be read as data and is refused."""
    notices: list[str] = []
    header_row = sheet[header_at][0]
    by_number = {n: cells for n, cells in sheet}
    for top, left, bottom, right in sorted(merges):
        if bottom <= header_row:
            continue  # a title or a header spread over cells: not data
        data_cols = [c for c in range(left, right + 1) if c <= len(keys) and keys[c - 1]]
        top_cells = by_number.get(top, [])
        if not data_cols or _is_total_row([_cell_str(c) for c in top_cells], keys):
            continue  # a 合计 label spread over the first columns is skipped with its row
        if right > left or top <= header_row:
            columns = "、".join(used[str(keys[c - 1])] for c in data_cols)
            raise ImportRefused(
                f"{name} 第{top}–{bottom}行的合并单元格跨了多列或表头（{columns}），"
                "无法确定每一格的值；请在表格软件中取消合并，并在每个单元格填写各自的值后重新导入"
            )
        value = top_cells[left - 1] if left - 1 < len(top_cells) else None
        for n in range(top + 1, bottom + 1):
            row = by_number.get(n)
            if row is None:
                continue
            while len(row) < left:
                row.append(None)
            row[left - 1] = value
        column = used[str(keys[left - 1])]
        notices.append(
            f"{name} 第{top}–{bottom}行的「{column}」是合并单元格，"
            f"其值 {_cell_str(value)!r} 已用于这 {bottom - top + 1} 行"
        )
    return notices


# --- headers -----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def header_names(form: Form, table: str) -> dict[str, str]:
    """Every spelling of a column this importer understands (normalised) -> TOML key."""
    props: dict[str, Any] = (form.node(table) or {}).get("items", {}).get("properties", {})
    names: dict[str, str] = {}

    def add(name: str, key: str) -> None:
        n = _norm(name)
        names.setdefault(n, key)
        names.setdefault(_PARENS.sub("", n), key)

    for key, node in props.items():
        add(key, key)
        title = str(node.get("title", key))
        add(title, key)
        if node.get("x-unit"):
            add(f"{title}（{node['x-unit']}）", key)
    if "price_yuan" in props and "negotiable" in props:
        add(f"{props['price_yuan'].get('title')}/{props['negotiable'].get('title')}", "price_yuan")
    for name, key in FORM_HEADERS.get(table, {}).items():
        add(name, key)
    add(SEQ_HEADER, "")
    return names


def _find_header(
    rows: list[tuple[int, list[Any]]], names: dict[str, str], example: str
) -> tuple[int, list[str]]:
    """The first row that reads as a header (two or more known labels): its index and keys."""
    for index, (_n, cells) in enumerate(rows):
        texts = [_cell_str(c) for c in cells]
        known = [t for t in texts if t and _lookup(names, t) is not None]
        if len(known) >= 2:
            return index, texts
    raise ImportRefused(
        f"找不到表头：文件中没有一行写着表格的列名（如 {example}…）；"
        "请让第一行是表头，列名用申报书的中文标签或 TOML 键名"
    )


def _lookup(names: dict[str, str], header: str) -> str | None:
    n = _norm(header)
    if n in names:
        return names[n]
    return names.get(_PARENS.sub("", n))


def _cell_str(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


# --- values ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        text = text[1:]  # our CSV export made a formula-looking cell safe; undo it
    return text


def parse_date(value: Any) -> date:
    """A date as people write it: 2021-06-18, 2021/6/18, 2021.06.18, 2021年6月18日, an Excel date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value)
        if isinstance(day, datetime):
            return day.date()
    text = unicodedata.normalize("NFKC", _text(value))
    m = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return date(y, mo, d)  # ValueError for 2021-02-30
    raise ValueError(text)


def parse_amount(value: Any) -> int | Decimal:
    """An exact amount: 1,200,000 / 1 200 000 元 / 45.5 / an Excel number (never a binary float)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", _text(value))
        text = re.sub(r"[\s,，_]", "", text)
        text = re.sub(r"(万元|元|¥|￥|rmb|cny)", "", text, flags=re.IGNORECASE)
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def convert(
    key: str, node: dict[str, Any], value: Any, row: dict[str, Any], header: str
) -> str | None:
    """Put one cell into ``row`` under ``key``; the problem (what to write instead) or None."""
    typ = node.get("type")
    if value is None or (isinstance(value, str) and not value.strip()):
        if typ == "array" and node.get("x-widget") == "files":
            row[key] = []  # the column is there and says: no files
        return None
    try:
        if key == "price_yuan" and _text(value) in NEGOTIABLE_WORDS:
            row["negotiable"] = True
            return None
        if node.get("format") == "date":
            row[key] = parse_date(value)
        elif typ == "number":
            row[key] = parse_amount(value)
            if key == "price_yuan":
                row.setdefault("negotiable", False)
        elif typ == "integer":
            number = parse_amount(value)
            if not isinstance(number, int):
                raise ValueError(value)
            row[key] = number
        elif typ == "boolean":
            word = _text(value).lower()
            if word in TRUE_WORDS or value is True:
                row[key] = True
            elif word in FALSE_WORDS or value is False:
                row[key] = False
            else:
                raise ValueError(value)
        elif typ == "array":
            parts = re.split(r"[\n;；]", _text(value))
            row[key] = [p.strip() for p in parts if p.strip()]
        else:
            row[key] = _text(value)
    except ValueError:
        shown = value.isoformat() if isinstance(value, date) else _text(value)
        if node.get("format") == "date":
            hint = "不是日期；请写成 2021-06-18（也可 2021/6/18、2021年6月18日）"
        elif typ in ("number", "integer"):
            hint = "不是金额或数量；请只写数字（可带千位分隔符和“元”）"
            if key == "price_yuan":
                hint = "不是金额；请写数字，或写“议价”"
        else:
            hint = "无法识别；请写 是 或 否"
        return f"{header}：{shown!r} {hint}"
    return None


# --- the plan ----------------------------------------------------------------------------


def plan_import(case: Case, table: str, source: Path, today: date) -> ImportPlan:
    """Read ``source``, convert and validate its rows as they would be appended to ``table``."""
    if table not in IMPORT_TABLES:
        raise ImportRefused(f"只能导入 {'、'.join(IMPORT_TABLES)}，不能导入 {table!r}")
    try:
        current, form = data_and_form(case, "导入")
    except CaseUnusable as exc:
        raise ImportRefused(str(exc)) from exc
    props: dict[str, Any] = (form.node(table) or {}).get("items", {}).get("properties", {})
    names = header_names(form, table)
    merges: list[Merge] = []
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        sheet, merges = read_xlsx(source)
    else:
        sheet = read_sheet(source)
    example = "、".join(str(node.get("title", key)) for key, node in list(props.items())[:2])
    index, header_row = _find_header(sheet, names, example)
    keys: list[str | None] = []
    unknown: list[str] = []
    used: dict[str, str] = {}
    for header in header_row:
        key = _lookup(names, header) if header else None
        if header and key is None:
            unknown.append(header)
        elif key and key in used:
            raise ImportRefused(f"列 {header!r} 与列 {used[key]!r} 是同一个字段；请删去一列")
        elif key:
            used[key] = header or key
        keys.append(key or None)
    if unknown:
        known = "、".join(str(props[k].get("title", k)) for k in props)
        raise ImportRefused(
            f"{source.name} 有不认识的列：{'、'.join(repr(u) for u in unknown)}；"
            f"{_table_label(form, table)}的列为：{known}（或对应的 TOML 键名）"
        )

    notices = _unmerge(sheet, merges, index, keys, used, source.name) if merges else []
    existing = current.get(table)
    existing_rows = list(existing) if isinstance(existing, list) else []
    rows: list[ImportedRow] = []
    for file_row, cells in sheet[index + 1 :]:
        texts = [_cell_str(c) for c in cells]
        if not any(texts):
            continue
        if _is_total_row(texts, keys):
            # the 合计 row of an export or of a person's list: sums are worked out, not data;
            # the rows after it are read as well (a list may go on, or have a second part)
            notices.append(f"{source.name} 第{file_row}行是合计行，已跳过（合计由 anjuan 计算）")
            continue
        if not any(t for t, k in zip(texts, keys, strict=False) if k):
            continue  # a numbered blank row, as the printed form has
        values: dict[str, Any] = {}
        problems: list[str] = []
        for key, cell in zip(keys, cells, strict=False):
            if not key:
                continue
            problem = convert(key, props[key], cell, values, used[key])
            if problem:
                problems.append(problem)
        if not values:
            continue
        rows.append(ImportedRow(file_row, len(existing_rows) + len(rows) + 1, values, problems))
    if not rows:
        raise ImportRefused(f"{source.name} 表头下面没有数据行；没有可导入的内容")

    data = clone(current)
    data[table] = existing_rows + [r.values for r in rows]
    findings = check_data(data, form, today, case.directory)
    by_row: dict[int, list[Finding]] = {}
    prefix = f"{table}["
    for f in findings:
        if f.path and f.path.startswith(prefix):
            number = int(f.path[len(prefix) : f.path.index("]")])
            by_row.setdefault(number, []).append(f)
    for row in rows:
        broken = {p.split("：", 1)[0] for p in row.problems}
        row.findings = [
            f
            for f in by_row.get(row.number, [])
            if not (f.rule == "REQUIRED.FIELD" and _column_header(f, used) in broken)
        ]
    return ImportPlan(case, form, table, source, rows, data, used, notices)


def _column_header(finding: Finding, used: dict[str, str]) -> str:
    key = (finding.path or "").rsplit(".", 1)[-1]
    return used.get(key, key)


# --- writing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    commit: str
    rows: int
    notes: list[str] = field(default_factory=list)


def apply_import(
    cases_dir: Path, plan: ImportPlan, as_name: str | None = None, today: date | None = None
) -> ImportResult:
    """Append the rows in one commit (refused, and nothing written, if any row is bad).

    The store writes only the new rows into the file (comments and layout elsewhere stay)
    and refuses if the case changed on disk since the plan read it.
    """
    if plan.bad_rows:
        raise ImportRefused(plan.refusal())
    from .store import save_case

    label = _table_label(plan.form, plan.table)
    first, last = plan.rows[0].number, plan.rows[-1].number
    span = f"第{first}行" if first == last else f"第{first}–{last}行"
    result = save_case(
        cases_dir,
        plan.case.case_id,
        plan.data,
        as_name=as_name,
        reason=f"从 {plan.source.name} 导入 {len(plan.rows)} 行",
        expected_version=plan.case.version,
        today=today,
        subject=f"{plan.case.case_id}: {label}追加{span}（导入 {plan.source.name}）",
    )
    return ImportResult(result.commit or "", len(plan.rows), result.notes)
