"""The whole 申报书 as a .docx in the form's order and layout (python-docx).

Cover, 信用承诺书, 一 to 五 as the form's tables (label and value cells, period and 合计
rows, □/☑ for every choice), 附件1 and 附件2 with their printed headers and as many rows
as the case has (landscape), 附件3 with its cover and sections. Stamps and pen signatures
are blank space, never data. Only what the printed form holds is written.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..export import amount_text
from ..schema import Form
from . import layout as L

Cell = tuple[str, bool] | None  # (text, is a label); None: the cell on the left goes on

BODY_FONT = "仿宋"
HEAD_FONT = "黑体"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Characters XML 1.0 cannot hold (and the C1/bidi controls a terminal must not get raw): written
# as visible codes \x1b / \u202e, which the reader turns back.
_UNSAFE = re.compile(
    "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


# The 其他 of an annex column, written in the cell as 其他（…） (the printed form has no column)
OTHER_OF = {"method": "method_other", "demand": "demand_other"}
ANNEX_WIDTHS = {
    "annex1": (1.2, 2.4, 3.8, 2.2, 4.0, 4.0, 2.7, 2.7, 2.7),
    "annex2": (1.2, 6.5, 3.8, 2.2, 2.6, 3.4, 3.6),
}


def encode(text: str) -> str:
    return _UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def date_text(value: Any, blank: str = "    年   月   日") -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return blank


def value_text(value: Any) -> str:
    """A field's value as the form shows it (amounts grouped, dates ISO, yes/no 是/否)."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | Decimal):
        return amount_text(value)
    if isinstance(value, float):
        return amount_text(Decimal(repr(value)))
    if isinstance(value, date):
        return value.isoformat()
    return encode(str(value))


def _fonts(element: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


class Writer:
    def __init__(self, data: dict[str, Any], form: Form) -> None:
        self.data = data
        self.form = form
        self.x = L.xform(form)
        self.doc = Document()
        self._break = False
        self._styles()

    # --- basics ----------------------------------------------------------------------
    def _styles(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(2.6))
        section.top_margin = section.bottom_margin = Cm(2.5)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(12)
        _fonts(normal.element, BODY_FONT)
        for name in ("Heading 1", "Heading 2", "Title"):
            style = self.doc.styles[name]
            _fonts(style.element, HEAD_FONT)
            style.font.color.rgb = None
            style.font.bold = True
        self.doc.styles["Heading 1"].font.size = Pt(16)
        self.doc.styles["Heading 2"].font.size = Pt(14)

    def get(self, path: str) -> Any:
        cur: Any = self.data
        for part in path.split("."):
            if not isinstance(cur, dict):
                return None
            cur = cur.get(part)
        return cur

    def para(
        self, text: str = "", *, size: float | None = None, bold: bool = False,
        align: str | None = None, font: str | None = None, space: float | None = None,
    ) -> Paragraph:  # fmt: skip
        p = self._start(self.doc.add_paragraph())
        if text:
            run = p.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
            if font:
                _fonts(run._element, font)
        if align == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if space is not None:
            p.paragraph_format.space_after = Pt(space)
        return p

    def heading(self, text: str) -> None:
        self._start(self.doc.add_heading(text, level=2))

    def page_break(self) -> None:
        """The next paragraph starts a page (no empty paragraph that could spill a page)."""
        self._break = True

    def _start(self, p: Paragraph) -> Paragraph:
        if self._break:
            p.paragraph_format.page_break_before = True
            self._break = False
        return p

    def table(self, rows: int, cols: int) -> Table:
        t = self.doc.add_table(rows=rows, cols=cols)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        return t

    @staticmethod
    def put(cell: _Cell, text: str, bold: bool = False, center: bool = False) -> None:
        """Text into a cell, one paragraph per line."""
        lines = text.split("\n")
        first = cell.paragraphs[0]
        for n, line in enumerate(lines):
            p = first if n == 0 else cell.add_paragraph()
            if line:
                run = p.add_run(line)
                run.bold = bold
            if center:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def label_cell(self, cell: _Cell, text: str) -> None:
        self.put(cell, text, bold=False, center=True)

    # --- parts -----------------------------------------------------------------------
    def cover(self) -> None:
        c = self.x.get("cover", {})
        acc = c.get("acceptance", {})
        self.para(f"{acc.get('label', '项目受理号')}：{value_text(self.get(acc.get('field', '')))}")
        for _ in range(4):
            self.para()
        self.para(c.get("title", ""), size=22, bold=True, align="center", font=TITLE_FONT, space=12)
        self.para(c.get("subtitle", ""), size=16, bold=True, align="center", font=TITLE_FONT)
        for _ in range(4):
            self.para()
        for line in c.get("lines", []):
            text = f"{line['label']}：{value_text(self.get(line['field']))}"
            if line.get("stamp"):
                text += f"　　{line['stamp']}"
            self.para(text, size=15, space=10).paragraph_format.left_indent = Cm(1.5)
        for _ in range(5):
            self.para()
        self.para(c.get("issuer", ""), size=15, align="center")
        self.para(c.get("year", ""), size=15, align="center")

    def pledge(self) -> None:
        p = self.x.get("pledge", {})
        self.para(p.get("title", ""), size=20, bold=True, align="center", font=TITLE_FONT, space=18)
        body = [p.get("intro", ""), *p.get("items", [])]
        for text in body:
            para = self.para(text, size=14, space=6)
            para.paragraph_format.first_line_indent = Pt(28)
            para.paragraph_format.line_spacing = 1.5
        fields = p.get("fields", {})
        self.para()
        self.para(
            f"{p.get('signature', '')}{value_text(self.get(fields.get('signatory', '')))}", size=14
        )
        self.para()
        self.para(p.get("stamp", ""), size=14)
        self.para()
        self.para(
            f"{p.get('date', '日期：')}{date_text(self.get(fields.get('date', '')))}",
            size=14,
            align="right",
        )

    def boxes(self, path: str, chosen: list[str], other: str) -> str:
        lines = []
        for word in L.choices(self.form, path):
            mark = L.TICKED if word in chosen else L.UNTICKED
            if word == "其他":
                explain = "请说明" if "category" in path else "请注明"
                lines.append(f"{mark}其他（{explain}：{encode(other)}）")
            else:
                lines.append(f"{mark}{word}")
        return "\n".join(lines)

    def one(self) -> None:
        f = self.form
        self.heading(str((f.node("applicant") or {}).get("title", "一、申报单位基本信息")))
        rows: list[list[Cell]] = []  # cells: (text, is_label); merged by equal text
        a = "applicant"

        def single(key: str, text: str) -> None:
            rows.append(
                [("申报单位", True), (L.title(f, f"{a}.{key}"), True), (text, False), None, None]
            )

        single("park_name", value_text(self.get(f"{a}.park_name")))
        cat = self.get(f"{a}.park_category")
        single(
            "park_category",
            self.boxes(
                f"{a}.park_category",
                [cat] if isinstance(cat, str) else [],
                str(self.get(f"{a}.park_category_other") or ""),
            ),
        )
        inds = self.get(f"{a}.industries")
        single(
            "industries",
            self.boxes(
                f"{a}.industries",
                [i for i in inds if isinstance(i, str)] if isinstance(inds, list) else [],
                str(self.get(f"{a}.industries_other") or ""),
            ),
        )
        for key in ("name", "address", "credit_code", "legal_rep"):
            single(key, value_text(self.get(f"{a}.{key}")))
        for group, pairs in (
            ("lead", (("name", "title"), ("landline", "mobile"))),
            ("contact", (("name", "mobile"), ("landline", "fax"))),
        ):
            gtitle = L.title(f, f"{a}.{group}")
            for left, right in pairs:
                rows.append([
                    (gtitle, True),
                    (L.title(f, f"{a}.{group}.{left}"), True),
                    (value_text(self.get(f"{a}.{group}.{left}")), False),
                    (L.title(f, f"{a}.{group}.{right}"), True),
                    (value_text(self.get(f"{a}.{group}.{right}")), False),
                ])  # fmt: skip
        mail = value_text(self.get(f"{a}.mail_address"))
        rows.append(
            [("", True), (L.title(f, f"{a}.mail_address"), True), (mail, False), None, None]
        )
        rows.append([
            ("", True), (L.title(f, f"{a}.postcode"), True), (value_text(self.get(f"{a}.postcode")), False),
            (L.title(f, f"{a}.email"), True), (value_text(self.get(f"{a}.email")), False),
        ])  # fmt: skip
        overview = (
            L.hint(f, f"{a}.overview") + "\n" + value_text(self.get(f"{a}.overview")).strip("\n")
        )
        rows.append([(L.title(f, f"{a}.overview"), True), (overview, False), None, None, None])
        self.grid(rows, widths=(2.2, 3.2, 4.2, 2.2, 4.2))

    def grid(self, rows: list[list[Cell]], widths: tuple[float, ...] | None = None) -> Table:
        """A table from rows of cells; ``None`` extends the cell on its left (merged across),
        an equal label down the first column is one merged group cell (as the form's are)."""
        cols = max(len(r) for r in rows)
        t = self.table(len(rows), cols)
        done: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            for c, item in enumerate(row):
                if item is None or (r, c) in done:
                    continue
                text, is_label = item
                end = c
                while end + 1 < len(row) and row[end + 1] is None:
                    end += 1
                bottom = r
                if c == 0 and is_label and text:
                    while bottom + 1 < len(rows) and rows[bottom + 1][0] in (item, ("", True)):
                        bottom += 1  # a blank group cell continues the group above
                cell = t.cell(r, c)
                if end > c or bottom > r:
                    cell = cell.merge(t.cell(bottom, end))
                for rr in range(r, bottom + 1):
                    for cc in range(c, end + 1):
                        done.add((rr, cc))
                if is_label:
                    self.label_cell(cell, text)
                else:
                    self.put(cell, text)
        if widths:
            for row_ in t.rows:
                for n, cell in enumerate(row_.cells):
                    if n < len(widths):
                        cell.width = Cm(widths[n])
        return t

    def two(self) -> None:
        f = self.form
        base = "foundation"
        self.heading(str((f.node(base) or {}).get("title", "二、工作基础")))
        group = "申报单位（园区）"
        rows: list[list[Cell]] = []
        has = self.get(f"{base}.has_ip_department")
        yes = L.TICKED if has is True else L.UNTICKED
        no = L.TICKED if has is False else L.UNTICKED
        v = f"{yes}是\n{no}否"
        rows.append(
            [(group, True), (L.title(f, f"{base}.has_ip_department"), True), (v, False), None, None]
        )
        rows.append([
            (group, True), (L.title(f, f"{base}.ip_staff_fulltime"), True),
            (value_text(self.get(f"{base}.ip_staff_fulltime")), False),
            (L.title(f, f"{base}.ip_staff_parttime"), True),
            (value_text(self.get(f"{base}.ip_staff_parttime")), False),
        ])  # fmt: skip
        for key in L.FOUNDATION_COUNTS:
            v = value_text(self.get(f"{base}.{key}"))
            rows.append(
                [
                    ("区内企业情况", True),
                    (L.title(f, f"{base}.{key}"), True),
                    (v, False),
                    None,
                    None,
                ]
            )
        for period in L.periods(f):
            rows.extend(self.period_rows(period))
        for key in ("staff_description", "cases_description"):
            text = (
                L.hint(f, f"{base}.{key}")
                + "\n"
                + value_text(self.get(f"{base}.{key}")).strip("\n")
            )
            rows.append([(L.title(f, f"{base}.{key}"), True), (text, False), None, None, None])
        self.grid(rows, widths=(2.6, 3.0, 3.4, 3.4, 3.4))

    def period_rows(self, period: L.Period) -> list[list[Cell]]:
        f = self.form
        base = "foundation"
        groups = {
            "funding": "近两年知识产权工作经费投入情况",
            "demand": "园区/集聚区专利技术需求收集情况",
            "grants": "园区/集聚区专利创造产出情况",
        }
        group = groups.get(period.key, "园区/集聚区专利转化运用情况")
        width = 4
        out: list[list[Cell]] = []
        t = period.title
        out.append([(group, True), (t, True), None, None, None])
        head: list[Cell] = [(L.title(f, f"{base}.{period.key}[1].{period.key_col}"), True)]
        head += [(h, True) for _, h in period.columns]
        head += [None] * (width - len(head))
        out.append([(group, True), *head])
        rows = self.get(f"{base}.{period.key}")
        rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        if not rows:
            rows = [{period.key_col: label} for label in period.labels]
        totals: dict[str, Decimal | int] = {}
        for row in rows:
            cells: list[Cell] = [(value_text(row.get(period.key_col)), False)]
            for key, _ in period.columns:
                val = row.get(key)
                cells.append((value_text(val), False))
                if isinstance(val, int | Decimal) and not isinstance(val, bool):
                    totals[key] = totals.get(key, 0) + val
            cells += [None] * (width - len(cells))
            out.append([(group, True), *cells])
        if period.totals:
            cells = [
                (L.TOTAL, True),
                *[
                    (value_text(totals.get(k)) if k in period.totals else "", False)
                    for k, _ in period.columns
                ],
            ]
            cells += [None] * (width - len(cells))
            out.append([(group, True), *cells])
        if period.key == "grants":
            vp = f"{base}.valid_patents"
            cells = [
                (L.title(f, vp), True),
                *[(value_text(self.get(f"{vp}.{k}")), False) for k, _ in period.columns],
            ]
            out.append([(group, True), *cells])
        return out

    def three(self) -> None:
        f = self.form
        self.heading(str((f.node("targets") or {}).get("title", "三、绩效目标")))
        rows: list[list[Cell]] = [[("任务", True), ("指标项", True), ("量化目标", True)]]
        for target in L.targets(f):
            value = value_text(self.get(f"targets.{target.key}"))
            item = target.item
            if not item:
                rows.append([(target.task, True), (value, False), None])
            else:
                rows.append([(target.task, True), (item, True), (value, False)])
        self.grid(rows, widths=(4.0, 7.5, 4.5))
        self.para(str(self.x.get("notes", {}).get("targets", "")), size=10.5)

    def four(self) -> None:
        f = self.form
        self.heading(str((f.node("budget") or {}).get("title", "四、经费预算（成本测算）")))
        items = f.node("budget[1]") or {}
        props = items.get("properties", {})
        head = ["序号", *(str(props[k].get("title", k)) for k in ("item", "note", "amount_wan"))]
        head[2] = "说    明"
        budget = self.get("budget")
        rows_ = [r for r in budget if isinstance(r, dict)] if isinstance(budget, list) else []
        n_rows = max(len(rows_), int(self.x.get("budget_rows", 5)))
        t = self.table(n_rows + 2, 4)
        for c, h in enumerate(head):
            self.label_cell(t.cell(0, c), h)
        total: Decimal | int = 0
        for n in range(n_rows):
            row = rows_[n] if n < len(rows_) else {}
            self.put(t.cell(n + 1, 0), str(n + 1), center=True)
            self.put(t.cell(n + 1, 1), value_text(row.get("item")))
            self.put(t.cell(n + 1, 2), value_text(row.get("note")))
            amount = row.get("amount_wan")
            self.put(t.cell(n + 1, 3), value_text(amount))
            if isinstance(amount, int | Decimal) and not isinstance(amount, bool):
                total += amount
        last = n_rows + 1
        label = t.cell(last, 0).merge(t.cell(last, 2))
        self.label_cell(label, "合  计")
        self.put(t.cell(last, 3), value_text(total) if rows_ else "")
        self.para(str(self.x.get("notes", {}).get("budget", "")), size=10.5)

    def five(self) -> None:
        o = self.x.get("opinion", {})
        self.heading(str((self.form.node("opinion") or {}).get("title", "五、申报单位意见")))
        t = self.table(1, 1)
        cell = t.cell(0, 0)
        text = value_text(self.get("opinion.text")).strip("\n")
        lines = [
            text,
            "",
            o.get("declaration", ""),
            "",
            "",
            f"{o.get('signature', '')}{value_text(self.get('opinion.signatory'))}",
            "",
            "",
            o.get("stamp", ""),
            "",
            "",
            date_text(self.get("opinion.date")),
        ]
        self.put(cell, "\n".join(lines))
        cell.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def new_section(self, landscape: bool) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(29.7), Cm(21)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.0 if landscape else 2.6)

    def annex(self, key: str) -> None:
        spec = self.x.get(key, {})
        self.para(spec.get("title", key), size=14, bold=True, font=HEAD_FONT, space=6)
        headers, columns = spec.get("headers", []), spec.get("columns", [])
        data = self.get(key)
        rows = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
        n_rows = max(len(rows), int(spec.get("blank_rows", 0)) if not rows else len(rows))
        t = self.table(n_rows + 1, len(headers))
        for c, h in enumerate(headers):
            self.label_cell(t.cell(0, c), h)
        widths = ANNEX_WIDTHS.get(key)
        if widths and len(widths) == len(headers):
            for row_ in t.rows:
                for cell, width in zip(row_.cells, widths, strict=False):
                    cell.width = Cm(width)
        for n in range(n_rows):
            row = rows[n] if n < len(rows) else None
            if row is None:
                continue
            for c, col in enumerate(columns):
                if col == "":
                    text = str(n + 1)
                elif (
                    col == "price_yuan"
                    and row.get("negotiable") is True
                    and row.get("price_yuan") is None
                ):
                    text = "议价"
                elif col in OTHER_OF and row.get(col) == "其他" and row.get(OTHER_OF[col]):
                    text = f"其他（{value_text(row.get(OTHER_OF[col]))}）"
                else:
                    text = value_text(row.get(col))
                self.put(
                    t.cell(n + 1, c),
                    text,
                    center=col in ("", "date", "method", "patent_type", "grant_date", "demand"),
                )

    def plan(self) -> None:
        f = self.form
        p = self.x.get("plan", {})
        self.para(p.get("heading", "附件3："), size=14, bold=True, font=HEAD_FONT)
        unit = value_text(self.get("plan.unit_name"))
        self.para(
            unit or p.get("unit_placeholder", ""),
            size=18,
            bold=True,
            align="center",
            font=TITLE_FONT,
        )
        self.para(p.get("title", ""), size=18, bold=True, align="center", font=TITLE_FONT)
        self.para(p.get("subtitle", ""), size=14, align="center")
        self.para()
        cover = p.get("cover", "封皮：单位名称（公章）")
        self.para(f"{cover}：{unit}", size=14)
        self.para(f"{p.get('date', '日期：')}{date_text(self.get('plan.date'))}", size=14)
        for key in L.PLAN_SECTIONS:
            self.heading(L.title(f, f"plan.{key}"))
            h = L.hint(f, f"plan.{key}")
            if h:
                self.para(h, size=10.5)
            text = value_text(self.get(f"plan.{key}")).strip("\n")
            for line in text.split("\n") if text else []:
                self.para(line)

    def build(self) -> bytes:
        self.cover()
        self.page_break()
        self.pledge()
        self.page_break()
        self.one()
        self.two()
        self.three()
        self.four()
        self.five()
        self.new_section(landscape=True)
        self.annex("annex1")
        self.new_section(landscape=True)
        self.annex("annex2")
        self.new_section(landscape=False)
        self.plan()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def document_bytes(data: dict[str, Any], form: Form) -> bytes:
    """The .docx of a case's data (the form's layout, every field the printed form has)."""
    return Writer(data, form).build()
