"""A filled 申报书 (.docx) back into case data, by the form's labels, never by cell positions.

Forms filled by hand differ: ticks typed as ☑ ■ √ ✓ ☒ or 是/否, full-width digits, amounts
with units (45.5万元, 200,000元), dates as 2021年6月18日 / 2021.6.18 / 2021/06/18, blank
rows, text over several paragraphs, rows or columns a person added. Every value goes through
the importer's conversion (as ``import`` does); what cannot be read is listed with its label
and the text found, and its field is left out, never guessed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..imports import convert, header_names, parse_date
from ..schema import Form
from . import layout as L
from .write import OTHER_OF

_CODE = re.compile(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})")
_DATE_WORDS = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
_UNITS = re.compile(r"(家|件|项|次|条|人|个|名|户|场)$")


class DocxUnreadable(ValueError):
    """Not a Word document that can be read (the message says which file and why)."""


@dataclass
class Unread:
    label: str
    path: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "path": self.path, "text": self.text}


@dataclass
class ReadResult:
    data: dict[str, Any]
    unread: list[Unread] = field(default_factory=list)
    read: int = 0  # fields read


def decode(text: str) -> str:
    """Visible codes the writer used for control characters back to the characters."""
    from .write import _UNSAFE

    def back(m: re.Match[str]) -> str:
        char = chr(int(m.group(1) or m.group(2), 16))
        return char if _UNSAFE.fullmatch(char) else m.group()

    return _CODE.sub(back, text)


# --- the document as a stream of paragraphs and tables ---------------------------------------


@dataclass
class Row:
    cells: list[str]  # one per distinct cell, in order
    grid: list[str]  # one per grid column (a merged cell repeated)


Block = tuple[str, Any]  # ("p", text) | ("t", list[Row])


def _cell_text(cell: Any) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def blocks_of(source: Path | bytes) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    except Exception as exc:  # python-docx raises many kinds for a file that is not .docx
        name = "文件" if isinstance(source, bytes) else source.name
        raise DocxUnreadable(
            f"{name} 不是可读取的 Word 文件（.docx）（{type(exc).__name__}）；"
            "若是 .doc 或 WPS 格式，请先另存为 .docx"
        ) from exc
    out: list[Block] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(("p", Paragraph(child, doc).text))
        elif tag == "tbl":
            table = Table(child, doc)
            rows: list[Row] = []
            for row in table.rows:
                cells: list[str] = []
                grid: list[str] = []
                last = None
                for cell in row.cells:
                    text = _cell_text(cell)
                    grid.append(text)
                    if cell._tc is not last:
                        cells.append(text)
                    last = cell._tc
                rows.append(Row(cells, grid))
            if rows and all(len(r.cells) == 1 for r in rows):
                for r in rows:  # a one-column box (五): its lines are paragraphs
                    out.extend(("p", line) for line in r.cells[0].split("\n"))
            else:
                out.append(("t", rows))
    return out


# --- reading -------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return decode(text).strip()


class Reader:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.x = L.xform(form)
        self.data: dict[str, Any] = {"form": form.name, "case": {"status": "draft"}}
        self.unread: list[Unread] = []
        self.count = 0

    # --- putting values -------------------------------------------------------------------
    def put(self, path: str, text: str, label: str | None = None) -> None:
        """Convert ``text`` for the field at ``path`` (a.b.c) and set it, or list it unread."""
        node = self.form.node(path)
        if node is None:
            return
        label = label or self.form.label(path)
        parts = path.split(".")
        text = decode(text)
        holder = self.data
        for part in parts[:-1]:
            holder = holder.setdefault(part, {})
        key = parts[-1]
        value = self.value(node, text, label)
        if value is _UNREAD:
            self.unread.append(Unread(label, path, text.strip()))
        elif value is not None:
            holder[key] = value
            self.count += 1

    def value(self, node: dict[str, Any], text: str, label: str) -> Any:
        typ = node.get("type")
        if typ == "string" and node.get("format") != "date" and "enum" not in node:
            if node.get("x-check"):  # an identifier: full-width digits and letters folded
                return unicodedata.normalize("NFKC", text).strip()
            return _strip_blank_lines(text)
        stripped = text.strip()
        if not stripped:
            return None
        if typ in ("number", "integer"):
            stripped = _UNITS.sub("", unicodedata.normalize("NFKC", stripped).strip())
            wan = "万" in stripped and node.get("x-unit") == "元"
            row: dict[str, Any] = {}
            if convert(
                "v",
                node,
                stripped.replace("万元", "").replace("万", "") if wan else stripped,
                row,
                label,
            ):
                return _UNREAD
            value = row.get("v")
            if wan and value is not None:
                value = value * 10000
                if isinstance(value, Decimal) and value == value.to_integral_value():
                    value = int(value)
            return value
        if "enum" in node:
            word = unicodedata.normalize("NFKC", stripped)
            for choice in node["enum"]:
                if L.norm(choice) == L.norm(word):
                    return choice
            return _UNREAD
        row = {}
        if convert("v", node, stripped, row, label):
            return _UNREAD
        return row.get("v")

    # --- the parts --------------------------------------------------------------------------
    def read(self, blocks: list[Block]) -> None:
        section = "cover"
        groups: dict[str, list[Block]] = {}
        for kind, value in blocks:
            if kind == "p":
                found = self.section_of(value, section)
                if found:
                    section = found
                    groups.setdefault(section, [])
                    continue
            groups.setdefault(section, []).append((kind, value))
        for name, part in groups.items():
            reader = getattr(self, f"read_{name}", None)
            if reader is not None:
                reader(part)

    def section_of(self, text: str, current: str) -> str | None:
        n = L.norm(text)
        if not n:
            return None
        pledge = L.norm(str(self.x.get("pledge", {}).get("title", "信用承诺书")))
        if n == pledge and current == "cover":
            return "pledge"
        for key, title, _node in self.form.sections():
            if key == "case":
                continue
            t = L.norm(title)
            if key.startswith("annex") or key == "plan":
                short = L.norm(title.split("：", 1)[0])
                if n.startswith(short) and (len(n) == len(short) or n[len(short)] in ":："):
                    return key
            elif n.startswith(t) and current != "plan":
                return key
        return None

    def read_cover(self, part: list[Block]) -> None:
        acc = self.x.get("cover", {}).get("acceptance", {})
        label = L.norm(str(acc.get("label", "项目受理号")))
        for kind, value in part:
            if kind == "p" and L.norm(value).startswith(label):
                self.put(str(acc.get("field", "case.acceptance_no")), _after_colon(value, label))

    def read_pledge(self, part: list[Block]) -> None:
        p = self.x.get("pledge", {})
        fields = p.get("fields", {})
        lines = [v for k, v in part if k == "p"]
        self._signature(
            lines, str(p.get("signature", "")), fields.get("signatory"), fields.get("date")
        )

    def _signature(
        self, lines: list[str], signature: str, who: str | None, when: str | None
    ) -> None:
        sig = L.norm(signature).rstrip(":：")
        for line in lines:
            n = L.norm(line)
            if who and sig and n.startswith(sig):
                rest = _after_colon(line, sig)
                if rest:
                    self.put(who, rest)
            elif when and (
                ("年" in line and "月" in line and "日" in line)
                or n.startswith("日期")
                or _is_date(line)
            ):
                text = line.split("：", 1)[-1].split(":", 1)[-1] if n.startswith("日期") else line
                if re.search(r"\d", text):
                    self.put(when, text)

    def labels(self, base: str, keys: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in keys:
            title = L.title(self.form, f"{base}.{key}")
            out[L.norm(title)] = key
            out.setdefault(re.sub(r"[（(].*?[)）]", "", L.norm(title)), key)
        return out

    def read_applicant(self, part: list[Block]) -> None:
        base = "applicant"
        top = self.labels(base, ["park_name", "park_category", "industries", "name", "address",
                                 "credit_code", "legal_rep", "mail_address", "postcode", "email", "overview"])  # fmt: skip
        groups = {L.norm(L.title(self.form, f"{base}.{g}")): g for g in ("lead", "contact")}
        sub = {
            g: self.labels(
                f"{base}.{g}", list((self.form.node(f"{base}.{g}") or {}).get("properties", {}))
            )
            for g in groups.values()
        }
        for rows in _tables(part):
            group: str | None = None
            for row in rows:
                first = L.norm(row.cells[0]) if row.cells else ""
                if first in groups:
                    group = groups[first]
                elif first:
                    group = None
                self._pairs(
                    row.cells,
                    lambda n, g=group: (
                        f"{base}.{g}.{sub[g][n]}"
                        if g and n in sub[g]
                        else (f"{base}.{top[n]}" if n in top else None)
                    ),
                )

    def _pairs(self, cells: list[str], lookup: Any) -> None:
        i = 0
        while i < len(cells):
            path = lookup(L.norm(cells[i])) if cells[i].strip() else None
            if path is None:
                i += 1
                continue
            value = cells[i + 1] if i + 1 < len(cells) else ""
            if value.strip() and lookup(L.norm(value)) is not None:
                value = ""  # the next cell is another label: this one was left blank
                i += 1
            else:
                i += 2
            self.field(path, value)

    def field(self, path: str, text: str) -> None:
        if path == "applicant.park_category":
            self.choice(path, text, multi=False)
        elif path == "applicant.industries":
            self.choice(path, text, multi=True)
        elif path == "foundation.has_ip_department":
            picked = _ticked(text, ["是", "否"])
            if picked == []:
                return  # neither box ticked: left blank
            if picked is None or len(picked) > 1:
                if text.strip():
                    self.unread.append(Unread(self.form.label(path), path, text.strip()))
                return
            self.data.setdefault("foundation", {})["has_ip_department"] = picked == ["是"]
            self.count += 1
        else:
            hint = L.hint(self.form, path)
            if hint and L.norm(text).startswith(L.norm(hint)):
                text = _drop_prefix(text, hint)
            self.put(path, text)

    def choice(self, path: str, text: str, multi: bool) -> None:
        words = L.choices(self.form, path)
        picked = _ticked(text, words)
        label = self.form.label(path)
        other_key = L.other_key(self.form, path)
        base = path.rsplit(".", 1)[0]
        holder = self.data.setdefault(base.split(".")[0], {})
        other = _other_text(text)
        if other_key is not None:
            holder[other_key] = decode(other or "")
        if picked is None:
            if text.strip():
                self.unread.append(Unread(label, path, text.strip()))
            return
        key = path.rsplit(".", 1)[-1]
        if multi:
            holder[key] = picked
        elif len(picked) == 1:
            holder[key] = picked[0]
        elif picked:
            self.unread.append(Unread(label, path, text.strip()))
            return
        else:
            return
        self.count += 1

    def read_foundation(self, part: list[Block]) -> None:
        base = "foundation"
        keys = ["has_ip_department", "ip_staff_fulltime", "ip_staff_parttime", *L.FOUNDATION_COUNTS,
                "staff_description", "cases_description"]  # fmt: skip
        top = self.labels(base, keys)
        periods = {L.norm(p.title): p for p in L.periods(self.form)}
        valid = L.norm(L.title(self.form, f"{base}.valid_patents"))
        year = L.norm("年度")
        for rows in _tables(part):
            current: L.Period | None = None
            header: dict[int, str] = {}
            key_at = -1
            for row in rows:
                norms = [L.norm(c) for c in row.grid]
                titled = next((periods[n] for n in norms if n in periods), None)
                if titled is not None and titled is not current:
                    current, header, key_at = titled, {}, -1
                    if year not in norms:
                        continue
                if valid in norms:
                    at = norms.index(valid)
                    vp = f"{base}.valid_patents"
                    cols = (self.form.node(vp) or {}).get("properties", {})
                    if header:
                        for idx, key in header.items():
                            if key in cols and idx > at:
                                self.put(f"{vp}.{key}", row.grid[idx])
                    else:
                        rest = _distinct_after(row.cells, row.cells.index(row.grid[at]))
                        for key, text in zip(cols, rest, strict=False):
                            self.put(f"{vp}.{key}", text)
                    continue
                if any(n in top for n in norms if n):
                    current = None
                    self._pairs(row.cells, lambda n: f"{base}.{top[n]}" if n in top else None)
                    continue
                if current is None:
                    continue
                if year in norms:
                    key_at = norms.index(year)
                    header = {}
                    names = {L.norm(h): k for k, h in current.columns}
                    names.update(
                        {re.sub(r"[（(].*?[)）]", "", n): k for n, k in list(names.items())}
                    )
                    for idx, n in enumerate(norms):
                        if idx > key_at and n in names and names[n] not in header.values():
                            header[idx] = names[n]
                    continue
                if key_at < 0 or key_at >= len(row.grid):
                    continue
                label = row.grid[key_at].strip()
                if L.norm(label) in L.TOTAL_WORDS or not label:
                    continue
                values = {k: row.grid[i] for i, k in header.items() if i < len(row.grid)}
                if not any(v.strip() for v in values.values()):
                    continue
                self.period_row(current, label, values)

    def period_row(self, period: L.Period, label: str, values: dict[str, str]) -> None:
        table = self.data.setdefault("foundation", {}).setdefault(period.key, [])
        n = len(table) + 1
        for known in period.labels:
            if L.norm(known) in (L.norm(label), L.norm(label) + "年") or L.norm(known).rstrip(
                "年"
            ) == L.norm(label).rstrip("年"):
                label = known
        row: dict[str, Any] = {period.key_col: decode(label)}
        table.append(row)
        path = f"foundation.{period.key}"
        for key, text in values.items():
            node = self.form.node(f"{path}[1].{key}") or {}
            where = f"{self.form.label(path)} {label} {node.get('title', key)}"
            value = self.value(node, decode(text), where)
            if value is _UNREAD:
                self.unread.append(Unread(where, f"{path}[{n}].{key}", text.strip()))
            elif value is not None:
                row[key] = value
                self.count += 1

    def read_targets(self, part: list[Block]) -> None:
        items: dict[str, str] = {}
        tasks: dict[str, str] = {}
        for t in L.targets(self.form):
            if t.item:
                items[L.norm(t.item)] = t.key
                items.setdefault(re.sub(r"[（(].*?[)）]", "", L.norm(t.item)), t.key)
            else:
                tasks[L.norm(t.task)] = t.key
                tasks[L.norm(re.sub(r"^\d+\.", "", t.task))] = t.key
        for rows in _tables(part):
            for row in rows:
                cells = row.cells
                for i, cell in enumerate(cells):
                    n = L.norm(cell)
                    if not n:
                        continue
                    if n in items:
                        value = cells[i + 1] if i + 1 < len(cells) else ""
                        if L.norm(value) not in items:
                            self.put(f"targets.{items[n]}", value)
                        continue
                    if n in tasks and i == 0:
                        rest = [c for c in cells[1:] if c.strip()]
                        if rest:
                            self.put(f"targets.{tasks[n]}", rest[-1])
                        continue
                    parts = [p for p in re.split(r"[；;]", n) if p]
                    keys = [items.get(p) for p in parts]
                    if len(parts) > 1 and all(keys):
                        value = cells[i + 1] if i + 1 < len(cells) else ""
                        pieces = [p for p in re.split(r"[；;、,，/\s]+", value) if p]
                        for key, piece in zip(keys, pieces, strict=False):
                            self.put(f"targets.{key}", piece)

    def read_budget(self, part: list[Block]) -> None:
        props = (self.form.node("budget[1]") or {}).get("properties", {})
        names = {L.norm(str(v.get("title", k))): k for k, v in props.items()}
        names.update({re.sub(r"[（(].*?[)）]", "", n): k for n, k in list(names.items())})
        names[L.norm("序号")] = ""
        self.rows_table(part, "budget", names)

    def read_annex1(self, part: list[Block]) -> None:
        self.rows_table(part, "annex1", header_names(self.form, "annex1"))

    def read_annex2(self, part: list[Block]) -> None:
        self.rows_table(part, "annex2", header_names(self.form, "annex2"))

    def rows_table(self, part: list[Block], table: str, names: dict[str, str]) -> None:
        def lookup(text: str) -> str | None:
            n = L.norm(text)
            if n in names:
                return names[n]
            return names.get(re.sub(r"[（(].*?[)）]", "", n))

        props = (self.form.node(f"{table}[1]") or {}).get("properties", {})
        rows_out: list[dict[str, Any]] = self.data.setdefault(table, [])
        label = self.form.label(table)
        for rows in _tables(part):
            columns: dict[int, str] | None = None
            headers: dict[int, str] = {}
            for row in rows:
                found = {i: lookup(c) for i, c in enumerate(row.grid) if c.strip()}
                known = {i: k for i, k in found.items() if k is not None}
                if len(known) >= 2 and len(known) >= len(found) // 2:
                    columns, headers = {}, {}
                    for i, k in known.items():
                        if (
                            k
                            and k not in columns.values()
                            and (i == 0 or row.grid[i] != row.grid[i - 1])
                        ):
                            columns[i] = k
                            headers[i] = row.grid[i].strip().replace("\n", "")
                    extra = [
                        row.grid[i]
                        for i, k in found.items()
                        if k is None and (i == 0 or row.grid[i] != row.grid[i - 1])
                    ]
                    for text in extra:
                        self.unread.append(
                            Unread(f"{label} 表头", None, f"多出的列「{text.strip()}」未读取")
                        )
                    continue
                if columns is None:
                    continue
                texts = {i: row.grid[i] for i in columns if i < len(row.grid)}
                first = next((t for t in row.grid if t.strip()), "")
                if L.norm(first) in L.TOTAL_WORDS:
                    continue
                if not any(t.strip() for t in texts.values()):
                    continue
                n = len(rows_out) + 1
                values: dict[str, Any] = {}
                for i, key in columns.items():
                    text = decode(texts.get(i, ""))
                    node = props.get(key, {})
                    header = headers[i]
                    if (
                        node.get("type") == "string"
                        and "enum" not in node
                        and node.get("format") != "date"
                    ):
                        if text.strip():
                            values[key] = self.value(node, text, header)
                            self.count += 1
                        continue
                    if node.get("type") in ("number", "integer") and text.strip() != "":
                        cleaned = unicodedata.normalize("NFKC", text).strip()
                        if key == "price_yuan" and L.norm(cleaned) in {"议价", "面议", "可议价"}:
                            values["negotiable"] = True
                            self.count += 1
                            continue
                        value = self.value(node, cleaned, header)
                        if value is _UNREAD:
                            self.unread.append(
                                Unread(
                                    f"{label} 序号{n} {header}", f"{table}[{n}].{key}", text.strip()
                                )
                            )
                        elif value is not None:
                            values[key] = value
                            if key == "price_yuan":
                                values.setdefault("negotiable", False)
                            self.count += 1
                        continue
                    other = OTHER_OF.get(key)
                    m = re.fullmatch(r"\s*其他\s*[（(](.*)[)）]\s*", text, re.S) if other else None
                    if other and m and (self.form.node(f"{table}[1].{other}") is not None):
                        values[key] = "其他"
                        values[other] = _strip_blank_lines(m.group(1)).strip()
                        self.count += 1
                        continue
                    value = self.value(node, text, header) if text.strip() else None
                    if value is _UNREAD:
                        self.unread.append(
                            Unread(f"{label} 序号{n} {header}", f"{table}[{n}].{key}", text.strip())
                        )
                    elif value is not None:
                        values[key] = value
                        self.count += 1
                rows_out.append(values)

    def read_opinion(self, part: list[Block]) -> None:
        o = self.x.get("opinion", {})
        lines = [v for k, v in part if k == "p"]
        declaration = L.norm(str(o.get("declaration", "")))[:12]
        at = next(
            (
                i
                for i, line in enumerate(lines)
                if declaration and L.norm(line).startswith(declaration)
            ),
            None,
        )
        before = lines if at is None else lines[:at]
        self.put("opinion.text", "\n".join(before))
        after = [] if at is None else lines[at + 1 :]
        self._signature(after, str(o.get("signature", "")), "opinion.signatory", "opinion.date")

    def read_plan(self, part: list[Block]) -> None:
        p = self.x.get("plan", {})
        titles = {L.norm(L.title(self.form, f"plan.{k}")): k for k in L.PLAN_SECTIONS}
        hints = {L.norm(L.hint(self.form, f"plan.{k}")) for k in L.PLAN_SECTIONS}
        unit_label = L.norm("单位名称（公章）")
        texts: dict[str, list[str]] = {}
        current: str | None = None
        for kind, value in part:
            if kind != "p":
                continue
            n = L.norm(value)
            if current is None and unit_label in n:
                rest = value.split("单位名称（公章）", 1)[-1] if "单位名称（公章）" in value else ""
                rest = (rest[1:] if rest[:1] in (":", "：") else rest).strip()
                if rest:
                    self.put("plan.unit_name", rest)
                continue
            if current is None and n.startswith("日期"):
                text = value.split("：", 1)[-1].split(":", 1)[-1]
                if re.search(r"\d", text):
                    self.put("plan.date", text)
                continue
            if n in titles:
                current = titles[n]
                texts[current] = []
                continue
            if current is None or (n and n in hints):
                continue
            texts[current].append(value)
        for key, lines in texts.items():
            self.put(f"plan.{key}", "\n".join(lines))
        del p


class _Unread:
    pass


_UNREAD: Any = _Unread()


def _tables(part: list[Block]) -> list[list[Row]]:
    return [v for k, v in part if k == "t"]


def _is_date(text: str) -> bool:
    try:
        parse_date(text.strip())
    except ValueError:
        return False
    return True


def _strip_blank_lines(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _after_colon(text: str, label_norm: str) -> str:
    for sep in ("：", ":"):
        if sep in text:
            return text.split(sep, 1)[1].strip()
    return ""


def _drop_prefix(text: str, hint: str) -> str:
    target = L.norm(hint)
    for i in range(len(text) + 1):
        if L.norm(text[:i]) == target:
            return text[i:]
    return text


def _distinct_after(cells: list[str], index: int) -> list[str]:
    return cells[index + 1 :]


def _other_text(text: str) -> str | None:
    m = re.search(r"其他[（(]\s*请[说注]明\s*[:：]?(.*?)[)）]\s*$", text, re.S | re.M)
    return m.group(1).strip() if m else None


def _ticked(text: str, words: list[str]) -> list[str] | None:
    """The options ticked in a box group; None when nothing can be told (no box, no word)."""
    plain = unicodedata.normalize("NFKC", text)
    # the explanation of 其他 is not a choice, even when it names one (其他（请注明：人工智能芯片）)
    plain = re.sub(
        r"(其他[(]\s*请[说注]明\s*:?)(.*?)([)])",
        lambda m: m.group(1) + m.group(3),
        plain,
        flags=re.S,
    )
    found: list[tuple[int, str, str, str]] = []
    taken: list[tuple[int, int]] = []
    for word in sorted(words, key=len, reverse=True):
        start = 0
        w = unicodedata.normalize("NFKC", word)
        while True:
            at = plain.find(w, start)
            if at < 0:
                break
            start = at + len(w)
            if any(a <= at < b for a, b in taken):
                continue
            taken.append((at, at + len(w)))
            before = plain[:at].rstrip(" \t")
            mark = before[-1:] if before else ""
            after = plain[at + len(w) :].lstrip(" \t")[:1]
            found.append((at, word, mark, after))
            break
    if not found:
        return None
    # Boxes before the words (□集成电路 ☑人工智能), or a mark after a word (人工智能√)
    prefix = any(m and (m in L.TICKS or m in L.BOXES) for _, _, m, _ in found)
    states: list[tuple[int, str, bool | None]] = []
    for at, word, mark, after in found:
        state: bool | None = None
        if prefix:
            state = mark in L.TICKS if mark and (mark in L.TICKS or mark in L.BOXES) else False
        elif after and after in L.TICKS:
            state = True
        elif after and after in L.BOXES:
            state = False
        states.append((at, word, state))
    return _picked(states, words)


def _picked(found: list[tuple[int, str, bool | None]], words: list[str]) -> list[str] | None:
    if not found:
        return None
    found.sort()
    boxes = any(s is not None for _, _, s in found)
    if boxes:
        return [w for _, w, s in found if s]
    if words == ["是", "否"]:
        return [found[0][1]] if len(found) == 1 else None
    return [w for _, w, _ in found]  # no boxes at all: the words written are the choices


def read_document(source: Path | bytes, form: Form) -> ReadResult:
    reader = Reader(form)
    reader.read(blocks_of(source))
    data = reader.data
    for key in ("annex1", "annex2", "budget"):
        if key in data and not data[key]:
            del data[key]
    return ReadResult(data, reader.unread, reader.count)


__all__ = ["DocxUnreadable", "ReadResult", "Unread", "decode", "parse_date", "read_document"]
