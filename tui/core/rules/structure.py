"""Structure (rules.md § Structure): SCHEMA.*, REQUIRED.*, PERIODS.

The schema walk is our own rather than ``jsonschema``'s: TOML values are dates and exact
decimals (not JSON), each violation must become a finding with a field path, a rule ID and
a Chinese message, and validating 1,000 cases must cost little next to parsing them. The
test suite checks the same schema with ``jsonschema`` itself (it is a valid 2020-12 schema
and the example validates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..findings import Finding
from ..ids import shorten
from ..paths import Part, format_path
from . import Context, fmt_amount, rule

# TOML 1.0 integers are 64-bit: a longer one is not TOML that other tools can read.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

TYPE_WORDS = {
    "integer": "整数",
    "number": "数字（金额）",
    "string": "文本（需加引号）",
    "boolean": "true 或 false",
    "object": "表",
    "array": "列表",
    "date": "日期（如 2021-06-18，不加引号）",
    "date-time": "日期时间（如 2026-11-20T10:12:00+08:00）",
}


def describe(value: Any) -> str:
    """A short, safe description of a value for messages."""
    if isinstance(value, bool):
        kind = "布尔值"
    elif isinstance(value, int):
        kind = "整数"
    elif isinstance(value, Decimal):
        kind = "小数"
    elif isinstance(value, str):
        kind = "文本"
    elif isinstance(value, datetime):
        kind = "日期时间"
    elif isinstance(value, date):
        kind = "日期"
    elif isinstance(value, list):
        return "列表"
    elif isinstance(value, dict):
        return "表"
    else:
        kind = type(value).__name__
    if isinstance(value, Decimal):
        shown = str(value)
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "…"
    return f"{kind} {shown}"


class SchemaWalk:
    """Walk a value along its schema node and yield (rule, path, message, severity|None).

    ``rule_for`` maps the kind of violation to a rule ID, so that the same walk checks
    case files (SCHEMA.*, REQUIRED.*) and review files (all REVIEW.SCHEMA).
    """

    def __init__(self, ctx_label: Any, rule_for: dict[str, str] | None = None) -> None:
        self.label = ctx_label
        self.rule_for = rule_for or {}

    def rule(self, kind: str) -> str:
        return self.rule_for.get(kind, kind)

    def walk(
        self, node: dict[str, Any], value: Any, parts: tuple[Part, ...]
    ) -> Iterator[tuple[str, tuple[Part, ...], str]]:
        out: list[Violation] = []
        self._walk(node, value, parts, out)
        return iter(out)

    def _walk(
        self, node: dict[str, Any], value: Any, parts: tuple[Part, ...], out: list[Violation]
    ) -> None:
        kind = node.get("type")
        fmt = node.get("format")
        if kind == "object":
            if not isinstance(value, dict):
                self._type(node, value, parts, "object", out)
                return
            props: dict[str, Any] = node.get("properties", {})
            for key in node.get("required", ()):
                if key not in value:
                    child = props.get(key, {})
                    # REQUIRED.ROWS is "no budget row; no annex2 row": the tables that need a row.
                    rid = "REQUIRED.ROWS" if _needs_rows(child) else "REQUIRED.FIELD"
                    where = (*parts, key)
                    out.append(
                        (
                            self.rule(rid),
                            where,
                            f"{self.label(where)}：未填写；{_fill_hint(child)}",
                        )
                    )
            fields = _fields(node)
            for key, child_value in value.items():
                field = fields.get(key)
                if field is None:
                    where = (*parts, key)
                    known = (
                        "、".join(props) if len(props) <= 12 else "、".join(list(props)[:12]) + "…"
                    )
                    out.append(
                        (
                            self.rule("SCHEMA.UNKNOWN_KEY"),
                            where,
                            f"{self.label(where)}（{format_path(where)}）：表中没有这个键（可能是拼写错误）；"
                            f"可用的键：{known}",
                        )
                    )
                elif not field[1](child_value):  # most values: nothing to say, say it fast
                    self._walk(field[0], child_value, (*parts, key), out)
        elif kind == "array":
            if not isinstance(value, list):
                self._type(node, value, parts, "array", out)
                return
            items = node.get("items", {})
            min_items = node.get("minItems", 0)
            if len(value) < min_items:
                rid = "REQUIRED.ROWS" if _needs_rows(node) else "REQUIRED.FIELD"
                what = "至少填写一行" if rid == "REQUIRED.ROWS" else "至少选择一项"
                out.append((self.rule(rid), parts, f"{self.label(parts)}：{what}"))
            if node.get("uniqueItems"):
                seen = Counter(v for v in value if isinstance(v, str))
                for word, n in seen.items():
                    if n > 1:
                        out.append(
                            (
                                self.rule("SCHEMA.ENUM"),
                                parts,
                                f"{self.label(parts)}：「{shorten(word)}」重复了 {n} 次；每项只选一次",
                            )
                        )
            is_quiet = quiet(items)
            for n, item in enumerate(value, 1):
                if not is_quiet(item):
                    self._walk(items, item, (*parts, n), out)
        elif kind == "string":
            if fmt == "date":
                if not isinstance(value, date) or isinstance(value, datetime):
                    self._type(node, value, parts, "date", out)
                return
            if fmt == "date-time":
                if not isinstance(value, datetime):
                    self._type(node, value, parts, "date-time", out)
                return
            if not isinstance(value, str):
                self._type(node, value, parts, "string", out)
                return
            enum = node.get("enum")
            if not value.strip():
                if node.get("minLength", 0) > 0:
                    out.append(
                        (
                            self.rule("REQUIRED.FIELD"),
                            parts,
                            f"{self.label(parts)}：未填写；{_fill_hint(node)}",
                        )
                    )
                    return
                if enum is None or value in enum:
                    return
            if enum is not None and value not in enum:
                out.append(
                    (
                        self.rule("SCHEMA.ENUM"),
                        parts,
                        f"{self.label(parts)}：「{shorten(value)}」不是可选项；应为 "
                        + " | ".join(w or '""' for w in enum),
                    )
                )
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                self._type(node, value, parts, "integer", out)
                return
            if self._too_long(value, parts, out):
                return
            self._range(node, value, parts, out)
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                self._type(node, value, parts, "number", out)
                return
            if isinstance(value, int) and self._too_long(value, parts, out):
                return
            if isinstance(value, Decimal) and not value.is_finite():
                out.append(
                    (
                        self.rule("SCHEMA.RANGE"),
                        parts,
                        f"{self.label(parts)}：{value} 不是有效金额；应为有限的数字",
                    )
                )
                return
            self._range(node, value, parts, out)
            places = node.get("x-decimals")
            if places is not None and isinstance(value, Decimal):
                exponent = value.normalize().as_tuple().exponent
                if isinstance(exponent, int) and -exponent > places:
                    unit = node.get("x-unit", "")
                    out.append(
                        (
                            self.rule("SCHEMA.RANGE"),
                            parts,
                            f"{self.label(parts)}：{fmt_amount(value)} 的小数位过多；{unit}金额最多 {places} 位小数",
                        )
                    )
        elif kind == "boolean" and not isinstance(value, bool):
            self._type(node, value, parts, "boolean", out)

    def _too_long(self, value: int, parts: tuple[Part, ...], out: list[Violation]) -> bool:
        if INT64_MIN <= value <= INT64_MAX:
            return False
        out.append(
            (
                self.rule("SCHEMA.TYPE"),
                parts,
                f"{self.label(parts)}：{shorten(str(value))} 超出 TOML 整数范围"
                f"（最多 19 位数字）；请核对数值",
            )
        )
        return True

    def _type(
        self,
        node: dict[str, Any],
        value: Any,
        parts: tuple[Part, ...],
        expected: str,
        out: list[Violation],
    ) -> None:
        hint = ""
        if expected == "integer" and isinstance(value, Decimal):
            hint = "；计数不能有小数"
        elif expected in ("integer", "number") and isinstance(value, str):
            hint = "；数字不要加引号"
        out.append(
            (
                self.rule("SCHEMA.TYPE"),
                parts,
                f"{self.label(parts)}：应为{TYPE_WORDS[expected]}，现为{describe(value)}{hint}",
            )
        )

    def _range(
        self,
        node: dict[str, Any],
        value: int | Decimal,
        parts: tuple[Part, ...],
        out: list[Violation],
    ) -> None:
        low = node.get("minimum")
        high = node.get("maximum")
        if low is not None and value < low:
            what = "数量或金额不能为负数" if low == 0 else f"不能小于 {low}"
            out.append(
                (
                    self.rule("SCHEMA.RANGE"),
                    parts,
                    f"{self.label(parts)}：{fmt_amount(value)}，{what}",
                )
            )
        if high is not None and value > high:
            out.append(
                (
                    self.rule("SCHEMA.RANGE"),
                    parts,
                    f"{self.label(parts)}：{fmt_amount(value)} 超出范围；应在 {low if low is not None else ''}–{high} 之间",
                )
            )


Violation = tuple[str, tuple[Part, ...], str]


def _needs_rows(node: dict[str, Any]) -> bool:
    """A table (array of tables) that must have at least one row: budget, annex2."""
    return (
        node.get("type") == "array"
        and node.get("items", {}).get("type") == "object"
        and node.get("minItems", 0) > 0
    )


_QUIET: dict[int, tuple[dict[str, Any], Callable[[Any], bool]]] = {}


def quiet(node: dict[str, Any]) -> Callable[[Any], bool]:
    """A fast test, made once per schema node: True when ``walk`` would find nothing in a value.

    Most values of a 36 KB case are plain and right; testing them with one call instead of a
    walk keeps validation cheap next to parsing. False means "walk it", never "wrong".
    """
    hit = _QUIET.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    test = _quiet_test(node)
    _QUIET[id(node)] = (node, test)  # the node is kept, so its id is not reused
    return test


_FIELDS: dict[
    int, tuple[dict[str, Any], dict[str, tuple[dict[str, Any], Callable[[Any], bool]]]]
] = {}


def _fields(node: dict[str, Any]) -> dict[str, tuple[dict[str, Any], Callable[[Any], bool]]]:
    """key → (schema node, quiet test) of an object node's properties, made once."""
    hit = _FIELDS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    fields = {k: (child, quiet(child)) for k, child in node.get("properties", {}).items()}
    _FIELDS[id(node)] = (node, fields)
    return fields


def _quiet_leaf(node: dict[str, Any], value: Any) -> bool:
    """``quiet(node)(value)``: kept for the tests that compare it with the walk."""
    return quiet(node)(value)


def _never(_value: Any) -> bool:
    return False


def _quiet_test(node: dict[str, Any]) -> Callable[[Any], bool]:
    kind, fmt = node.get("type"), node.get("format")
    if kind == "string" and fmt == "date":
        return lambda v: type(v) is date
    if kind == "string" and fmt == "date-time":
        return lambda v: type(v) is datetime
    if kind == "string" and fmt is None:
        enum = node.get("enum")
        if enum is not None:
            words = frozenset(enum)
            return lambda v: type(v) is str and v in words
        if node.get("minLength", 0) > 0:
            return lambda v: type(v) is str and v != "" and not v.isspace()
        return lambda v: type(v) is str
    if kind == "boolean":
        return lambda v: type(v) is bool
    if kind in ("integer", "number"):
        low, high = node.get("minimum"), node.get("maximum")
        if low is None or high is not None:
            return _never
        if kind == "integer":
            return lambda v: type(v) is int and low <= v <= INT64_MAX
        places = node.get("x-decimals")

        def number(v: Any) -> bool:
            if type(v) is int:
                return bool(low <= v <= INT64_MAX)
            if type(v) is not Decimal or not v.is_finite() or v < low:
                return False
            exponent = v.as_tuple().exponent  # a bound: normalising only raises it
            return places is None or (isinstance(exponent, int) and -exponent <= places)

        return number
    return _never


def _fill_hint(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if "enum" in node:
        return "请选择：" + " | ".join(node["enum"])
    if kind == "array":
        return (
            "请至少填写一行" if node.get("items", {}).get("type") == "object" else "请至少选择一项"
        )
    if kind in ("integer", "number"):
        return "请填写数字（没有则填 0）"
    if kind == "boolean":
        return "请填写 true 或 false"
    return "请填写"


# The rules the schema walk reports (a review file's walk reports them all as REVIEW.SCHEMA).
WALK_RULES = (
    "SCHEMA.TYPE",
    "SCHEMA.ENUM",
    "SCHEMA.UNKNOWN_KEY",
    "SCHEMA.RANGE",
    "REQUIRED.FIELD",
    "REQUIRED.ROWS",
)


@rule(*WALK_RULES)
def schema_shape(ctx: Context) -> Iterator[Finding]:
    """Types, enumerations, unknown keys, ranges and required fields, as the schema says."""
    walk = SchemaWalk(ctx.label)
    for rid, parts, message in walk.walk(ctx.form.schema, ctx.data, ()):
        yield ctx.finding(rid, parts, message)


@rule("PERIODS")
def periods(ctx: Context) -> Iterator[Finding]:
    """Each period table has exactly the form's periods (the years of 经费投入 likewise)."""
    for key, section in ctx.form.schema["properties"].items():
        for name, node in section.get("properties", {}).items():
            kind = node.get("x-periods")
            if not kind or node.get("type") != "array":
                continue
            table = ctx.get(key, name)
            if not isinstance(table, list):
                continue
            column = node.get("x-row-key", ["period"])[0]
            expected = [p.label for p in ctx.form.periods(kind)]
            seen: Counter[str] = Counter()
            for n, row in ctx.rows(key, name):
                label = row.get(column)
                if not isinstance(label, str):
                    continue
                seen[label] += 1
                where = (key, name, n, column)
                if label not in expected:
                    yield ctx.finding(
                        "PERIODS",
                        where,
                        f"{ctx.label((key, name))} 第{n}行：「{shorten(label)}」不是申报书的年度；应为 "
                        + "、".join(expected),
                    )
                elif seen[label] == 2:
                    yield ctx.finding(
                        "PERIODS",
                        where,
                        f"{ctx.label((key, name))} 第{n}行：年度「{label}」重复填写；每个年度一行",
                    )
            missing = [p for p in expected if p not in seen]
            if missing:
                yield ctx.finding(
                    "PERIODS",
                    (key, name),
                    f"{ctx.label((key, name))}：缺少年度 "
                    + "、".join(missing)
                    + "；申报书每个年度一行",
                )
