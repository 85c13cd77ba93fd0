"""The form's tables as text (every tabulate format), CSV and XLSX; the whole application.

Tables are built from the schema (labels ``title``, units ``x-unit``, sums ``x-total``,
tasks ``x-task``), so a new form is a new schema file. Cells stay typed (int, Decimal,
date, str) until a renderer turns them into text, a CSV field or a spreadsheet cell.
Core: no Textual, no printing. The TUI calls ``export_table`` and lists ``TABLES``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeGuard

import tabulate as tabulate_module
import wcwidth
from tabulate import tabulate

from .case import CONTROL_CHARS, show_controls
from .schema import Form

# tabulate measures display width with wcwidth when it is installed; say so explicitly.
tabulate_module.WIDE_CHARS_MODE = True

TABLES: tuple[str, ...] = ("annex1", "annex2", "targets", "budget", "foundation", "all")
TABLE_TITLES = {
    "annex1": "附件1 促成专利转化清单",
    "annex2": "附件2 专利技术需求清单",
    "targets": "三、绩效目标",
    "budget": "四、经费预算",
    "foundation": "二、工作基础",
    "all": "整份申报书",
}
TEXT_FORMATS: tuple[str, ...] = tuple(tabulate_module.tabulate_formats)
FORMATS: tuple[str, ...] = (*TEXT_FORMATS, "csv", "xlsx")
BINARY_FORMATS = frozenset({"xlsx"})
DEFAULT_FORMAT = "simple_grid"
MARKDOWN_FORMATS = frozenset({"github", "pipe"})
# Markup formats: their rows are not meant to line up on screen (HTML, LaTeX, wiki syntax).
MARKUP_FORMATS = frozenset(
    {
        "html",
        "unsafehtml",
        "latex",
        "latex_raw",
        "latex_booktabs",
        "latex_longtable",
        "mediawiki",
        "moinmoin",
        "jira",
        "youtrack",
        "textile",
        "asciidoc",
        "tsv",
    }
)
MONOSPACED_FORMATS: frozenset[str] = frozenset(TEXT_FORMATS) - MARKUP_FORMATS
PAGE_WIDTH = 120
MIN_WRAP = 6  # 3 Chinese characters: narrower columns are unreadable
PAD = tabulate_module.MIN_PADDING
TOTAL_LABEL = "合计"
SEQ_HEADER = "序号"
# Columns of the schema that the printed form has no column for: exported to CSV/XLSX
# (so that export then import gives back the same rows), left out of text tables.
OFF_FORM = {
    "annex1": frozenset({"evidence", "method_other", "recordal_no", "proofs"}),
    "annex2": frozenset({"demander", "demand_other"}),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = re.compile(f"[\\t{CONTROL_CHARS.pattern[1:-1]}]")  # control characters and the tab

Cell = str | int | Decimal | date | None


class ExportError(ValueError):
    """The table or format asked for does not exist; the message lists what does."""


# --- what a table is ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: the TOML key it shows, its header (label and unit) and how to show it."""

    key: str
    header: str
    kind: str = "text"  # seq, text, int, amount, date, list, bool, price, target (number or text)
    decimals: int = 0
    wrap: bool = False
    on_form: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind in ("seq", "int", "amount", "price")


@dataclass
class Table:
    """A table of the form: columns, typed rows and the 合计 row where the form has one."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    extra: list[list[Cell]] = field(default_factory=list)  # rows after 合计 (有效专利量)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    label: str
    text: str


Block = Heading | Table | Paragraph


# --- building tables from the schema -------------------------------------------------------


def _unit_header(title: str, node: dict[str, Any]) -> str:
    unit = node.get("x-unit")
    if unit and f"（{unit}）" not in title:
        return f"{title}（{unit}）"
    return title


def _column(key: str, node: dict[str, Any], table: str = "") -> Column:
    kind = "text"
    typ = node.get("type")
    if typ == "integer":
        kind = "int"
    elif typ == "number":
        kind = "amount"
    elif typ == "boolean":
        kind = "bool"
    elif typ == "array":
        kind = "list"
    elif node.get("format") == "date":
        kind = "date"
    wrap = kind in ("text", "list") and "enum" not in node and "x-check" not in node
    return Column(
        key,
        _unit_header(str(node.get("title", key)), node),
        kind,
        int(node.get("x-decimals", 0)),
        wrap,
        key not in OFF_FORM.get(table, ()),
    )


@lru_cache(maxsize=256)
def _row_columns(form: Form, path: tuple[str, ...], table: str, seq: bool) -> tuple[Column, ...]:
    """The columns of a row table, read once per form from the schema."""
    node = form.node(path) or {}
    props: dict[str, Any] = node.get("items", {}).get("properties", {})
    cols = [Column("", SEQ_HEADER, "seq")] if seq else []
    for key, sub in props.items():
        if key == "negotiable" and "price_yuan" in props:
            continue  # one column on the form: 可接受报价（元）/或议价
        col = _column(key, sub, table)
        if key == "price_yuan" and "negotiable" in props:
            title = props["negotiable"].get("title", "议价")
            col = Column(key, f"{col.header}/{title}", "price", col.decimals)
        cols.append(col)
    return tuple(cols)


def _cell(value: Any, col: Column, row: dict[str, Any]) -> Cell:
    if type(value) is str:  # the common case first: this runs for every cell
        return value
    if col.kind == "price" and row.get("negotiable") is True and value is None:
        return "议价"
    if value is None or isinstance(value, dict):
        return None
    if col.kind == "list" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | Decimal | date | str):
        return value
    return str(value)


def _finite_number(value: Any) -> TypeGuard[int | Decimal]:
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int) and not isinstance(value, bool)


def _totals(columns: list[Column], rows: list[dict[str, Any]], keys: Iterable[str]) -> list[Cell]:
    wanted = set(keys)
    out: list[Cell] = []
    for i, col in enumerate(columns):
        if col.key in wanted:
            total: int | Decimal = 0
            for row in rows:
                v = row.get(col.key)
                if _finite_number(v):
                    total += v
            out.append(total)
        else:
            out.append(TOTAL_LABEL if i == 0 else None)
    return out


def rows_table(
    data: dict[str, Any], form: Form, path: tuple[str, ...], name: str, seq: bool
) -> Table:
    """An array of tables of the form (annex1, annex2, budget, foundation.demand…) as a Table."""
    node = form.node(path) or {}
    columns = list(_row_columns(form, path, name, seq))
    raw = _lookup(data, path)
    records = [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []
    rows: list[list[Cell]] = []
    for n, rec in enumerate(records, 1):
        rows.append([n if c.kind == "seq" else _cell(rec.get(c.key), c, rec) for c in columns])
    total = None
    if node.get("x-total"):
        total = _totals(columns, records, node["x-total"])
    title = str(node.get("title", name))
    return Table(name, title, columns, rows, total)


def _lookup(data: dict[str, Any], path: Sequence[str]) -> Any:
    cur: Any = data
    for key in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def targets_table(data: dict[str, Any], form: Form) -> Table:
    """三、绩效目标: 任务 | 指标项 | 量化目标, tasks as the form groups them, units in the items."""
    node = form.node("targets") or {}
    values = data.get("targets") if isinstance(data.get("targets"), dict) else {}
    assert isinstance(values, dict)
    columns = [
        Column("task", "任务", wrap=True),
        Column("item", "指标项", wrap=True),
        Column("value", "量化目标", "target", 6, wrap=True),
    ]
    rows: list[list[Cell]] = []
    for key, task, item in _target_rows(form):
        raw = values.get(key)
        value: Cell = None if raw is None or isinstance(raw, bool | dict | list) else raw
        rows.append([task, item, value])
    return Table("targets", str(node.get("title", "targets")), columns, rows)


@lru_cache(maxsize=16)
def _target_rows(form: Form) -> tuple[tuple[str, str, str], ...]:
    """(key, 任务 shown once per group, 指标项 with unit) of the targets, from the schema."""
    node = form.node("targets") or {}
    out = []
    previous = None
    for key, sub in node.get("properties", {}).items():
        task = str(sub.get("x-task", ""))
        name = re.sub(r"^\d+\.", "", task)
        title = str(sub.get("title", key))
        item = title[len(name) :].strip() if name and title.startswith(name) else title
        if name and item == name:
            item = ""
        if item:
            item = _unit_header(item, sub)
        out.append((key, task if task != previous else "", item))
        previous = task
    return tuple(out)


def foundation_blocks(data: dict[str, Any], form: Form) -> list[Block]:
    """二、工作基础 as the form lays it out: the figures, then each period table with 合计."""
    node = form.node("foundation") or {}
    values = data.get("foundation") if isinstance(data.get("foundation"), dict) else {}
    assert isinstance(values, dict)
    facts = Table(
        "foundation",
        str(node.get("title", "foundation")),
        [Column("label", "项目", wrap=True), Column("value", "内容", "target", 6, wrap=True)],
        [],
    )
    blocks: list[Block] = [facts]
    texts: list[Block] = []
    valid = node.get("properties", {}).get("valid_patents", {})
    for key, sub in node.get("properties", {}).items():
        typ = sub.get("type")
        if key == "valid_patents" or sub.get("x-widget") == "files":
            continue  # evidence lists are files of the case folder, not lines of the form
        if typ == "array":
            table = rows_table(data, form, ("foundation", key), f"foundation.{key}", seq=False)
            if key == "grants" and valid:
                vp = (
                    values.get("valid_patents")
                    if isinstance(values.get("valid_patents"), dict)
                    else {}
                )
                assert isinstance(vp, dict)
                extra: list[Cell] = [str(valid.get("title", "valid_patents"))]
                extra += [_plain(vp.get(c.key)) for c in table.columns[1:]]
                table.extra.append(extra)
            blocks.append(table)
        elif sub.get("x-widget") == "textarea":
            texts.append(Paragraph(str(sub.get("title", key)), _text(values.get(key))))
        else:
            facts.rows.append(
                [_unit_header(str(sub.get("title", key)), sub), _scalar(values.get(key))]
            )
    return blocks + texts


def _plain(value: Any) -> Cell:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return value if isinstance(value, int | Decimal | date | str) else str(value)


def _scalar(value: Any) -> Cell:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return _plain(value)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def object_blocks(data: dict[str, Any], form: Form, key: str) -> list[Block]:
    """A section that is one object (封面, 一, 五, 附件3): a 项目 | 内容 table and its texts."""
    node = form.node(key) or {}
    values = data.get(key) if isinstance(data.get(key), dict) else {}
    assert isinstance(values, dict)
    facts = Table(
        key,
        str(node.get("title", key)),
        [Column("label", "项目", wrap=True), Column("value", "内容", "text", wrap=True)],
        [],
    )
    texts: list[Block] = []

    def walk(props: dict[str, Any], vals: dict[str, Any], prefix: str) -> None:
        for k, sub in props.items():
            value = vals.get(k)
            label = f"{prefix}{sub.get('title', k)}"
            if sub.get("type") == "object":
                walk(
                    sub.get("properties", {}), value if isinstance(value, dict) else {}, f"{label} "
                )
            elif sub.get("x-widget") == "textarea":
                texts.append(Paragraph(label, _text(value)))
            elif sub.get("x-widget") == "files":
                continue  # evidence lists are files of the case folder, not lines of the form
            elif k.endswith("_other") and not value:
                continue  # the explanation of 其他, shown only when given
            elif "x-enum-titles" in sub and value in sub.get("enum", []):
                facts.rows.append([label, sub["x-enum-titles"][sub["enum"].index(value)]])
            else:
                facts.rows.append([_unit_header(label, sub), _scalar(value)])

    walk(node.get("properties", {}), values, "")
    return ([facts] if facts.rows else []) + texts


def build(data: dict[str, Any], form: Form, table: str) -> list[Block]:
    """The blocks of one export: a table, or the whole application in the form's order."""
    if table == "annex1":
        return [rows_table(data, form, ("annex1",), "annex1", seq=True)]
    if table == "annex2":
        return [rows_table(data, form, ("annex2",), "annex2", seq=True)]
    if table == "budget":
        return [rows_table(data, form, ("budget",), "budget", seq=True)]
    if table == "targets":
        return [targets_table(data, form)]
    if table == "foundation":
        return foundation_blocks(data, form)
    if table == "all":
        return document(data, form)
    raise ExportError(f"没有表格 {table!r}；可导出：{'、'.join(TABLES)}")


def document(data: dict[str, Any], form: Form) -> list[Block]:
    """The whole application, 封面 一 … 五, 附件1–3, as a reviewer prints it."""
    blocks: list[Block] = [Heading(form.title, 1)]
    for key, title, node in form.sections():
        if key == "case":
            blocks.extend(object_blocks(data, form, key))
            continue
        blocks.append(Heading(title, 2))
        if key == "foundation":
            parts = foundation_blocks(data, form)
        elif key == "targets":
            parts = [targets_table(data, form)]
        elif node.get("type") == "array":
            parts = [rows_table(data, form, (key,), key, seq=True)]
        else:
            parts = object_blocks(data, form, key)
        blocks.extend(parts)
    return blocks


# --- cells as text -----------------------------------------------------------------------


def amount_text(value: int | Decimal, grouped: bool = True) -> str:
    """An exact amount as people write it: ``200,000``, ``45.5`` — no exponent, no float."""
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    text = f"{value:,f}" if grouped else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def cell_text(value: Cell, grouped: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    if isinstance(value, Decimal):
        return amount_text(value, grouped)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def visible(text: str) -> str:
    """Control characters (terminal escapes) shown as codes, so they cannot move the cursor;
    a tab becomes spaces, so that it cannot push a column out of line."""
    if not _UNSAFE.search(text):
        return text
    return show_controls(text.replace("\t", "    "))


def display_width(text: str) -> int:
    """Columns a text takes on a terminal (its widest line): 2 for a Chinese character."""
    if "\n" in text:
        return max(display_width(line) for line in text.split("\n"))
    if text.isascii():
        return len(text)
    width = wcwidth.wcswidth(text)
    return width if width >= 0 else 2 * len(text)


def wrap_line(line: str, width: int) -> list[str]:
    """One line cut into lines of at most ``width`` display columns (a CJK character is 2).

    Breaks anywhere in Chinese, at a space in other text. Written here because
    ``wcwidth.wrap`` (graphemes, escape sequences) cost twice what tabulate does.
    """
    total = display_width(line)
    if total <= width:
        return [line]
    if total == 2 * len(line):  # all Chinese: cut every width // 2 characters
        step = max(width // 2, 1)
        return [line[i : i + step] for i in range(0, len(line), step)]
    out: list[str] = []
    cur: list[str] = []
    cur_w = 0
    for ch in line:
        w = max(wcwidth.wcwidth(ch), 0)
        if cur_w + w > width and cur:
            space = "".join(cur).rfind(" ")
            if ch != " " and space > 0 and ch.isascii() and cur[-1].isascii():
                out.append("".join(cur[:space]).rstrip())
                cur = cur[space + 1 :]
                cur_w = sum(max(wcwidth.wcwidth(c), 0) for c in cur)
            else:
                out.append("".join(cur).rstrip())
                cur, cur_w = [], 0
            if ch == " ":
                continue
        cur.append(ch)
        cur_w += w
    if cur:
        out.append("".join(cur))
    return out


def _wrap(text: str, width: int) -> str:
    """Wrap to ``width`` display columns, with lines of even length (no lone ``）`` at the end)."""
    out: list[str] = []
    for line in text.split("\n"):
        lines = wrap_line(line, width)
        if len(lines) > 1:
            even = -(-display_width(line) // len(lines)) + 1
            if even < width:
                trial = wrap_line(line, even)
                if len(trial) == len(lines):
                    lines = trial
        out.extend(lines)
    return "\n".join(out)


def _wrap_header(text: str, width: int) -> str:
    """A header over several lines, broken before its unit and after ``/`` where it can."""
    lines: list[str] = []
    for piece in re.split(r"(?=（)|(?<=/)", text):
        if lines and display_width(lines[-1] + piece) <= width:
            lines[-1] += piece
        elif piece.startswith("（") and display_width(piece) <= 8:
            lines.append(piece)  # a unit stays whole: （万元）
        else:
            lines.extend(_wrap(piece, width).split("\n"))
    return "\n".join(lines)


@lru_cache(maxsize=4096)
def _header_in_lines(header: str, narrowest: int, lines: int) -> str:
    """The narrowest wrapping of a header in at most ``lines`` lines (not under ``narrowest``)."""
    flat = header.replace("\n", "")
    for width in range(narrowest, display_width(flat)):
        wrapped = _wrap_header(flat, width)
        if wrapped.count("\n") < lines:
            return wrapped
    return header


def _fit(table: Table, headers: list[str], body: list[list[str]], fmt: str) -> None:
    """Wrap long texts (in place) so that the table fits PAGE_WIDTH columns where it can."""
    if fmt not in MONOSPACED_FORMATS or fmt in MARKDOWN_FORMATS:
        return  # a Markdown viewer wraps cells itself; a <br> in the source helps nobody
    n = len(headers)
    data_w = [0] * n
    for row in body:
        for i, text in enumerate(row):
            if text:
                w = display_width(text)
                if w > data_w[i]:
                    data_w[i] = w
    # tabulate pads a header by MIN_PADDING (2) columns
    widths = [max(d, display_width(h) + PAD) for d, h in zip(data_w, headers, strict=True)]
    budget = PAGE_WIDTH - (3 * n + 1)
    if sum(widths) <= budget:
        return
    # Headers of fixed columns (numbers, dates, codes) go over 2, then 3 lines, the
    # widest first, until the table fits: 合同涉及专利金额 / （元）.
    fixed = [i for i, c in enumerate(table.columns) if not c.wrap]
    excess = sum(widths) - budget
    for lines in (2, 3):
        for i in sorted(fixed, key=lambda i: -widths[i]):
            if excess <= 0:
                break
            header = _header_in_lines(headers[i], max(data_w[i] - PAD, 6), lines)
            new_w = max(data_w[i], display_width(header) + PAD)
            if new_w < widths[i]:
                excess -= widths[i] - new_w
                headers[i], widths[i] = header, new_w
    room = budget - sum(widths[i] for i in fixed)
    wrappable = sorted((widths[i], i) for i, c in enumerate(table.columns) if c.wrap)
    caps: dict[int, int] = {}
    left = len(wrappable)
    for w, i in wrappable:
        share = max(room // left, MIN_WRAP)
        if w <= share:
            room -= w
        else:
            caps[i] = share
            room -= share
        left -= 1
    for i, cap in caps.items():
        if display_width(headers[i]) + PAD > cap:
            headers[i] = _wrap_header(headers[i], cap - PAD)
        for row in body:
            if row[i] and display_width(row[i]) > cap:
                row[i] = _wrap(row[i], cap)


def text_rows(table: Table, fmt: str) -> tuple[list[str], list[list[str]], list[Column]]:
    """Headers, rows (display strings, wrapped to fit) and columns of a table as printed."""
    keep = [i for i, c in enumerate(table.columns) if c.on_form]
    if len(keep) != len(table.columns):
        table = Table(
            table.name,
            table.title,
            [table.columns[i] for i in keep],
            [[r[i] for i in keep] for r in table.rows],
            [table.total[i] for i in keep] if table.total else None,
            [[r[i] for i in keep] for r in table.extra],
        )
    headers = [c.header for c in table.columns]
    body = [[visible(v) if isinstance(v, str) else cell_text(v) for v in row] for row in table.rows]
    if table.total:
        body.append([cell_text(v) for v in table.total])
    for row in table.extra:
        body.append([visible(cell_text(v)) for v in row])
    _fit(table, headers, body, fmt)
    return headers, body, table.columns


def _colalign(columns: list[Column]) -> list[str]:
    return ["right" if c.numeric else "left" for c in columns]


def tabulate_inputs(
    data: dict[str, Any], form: Form, table: str, fmt: str = DEFAULT_FORMAT
) -> list[tuple[list[str], list[list[str]]]]:
    """(headers, rows) of every table an export draws — for the bench to time tabulate alone."""
    out = []
    for block in build(data, form, table):
        if isinstance(block, Table):
            headers, body, _columns = text_rows(block, fmt)
            out.append((headers, body))
    return out


# Formats a web viewer of the repository renders (Markdown, wiki and Textile pages pass raw
# HTML through): ``<``, ``>`` and ``&`` of the case's text become entities, so that a
# ``<script>`` in a case is shown, never run. (tabulate's ``html`` escapes by itself;
# ``unsafehtml`` would not, so it is escaped here too.)
HTML_ESCAPED_FORMATS = frozenset(
    {"github", "pipe", "jira", "textile", "mediawiki", "moinmoin", "youtrack", "unsafehtml"}
)


def markup_safe(text: str, fmt: str) -> str:
    """``text`` as data in ``fmt``: HTML special characters escaped where a viewer renders HTML."""
    if fmt in HTML_ESCAPED_FORMATS and ("<" in text or ">" in text or "&" in text):
        return html.escape(text, quote=False)
    return text


def render_table(table: Table, fmt: str) -> str:
    headers, body, columns = text_rows(table, fmt)
    if fmt in HTML_ESCAPED_FORMATS:
        headers = [markup_safe(h, fmt) for h in headers]
        body = [[markup_safe(c, fmt) for c in row] for row in body]
    if fmt in MARKDOWN_FORMATS:
        headers = [_md_cell(h) for h in headers]
        body = [[_md_cell(c) for c in row] for row in body]
    text = tabulate(
        body,
        headers=headers,
        tablefmt=fmt,
        disable_numparse=True,
        colalign=_colalign(columns),
    )
    if _trims_lines(fmt):
        text = _pad_lines(text)
    return text


@lru_cache(maxsize=64)
def _trims_lines(fmt: str) -> bool:
    """Does tabulate leave lines of this format unequal (no right border, trailing blanks cut)?"""
    if fmt not in MONOSPACED_FORMATS:
        return False
    sample = tabulate([["中\n文", "a"]], headers=["x", "y"], tablefmt=fmt, disable_numparse=True)
    return len({display_width(line) for line in sample.split("\n")}) > 1


def _md_cell(text: str) -> str:
    """In Markdown a ``|`` ends a cell and a line break ends the row."""
    return text.replace("|", "\\|").replace("\n", "<br>") if ("|" in text or "\n" in text) else text


def _pad_lines(text: str) -> str:
    """tabulate trims trailing blanks on some lines; pad so every line has one display width."""
    lines = text.split("\n")
    widths = [display_width(line) for line in lines]
    full = max(widths, default=0)
    if all(w == full for w in widths):
        return text
    return "\n".join(line + " " * (full - w) for line, w in zip(lines, widths, strict=True))


HTML_FORMATS = frozenset({"html", "unsafehtml"})


def render_text(blocks: list[Block], fmt: str) -> str:
    """Blocks as one text: Markdown headings for github/pipe, HTML for html, plain otherwise."""
    single = len(blocks) == 1 and isinstance(blocks[0], Table)
    parts: list[str] = []
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            parts.append(_heading(block.text, block.level, fmt))
        elif isinstance(block, Table):
            if not single and not _under_its_heading(blocks, index):
                parts.append(_heading(block.title, 3, fmt))
            parts.append(render_table(block, fmt))
        else:
            label = _heading(block.label, 3, fmt)
            if fmt in MARKDOWN_FORMATS:
                parts.append(f"{label}\n\n{_paragraph(block.text, fmt)}")
            elif fmt in HTML_FORMATS:
                parts.append(f"{label}\n{_paragraph(block.text, fmt)}")
            else:
                parts.append(f"{label}：\n{_paragraph(block.text, fmt)}")
    return "\n\n".join(parts) + "\n"


def _heading(text: str, level: int, fmt: str) -> str:
    shown = visible(text)
    if fmt in HTML_FORMATS:
        return f"<h{level}>{html.escape(shown)}</h{level}>"
    shown = markup_safe(shown, fmt)
    if fmt in MARKDOWN_FORMATS:
        return f"{'#' * level} {shown}" if level < 3 else f"**{shown}**"
    if level < 3:
        return shown + "\n" + ("=" if level == 1 else "-") * display_width(shown)
    return shown


def _paragraph(text: str, fmt: str) -> str:
    body = visible(text.strip()) or "（空）"
    if fmt in HTML_FORMATS:
        return "<p>" + html.escape(body).replace("\n", "<br>\n") + "</p>"
    body = markup_safe(body, fmt)
    if fmt in MARKDOWN_FORMATS:
        return body
    if display_width(body) > PAGE_WIDTH:
        body = "\n".join(w for line in body.split("\n") for w in wrap_line(line, PAGE_WIDTH))
    return body


# --- CSV ---------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading ``'``."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _under_its_heading(blocks: list[Block], index: int) -> bool:
    """A table right under a heading of the same words needs no title of its own."""
    previous = blocks[index - 1] if index else None
    block = blocks[index]
    return (
        isinstance(block, Table) and isinstance(previous, Heading) and previous.text == block.title
    )


def render_csv(blocks: list[Block]) -> str:
    """UTF-8 CSV with BOM (a spreadsheet then reads the Chinese right); tables stacked."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\n")
    tables = [b for b in blocks if isinstance(b, Table)]
    single = len(blocks) == 1 and len(tables) == 1
    for index, block in enumerate(blocks):
        if index and not _under_its_heading(blocks, index):
            writer.writerow([])
        if isinstance(block, Heading):
            writer.writerow([neutralise(block.text)])
        elif isinstance(block, Paragraph):
            writer.writerow([neutralise(block.label), neutralise(block.text)])
        else:
            if not single and not _under_its_heading(blocks, index):
                writer.writerow([neutralise(block.title)])
            writer.writerow([c.header for c in block.columns])
            for row in [*block.rows, *([block.total] if block.total else []), *block.extra]:
                writer.writerow(
                    [
                        neutralise(v) if isinstance(v, str) else cell_text(v, grouped=False)
                        for v in row
                    ]
                )
    return buf.getvalue()


# --- XLSX --------------------------------------------------------------------------------


def _number_format(col: Column, value: Cell) -> str:
    """Amounts with thousands and their decimals (元 0.00, 万元 up to 6, a score 0.0)."""
    if col.kind == "date":
        return "yyyy-mm-dd"
    if col.kind in ("int", "seq") or (col.kind == "target" and isinstance(value, int)):
        return "0"
    if col.decimals <= 2:
        return "#,##0." + "0" * col.decimals if col.decimals else "#,##0"
    return "#,##0.00" + "#" * (col.decimals - 2)


def render_xlsx(blocks: list[Block], sheet_title: str) -> bytes:
    """An .xlsx a park can attach: bold headers, widths that fit Chinese, number formats."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = re.sub(r"[\\/*?:\[\]]", " ", sheet_title)[:31] or "Sheet1"
    widths: dict[int, int] = {}

    def put(
        r: int,
        c: int,
        value: Cell,
        col: Column | None = None,
        strong: bool = False,
        measure: bool = True,
    ) -> None:
        cell = ws.cell(row=r, column=c)
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
            cell.value = text
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if text.startswith(FORMULA_START):
                cell.quotePrefix = True
            if "\n" in text:
                cell.alignment = wrap
            w = display_width(text)
        elif value is None:
            return
        elif isinstance(value, Decimal) and not value.is_finite():
            put(r, c, str(value), col, strong, measure)  # NaN/inf: shown, not a number
            return
        else:
            cell.value = value
            if col is not None:
                cell.number_format = _number_format(col, value)
            w = len(cell_text(value))
        if strong:
            cell.font = bold
        if measure:
            widths[c] = max(widths.get(c, 0), w)

    r = 1
    tables = [b for b in blocks if isinstance(b, Table)]
    single = len(blocks) == 1 and len(tables) == 1
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            put(r, 1, block.text, strong=True, measure=False)
            r += 1 if index + 1 < len(blocks) and _under_its_heading(blocks, index + 1) else 2
            continue
        if isinstance(block, Paragraph):
            put(r, 1, block.label, strong=True, measure=False)
            put(r, 2, block.text, measure=False)
            r += 2
            continue
        if not _under_its_heading(blocks, index):
            put(r, 1, block.title, strong=True, measure=False)
            r += 1
        for c, col in enumerate(block.columns, 1):
            put(r, c, col.header, strong=True)
        if single:
            ws.freeze_panes = f"A{r + 1}"
        r += 1
        for row in block.rows:
            for c, (col, value) in enumerate(zip(block.columns, row, strict=True), 1):
                put(r, c, value, col)
            r += 1
        for row in [*([block.total] if block.total else []), *block.extra]:
            for c, (col, value) in enumerate(zip(block.columns, row, strict=True), 1):
                put(r, c, value, col, strong=True)
            r += 1
        r += 1
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(w, 4) + 2, 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- one call for the faces --------------------------------------------------------------


def render(blocks: list[Block], fmt: str, title: str = "") -> str | bytes:
    if fmt == "csv":
        return render_csv(blocks)
    if fmt == "xlsx":
        return render_xlsx(blocks, title)
    if fmt not in TEXT_FORMATS:
        raise ExportError(f"没有格式 {fmt!r}；可用：{'、'.join(FORMATS)}")
    return render_text(blocks, fmt)


def export_table(
    data: dict[str, Any], form: Form, table: str, fmt: str = DEFAULT_FORMAT
) -> str | bytes:
    """One table of a case (or ``all``) in a format: text for tabulate formats and csv, bytes for xlsx."""
    if fmt not in FORMATS:
        raise ExportError(f"没有格式 {fmt!r}；可用：{'、'.join(FORMATS)}")
    return render(build(data, form, table), fmt, TABLE_TITLES.get(table, table))
