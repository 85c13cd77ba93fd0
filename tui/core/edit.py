"""Field-level changes between two versions of a case, and merging them into the TOML text.

Data is tomllib-shaped (dict/list/str/int/Decimal/bool/date). ``diff_data`` names what changed
by field path (rows 1-based, aligned so that an inserted or deleted row is one change, not a
shift of every row after it). ``render`` writes only the changed values into the ``tomlkit``
document of the old text, so comments, key order, blank lines and hand formatting survive
byte for byte outside the changed lines; the result is checked by parsing it back.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any

import tomlkit
import wcwidth
from tomlkit.items import (
    AoT,
    Array,
    Float,
    InlineTable,
    Item,
    SingleKey,
    String,
    StringType,
    Table,
    Trivia,
    Whitespace,
)

from .paths import Part, PathError, format_path, get_at, parse_path


class MergeError(ValueError):
    """The new data could not be written into the file's layout; nothing was written."""


@dataclass(frozen=True)
class FieldChange:
    """One field that changed: its path (case-format.md), the value before and after.

    ``old`` is None for a field or row that was added, ``new`` None for one that was removed.
    """

    path: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "old": json_value(self.old), "new": json_value(self.new)}

    def describe(self, width: int = 60) -> str:
        """``targets.info_pushes 1200 → 1500`` (long values shortened)."""
        row = self.path.endswith("]")
        if self.old is None and isinstance(self.new, dict):
            return f"{self.path} {'新增一行' if row else '新增'} {short_value(self.new, width)}"
        if self.new is None and isinstance(self.old, dict):
            return f"{self.path} {'删除一行' if row else '删除'} {short_value(self.old, width)}"
        return f"{self.path} {short_value(self.old, width)} → {short_value(self.new, width)}"


# --- comparing values ---------------------------------------------------------------------


_KINDS: dict[type, str] = {
    bool: "bool",
    int: "number",
    float: "number",
    Decimal: "number",
    str: "str",
    list: "list",
    dict: "dict",
    date: "date",
    datetime: "datetime",
    time: "time",
}


def _kind(value: Any) -> str:
    kind = _KINDS.get(type(value))  # the usual types at once (the log compares many values)
    if kind is not None:
        return kind
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def clone(value: Any) -> Any:
    """A copy of case data: tables and arrays are copied, the values in them (str, int,
    Decimal, bool, dates) are immutable and shared. Many times faster than ``deepcopy``."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def same(a: Any, b: Any) -> bool:
    """Equal as TOML values: 62.0 and 62 are the same amount; true is not 1; "1" is not 1."""
    if a is b:
        return True
    kind = type(a)
    if kind is type(b):  # the usual case (a save or the log compares whole cases): no _kind
        if kind is dict:
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if kind is list:
            return len(a) == len(b) and all(map(same, a, b))
        if kind is not datetime:
            return bool(a == b)
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return False
    if ka == "dict":
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if ka == "list":
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if ka == "datetime" and (a.tzinfo is None) != (b.tzinfo is None):
        return False
    return bool(a == b)


def _canon(value: Any) -> Any:
    """A hashable stand-in with ``same`` as its equality (for aligning rows)."""
    kind = _kind(value)
    if kind == "dict":
        return ("dict", tuple(sorted((k, _canon(v)) for k, v in value.items())))
    if kind == "list":
        return ("list", tuple(_canon(v) for v in value))
    if kind == "datetime":
        return ("datetime", value.tzinfo is None, value)
    return (kind, value)


def is_rows(value: Any) -> bool:
    """A list of tables (``[[annex1]]``); an empty list counts when the other side has rows."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def align_rows(old: Sequence[Any], new: Sequence[Any]) -> Sequence[tuple[str, int, int, int, int]]:
    """difflib opcodes between two lists of rows (equal rows match even when others move)."""
    matcher = SequenceMatcher(None, [_canon(r) for r in old], [_canon(r) for r in new], False)
    return matcher.get_opcodes()


# --- field-level differences --------------------------------------------------------------


def diff_data(old: Any, new: Any, prefix: tuple[Part, ...] = ()) -> list[FieldChange]:
    """What changed from ``old`` to ``new``, field by field, in document order."""
    out: list[FieldChange] = []
    _diff(old, new, prefix, out)
    return out


def _diff_keys(
    old: dict[str, Any], new: dict[str, Any], at: tuple[Part, ...], out: list[FieldChange]
) -> None:
    """Key by key: changed values (recursively), added keys, removed keys."""
    for key, value in new.items():
        if key in old:
            _diff(old[key], value, (*at, key), out)
        else:
            out.append(FieldChange(format_path((*at, key)), None, value))
    for key, value in old.items():
        if key not in new:
            out.append(FieldChange(format_path((*at, key)), value, None))


def _diff(old: Any, new: Any, at: tuple[Part, ...], out: list[FieldChange]) -> None:
    if old is new:
        return
    if type(old) is dict and type(new) is dict:  # each key is compared below: no same() here
        if old.keys() == new.keys() and all(old[k] is new[k] for k in old):
            return
        _diff_keys(old, new, at, out)
        return
    if same(old, new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        _diff_keys(old, new, at, out)
        return
    if is_rows(old) and is_rows(new) and (old or new) and at:
        if len(old) == len(new):
            differ = [n for n, (a, b) in enumerate(zip(old, new, strict=True)) if not same(a, b)]
            if len(differ) <= 1:  # what the alignment would pair anyway, without aligning
                for n in differ:
                    _diff(old[n], new[n], (*at, n + 1), out)
                return
        for tag, i1, i2, j1, j2 in align_rows(old, new):
            if tag == "equal":
                continue
            paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for n in range(paired):
                _diff(old[i1 + n], new[j1 + n], (*at, j1 + n + 1), out)
            for i in range(i1 + paired, i2):
                out.append(FieldChange(format_path((*at, i + 1)), old[i], None))
            for j in range(j1 + paired, j2):
                out.append(FieldChange(format_path((*at, j + 1)), None, new[j]))
        return
    out.append(FieldChange(format_path(at) if at else "", old, new))


# --- showing values -----------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """A value written as TOML would write it (strings quoted, dates bare)."""
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        if not value.is_finite():  # inf or nan in a hand-edited file: shown as TOML writes it
            return "nan" if value.is_nan() else ("-inf" if value < 0 else "inf")
        return _decimal_text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def short_value(value: Any, width: int = 60) -> str:
    text = toml_value(value).replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def json_value(value: Any) -> Any:
    """A value for JSON output: exact numbers stay numbers when a float shows them exactly."""
    if isinstance(value, Decimal):
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise MergeError(f"金额 {value} 不是有限的数；请填写数字")
    text = format(value, "f")
    return text if "." in text else text + ".0"


# --- values from the command line ---------------------------------------------------------

_TOML_START = re.compile(r"""^\s*[-+0-9"'\[{]|^\s*(true|false|inf|nan)\s*$""")


def parse_value(text: str) -> Any:
    """A value as ``anjuan set`` takes it: TOML value syntax (``12``, ``"text"``, ``2022-03-01``,
    ``true``, ``[..]``, ``{..}``); a bare word that is not TOML is taken as text (``转让``)."""
    try:
        return tomllib.loads(f"v = {text}", parse_float=Decimal)["v"]
    except tomllib.TOMLDecodeError as exc:
        if not _TOML_START.match(text) and "\n" not in text:
            return text
        raise PathError(
            f'值 {text!r} 不是 TOML 值（{exc}）；数字写 12 或 3.5，文字写 "文字"，日期写 2022-03-01，'
            "是/否写 true/false"
        ) from exc


def apply_changes(
    data: Mapping[str, Any], changes: Mapping[str, Any], node_exists: Any = None
) -> dict[str, Any]:
    """A copy of ``data`` with each ``path: value`` set (values already parsed).

    A path may name the row after the last one (``annex1[8]`` when there are 7) to append a
    row; ``node_exists(parts)`` (e.g. ``form.node``) decides which keys the form has. A bad path
    raises PathError naming the path and what to write instead.
    """
    result = clone(dict(data))
    for path, value in changes.items():
        parts = parse_path(path)
        if node_exists is not None and node_exists(parts) is None:
            raise PathError(
                f"字段 {path!r} 在申报书中不存在；请检查拼写（字段名见 case-format.md，"
                "如 targets.info_pushes、annex1[3].contract_yuan）"
            )
        _set_at(result, parts, value, path)
    return result


def _set_at(data: dict[str, Any], parts: tuple[Part, ...], value: Any, path: str) -> None:
    cur: Any = data
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(cur, list):
                raise PathError(
                    f"字段路径 {path!r}：{format_path(parts[:n])} 不是表格行，不能用 [{part}]；"
                    "请去掉行号"
                )
            if part == len(cur) + 1:
                cur.append({} if not last else value)
                if last:
                    return
            elif not 1 <= part <= len(cur):
                raise PathError(
                    f"字段路径 {path!r}：{format_path(parts[:n])} 只有 {len(cur)} 行；"
                    f"行号应在 1–{len(cur)} 之间，或写 [{len(cur) + 1}] 新增一行"
                )
            if last:
                cur[part - 1] = value
                return
            cur = cur[part - 1]
        else:
            if not isinstance(cur, dict):
                raise PathError(f"字段路径 {path!r}：{format_path(parts[:n])} 不是表，没有 {part}")
            if last:
                cur[part] = value
                return
            nxt = parts[n + 1]
            if part not in cur:
                cur[part] = [] if isinstance(nxt, int) else {}
            cur = cur[part]


# --- merging into the TOML text -----------------------------------------------------------


_docs: OrderedDict[str, tomlkit.TOMLDocument] = OrderedDict()
_docs_lock = threading.Lock()
_DOCS_KEPT = 32


def render_checked(
    text: str,
    old: dict[str, Any],
    new: dict[str, Any],
    changes: list[FieldChange] | None = None,
) -> tuple[str, dict[str, Any]]:
    """``render``, and the result as parsed back (the check that it reads as ``new``).

    The parsed ``tomlkit`` document of the result is kept (by text), so that the next save of
    the same case does not parse the file again: parsing is most of a save's own time.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    crlf = "\r\n" in body and body.count("\r\n") == body.count("\n")
    if crlf:
        body = body.replace("\r\n", "\n")

    def finish(out_body: str, by_sections: bool = False) -> tuple[str, dict[str, Any]]:
        out = out_body
        if crlf:
            out = out.replace("\r\n", "\n").replace("\n", "\r\n")
        out = bom + out
        return out, check_rendered(out, new, by_sections)

    with _docs_lock:
        doc = _docs.pop(body, None)
    if doc is None:
        try:
            quick = _render_sections(body, old, new, changes)
        except Exception:  # any surprise in the quick way: the whole document below
            quick = None
        if quick is not None:
            return finish(quick, by_sections=True)
        doc = tomlkit.parse(body)
    merge_into(doc, old, new)
    out_body = doc.as_string()
    result = finish(out_body)
    with _docs_lock:
        _docs[out_body] = doc
        while len(_docs) > _DOCS_KEPT:
            _docs.popitem(last=False)
    return result


def _structural(value: Any) -> bool:
    """A table or rows: adding, removing or reshaping these needs the whole document."""
    return isinstance(value, dict) or (isinstance(value, list) and is_rows(value))


def _render_sections(
    body: str, old: dict[str, Any], new: dict[str, Any], changes: list[FieldChange] | None
) -> str | None:
    """Changed values written by parsing only the sections (``[table]`` / ``[[row]]`` blocks)
    that hold them, or None when the change is not a plain value change.

    A cold save spends most of its time in ``tomlkit.parse`` of the whole file; a case is
    40-100 sections and an edit touches one or two. The caller checks the assembled text
    by parsing it back, so a wrong split can never be written.
    """
    if changes is None:
        changes = diff_data(old, new)
    if not changes or any(
        c.old is None or c.new is None or _structural(c.old) or _structural(c.new) for c in changes
    ):
        return None
    starts = [0, *[m.start() for m in _HEADER.finditer(body) if m.start() > 0], len(body)]
    chunks = [body[a:b] for a, b in itertools.pairwise(starts)]
    places: list[tuple[tuple[Part, ...], int | None, dict[str, Any]]] = []
    seen: dict[tuple[Part, ...], int] = {}
    for chunk in chunks:
        fragment = _fragment(chunk)
        keys: tuple[Part, ...] = ()
        node: Any = fragment
        row = None
        while isinstance(node, dict) and len(node) == 1 and chunk.startswith("["):
            ((key, node),) = node.items()
            keys = (*keys, key)
            if isinstance(node, list):
                seen[keys] = row = seen.get(keys, 0) + 1
                break
        places.append((keys if chunk.startswith("[") else (), row, fragment))
    edits: dict[int, list[tuple[tuple[Part, ...], Any]]] = {}
    missing = object()
    for change in changes:
        parts = parse_path(change.path)
        found: tuple[int, tuple[Part, ...]] | None = None
        for n, (keys, row, fragment) in enumerate(places):
            if parts[: len(keys)] != keys or (n > 0 and not keys):
                continue
            rest = parts[len(keys) :]
            if row is not None:
                if not rest or rest[0] != row:
                    continue
                rest = rest[1:]
            inside = (*keys, 1, *rest) if row is not None else parts
            if not rest or get_at(fragment, inside, missing) is missing:
                continue
            if found is None or len(places[found[0]][0]) < len(keys):
                found = (n, rest)
        if found is None:
            return None
        edits.setdefault(found[0], []).append((found[1], change.new))
    for n, items in edits.items():
        keys, row, _unused = places[n]
        doc = tomlkit.parse(chunks[n])
        container: Any = doc
        for key in keys:
            container = container[key]
        if row is not None:
            container = container[0]
        for local, value in items:
            target = container
            for part in local[:-1]:
                target = target[part - 1] if isinstance(part, int) else target[part]
            last = local[-1]
            if isinstance(last, int):
                return None
            _replace(target, last, target[last], value)
        chunks[n] = doc.as_string()
    return "".join(chunks)


def check_rendered(out: str, new: dict[str, Any], by_sections: bool = False) -> dict[str, Any]:
    """Parse the result back: what we write must read as exactly the data we were given.

    ``by_sections``: the text differs from a valid file only in values inside a few sections
    (the quick way); those sections are parsed again, the others come from the cache.
    """
    try:
        text = out.removeprefix("\ufeff")
        back = loads_sections(text) if by_sections else tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise MergeError(f"写回的文本不是有效的 TOML（{exc}）；未写入。请报告此问题") from exc
    if not same(back, new):
        wrong = [c.path for c in diff_data(new, back)][:5]
        raise MergeError(
            f"写回的文本与要保存的数据不一致（{', '.join(wrong)}）；未写入。请报告此问题"
        )
    return back


def merge_into(container: Any, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Assign only the values that changed (recursing into tables and rows)."""
    for key in [k for k in old if k not in new]:
        del container[key]
    for key, value in new.items():
        if key not in old:
            container[key] = make_item(value)
            continue
        before = old[key]
        if same(before, value):
            continue
        current = container[key]
        if isinstance(before, dict) and isinstance(value, dict) and _is_table_like(current):
            merge_into(current, before, value)
        elif isinstance(current, AoT) and is_rows(before) and is_rows(value) and value:
            merge_rows(current, before, value)
        else:
            _replace(container, key, current, value)


def _is_table_like(item: Any) -> bool:
    return isinstance(item, Table | InlineTable) or (
        hasattr(item, "__getitem__") and hasattr(item, "__setitem__") and not isinstance(item, Item)
    )


def _replace(container: Any, key: str, current: Any, value: Any) -> None:
    if is_rows(value) and value and not isinstance(current, InlineTable | Array):
        del container[key]
        container[key] = make_item(value)
        return
    like = current if isinstance(current, Item) else None
    item = make_item(value, like)
    old_text = like.as_string() if like is not None else ""
    container[key] = item
    placed = container[key]
    if like is not None and isinstance(placed, Item):
        trivia = placed.trivia
        if trivia.comment and trivia.comment_ws.strip(" ") == "":
            gap = len(trivia.comment_ws) + _width(old_text) - _width(placed.as_string())
            if "\n" in old_text or "\n" in placed.as_string():  # multi-line: the last line counts
                gap = len(trivia.comment_ws) + _width(old_text.rsplit("\n", 1)[-1])
                gap -= _width(placed.as_string().rsplit("\n", 1)[-1])
            trivia.comment_ws = " " * max(1, gap)


def _width(text: str) -> int:
    w = wcwidth.wcswidth(text)
    return w if w >= 0 else len(text)


def make_item(value: Any, like: Item | None = None) -> Any:
    """A tomlkit item for ``value``, in the style of ``like`` (the item it replaces) if given."""
    if isinstance(value, bool):
        return tomlkit.item(value)
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        dec = value if isinstance(value, Decimal) else Decimal(repr(value))
        try:
            text = _decimal_text(dec)
        except InvalidOperation as exc:
            raise MergeError(f"{value} 不是数字") from exc
        return Float(float(dec), Trivia(), text)
    if isinstance(value, str):
        return _string(value, like)
    if isinstance(value, list):
        if value and is_rows(value):
            aot = tomlkit.aot()
            for row in value:
                aot.append(_new_table(row, None))
            return aot
        array = tomlkit.array()
        for v in value:
            array.append(make_item(v))
        if isinstance(like, Array) and "\n" in like.as_string():
            array.multiline(True)
        return array
    if isinstance(value, dict):
        if isinstance(like, InlineTable):
            table = tomlkit.inline_table()
            for k, v in value.items():
                table[k] = make_item(v)
            return table
        return _new_table(value, None)
    return tomlkit.item(value)


def _string(value: str, like: Item | None) -> String:
    multiline = isinstance(like, String) and like.type in (StringType.MLB, StringType.MLL)
    literal = isinstance(like, String) and like.type in (StringType.SLL, StringType.MLL)
    if literal and ("'" in value or any(ord(c) < 32 and c not in "\t\n" for c in value)):
        literal = False
    if multiline and not literal and '"""' in value:
        multiline = False
    if multiline and "\r" in value:
        multiline = False
    if not multiline and literal and "\n" in value:
        literal = False
    if multiline:
        raw = value if literal else _escape_ml(value)
        if value.startswith("\n") or (isinstance(like, String) and like.as_string()[3:4] == "\n"):
            raw = "\n" + raw
        return String(StringType.MLL if literal else StringType.MLB, value, raw, Trivia())
    return tomlkit.string(value, literal=literal)


def _escape_ml(value: str) -> str:
    out = value.replace("\\", "\\\\")
    return "".join(
        c if c in "\n\t" or (ord(c) >= 32 and c != "\x7f") else f"\\u{ord(c):04x}" for c in out
    )


def _new_table(row: Mapping[str, Any], template: Table | None) -> Table:
    """A new row with the key order, ``=`` spacing and indentation of ``template``."""
    table = tomlkit.table()
    keys = list(row)
    shapes: dict[str, tuple[Any, str]] = {}
    if template is not None:
        order = [k.key for k, _ in template.value.body if k is not None]
        keys = [k for k in order if k in row] + [k for k in row if k not in order]
        for tkey, titem in template.value.body:
            if isinstance(tkey, SingleKey):
                indent = titem.trivia.indent if isinstance(titem, Item) else ""
                shapes[tkey.key] = (tkey, indent)
    for name in keys:
        item = make_item(row[name])
        if isinstance(item, Item) and not isinstance(item, Table | AoT) and name in shapes:
            key, indent = shapes[name]
            item.trivia.indent = indent
            table.append(SingleKey(key.key, key.t, key.sep, key.as_string()), item)
        else:
            table.append(name, item)
    return table


# --- rows (arrays of tables) --------------------------------------------------------------


def _separator(table: Table) -> list[tuple[Any, Any]]:
    """The blank lines at the end of a row (between it and what follows)."""
    body = table.value.body
    n = len(body)
    while n and body[n - 1][0] is None and isinstance(body[n - 1][1], Whitespace):
        n -= 1
    return body[n:]


def _set_separator(table: Table, sep: list[tuple[Any, Any]]) -> None:
    body = table.value.body
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        body.pop()
    for _, ws in sep:
        body.append((None, Whitespace(ws.s)))


def merge_rows(aot: AoT, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    """Rows changed in place, new rows laid out like their neighbours, deleted rows removed."""
    tables = list(aot.body)
    if len(tables) != len(old):
        raise MergeError("表格行数与文件不一致；未写入")
    final: list[Table] = []
    fresh: set[int] = set()
    removed: dict[Any, list[Table]] = {}
    for tag, i1, i2, _j1, _j2 in align_rows(old, new):
        if tag in ("delete", "replace"):
            paired = min(i2 - i1, _j2 - _j1) if tag == "replace" else 0
            for i in range(i1 + paired, i2):
                removed.setdefault(_canon(old[i]), []).append(tables[i])
    for tag, i1, i2, j1, j2 in align_rows(old, new):
        if tag == "equal":
            final.extend(tables[i1:i2])
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for n in range(paired):
            merge_into(tables[i1 + n], old[i1 + n], new[j1 + n])
            final.append(tables[i1 + n])
        for j in range(j1 + paired, j2):
            moved = removed.get(_canon(new[j]))
            if moved:
                final.append(moved.pop(0))
                continue
            neighbour = final[-1] if final else (tables[i1] if i1 < len(tables) else None)
            template = neighbour or (tables[-1] if tables else None)
            table = _new_table(new[j], template)
            fresh.add(id(table))
            final.append(table)
    mid_sep = next(
        (list(_separator(t)) for t in tables[:-1] if _separator(t)), [(None, Whitespace("\n"))]
    )
    last_sep = list(_separator(tables[-1])) if tables else []
    for n, table in enumerate(final):
        is_last = n == len(final) - 1
        was_last = bool(tables) and table is tables[-1]
        if is_last and not was_last:
            _set_separator(table, last_sep)
        elif not is_last and (was_last or id(table) in fresh):
            _set_separator(table, mid_sep)
    for i in range(len(aot) - 1, -1, -1):
        del aot[i]
    for table in final:
        aot.insert(len(aot), table)


# --- reading many versions fast -----------------------------------------------------------

_HEADER = re.compile(r"^\[", re.MULTILINE)
_fragments: OrderedDict[str, dict[str, Any]] = OrderedDict()
_FRAGMENTS_KEPT = 8192


class _Clash(Exception):
    pass


def loads_sections(text: str) -> dict[str, Any]:
    """``tomllib.loads`` of a file, one table section at a time, each section cached by its text.

    Versions of a case differ in a few sections, so the audit log and blame parse only what
    changed. A split that falls inside a multi-line string leaves a section that does not
    parse, and a table declared twice clashes on merge: then the whole text is parsed at once
    (which raises the same error tomllib would). The result shares objects with the cache:
    callers must not change it.
    """
    starts = [m.start() for m in _HEADER.finditer(text)]
    if len(starts) < 4:
        return tomllib.loads(text, parse_float=Decimal)
    bounds = [0, *[s for s in starts if s > 0], len(text)]
    data: dict[str, Any] = {}
    owned: set[int] = {id(data)}
    seen_tables: set[str] = set()
    try:
        for a, b in itertools.pairwise(bounds):
            chunk = text[a:b]
            if chunk.startswith("[") and not chunk.startswith("[["):
                header = chunk.split("]", 1)[0]
                if header in seen_tables:
                    raise _Clash
                seen_tables.add(header)
            _merge_fragment(data, _fragment(chunk), owned)
    except (tomllib.TOMLDecodeError, _Clash):
        return tomllib.loads(text, parse_float=Decimal)
    return data


def _fragment(chunk: str) -> dict[str, Any]:
    """One section parsed by tomllib, cached by its text (shared: never change it)."""
    with _docs_lock:
        fragment = _fragments.get(chunk)
    if fragment is None:
        fragment = tomllib.loads(chunk, parse_float=Decimal)
        with _docs_lock:
            _fragments[chunk] = fragment
            while len(_fragments) > _FRAGMENTS_KEPT:
                _fragments.popitem(last=False)
    return fragment


def _merge_fragment(into: dict[str, Any], fragment: dict[str, Any], owned: set[int]) -> None:
    """Merge a section into the data being built; ``owned``: ids of the dicts and lists built
    here (those may grow in place; a cached fragment's own objects are copied first)."""
    for key, value in fragment.items():
        if key not in into:
            into[key] = value
            continue
        mine = into[key]
        if isinstance(mine, dict) and isinstance(value, dict):
            if id(mine) not in owned:
                mine = into[key] = dict(mine)
                owned.add(id(mine))
            _merge_fragment(mine, value, owned)
        elif isinstance(mine, list) and isinstance(value, list) and is_rows(value):
            if id(mine) not in owned:
                if not is_rows(mine):
                    raise _Clash
                mine = into[key] = list(mine)
                owned.add(id(mine))
            mine.extend(value)
        else:
            raise _Clash
