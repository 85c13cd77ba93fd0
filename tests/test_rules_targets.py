"""Performance targets (rules.md § 绩效目标) and budget (§ 经费预算): each minimum, each boundary."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rules_support import Pass, Trigger, both, put, run_pass, run_trigger, trigger_id

# (rule, field, the guide's minimum): one below fails, the minimum itself passes
MINIMA = [
    ("TARGET.DEMAND_ENTERPRISES", "targets.demand_enterprises", 30),
    ("TARGET.DEMAND_ITEMS", "targets.demand_items", 50),
    ("TARGET.SME_BUYERS", "targets.sme_buyers", 15),
    ("TARGET.INFO_PUSHES", "targets.info_pushes", 1000),
    ("TARGET.ACTIVITIES", "targets.activities", 4),
    ("TARGET.DEMAND_COLLECTION", "targets.demand_collection_events", 1),
    ("TARGET.MATCHMAKING", "targets.matchmaking_events", 2),
]

TRIGGERS = [
    *(
        Trigger(rule, put(path, least - 1), path, says=(str(least - 1), str(least)))
        for rule, path, least in MINIMA
    ),
    # 50 % of the example's 162 SMEs is 81
    Trigger(
        "TARGET.CUSTODY",
        put("targets.custody_enterprises", 80),
        "targets.custody_enterprises",
        says=("80", "162", "50%", "81"),
    ),
    Trigger(
        "TARGET.CUSTODY",
        both(put("foundation.smes", 161), put("targets.custody_enterprises", 80)),
        "targets.custody_enterprises",
        says=("81",),
        name="half of an odd number",
    ),
    Trigger(
        "BUDGET.CAP",
        put("budget[3].amount_wan", Decimal("10.000001")),
        "budget",
        severity="warning",
        says=("30.000001", "30 万元"),
    ),
    Trigger(
        "BUDGET.FORBIDDEN",
        put("budget[2].item", "项目人员工资"),
        "budget[2].item",
        severity="warning",
        says=("工资",),
    ),
    Trigger(
        "BUDGET.FORBIDDEN",
        put("budget[1].note", "含征地补偿"),
        "budget[1].note",
        severity="warning",
        says=("征地",),
        name="note",
    ),
]

PASSES = [
    *(Pass(rule, put(path, least)) for rule, path, least in MINIMA),
    Pass("TARGET.CUSTODY", put("targets.custody_enterprises", 81)),
    Pass(
        "TARGET.CUSTODY",
        both(put("foundation.smes", 0), put("targets.custody_enterprises", 0)),
        name="no SMEs",
    ),
    Pass("BUDGET.CAP", put("budget[3].amount_wan", 10), name="exactly 30"),
    Pass("BUDGET.FORBIDDEN", put("budget[2].item", "宣讲培训场地租赁")),
]


@pytest.mark.parametrize("t", TRIGGERS, ids=trigger_id)
def test_rule_fires_at_its_field(t: Trigger, tmp_path: Path) -> None:
    run_trigger(t, tmp_path)


@pytest.mark.parametrize("p", PASSES, ids=trigger_id)
def test_valid_value_passes(p: Pass, tmp_path: Path) -> None:
    run_pass(p, tmp_path)
