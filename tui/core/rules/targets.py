"""Performance targets (rules.md § 绩效目标): each minimum read from the schema's x-guide."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

from ..findings import Finding
from ..paths import parse_path
from . import Context, fmt_amount, rule


@rule(
    "TARGET.DEMAND_ENTERPRISES",
    "TARGET.DEMAND_ITEMS",
    "TARGET.SME_BUYERS",
    "TARGET.CUSTODY",
    "TARGET.INFO_PUSHES",
    "TARGET.ACTIVITIES",
    "TARGET.DEMAND_COLLECTION",
    "TARGET.MATCHMAKING",
)
def minimum_targets(ctx: Context) -> Iterator[Finding]:
    for rid, spec in ctx.form.guide.get("targets", {}).items():
        parts = parse_path(spec["field"])
        value = ctx.count(*parts)
        if value is None:
            continue  # missing or mistyped: REQUIRED.FIELD / SCHEMA.TYPE say so
        unit = spec.get("unit", "")
        label = ctx.label(parts)
        if "min" in spec:
            least = spec["min"]
            if value < least:
                yield ctx.finding(
                    rid, parts, f"{label}：目标 {value}{unit}，低于指南要求的 {least}{unit}"
                )
        elif "min_ratio" in spec:
            base_parts = parse_path(spec["of"])
            base = ctx.count(*base_parts)
            if base is None:
                continue
            ratio = Decimal(spec["min_ratio"])
            least_exact = ratio * base
            least = math.ceil(least_exact)
            if value < least_exact:
                yield ctx.finding(
                    rid,
                    parts,
                    f"{label}：目标 {value}{unit}，低于{ctx.label(base_parts)}（{base}{unit}）的 "
                    f"{fmt_amount(ratio * 100)}%（应至少 {least}{unit}）",
                )
