"""Performance targets (rules.md § 绩效目标) and budget (§ 经费预算): each minimum, each boundary."""

from __future__ import annotations

from decimal import Decimal

from rules_support import Pass, Trigger, both, does, family_tests, fires, passes, put, sets

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
    *fires(
        "TARGET.CUSTODY",
        sets("targets.custody_enterprises", 80, says=("80", "162", "50%", "81")),
        does(
            both(put("foundation.smes", 161), put("targets.custody_enterprises", 80)),
            at="targets.custody_enterprises",
            says=("81",),
            name="half of an odd number",
        ),
    ),
    *fires(
        "BUDGET.CAP",
        sets(
            "budget[3].amount_wan", Decimal("10.000001"), at="budget", says=("30.000001", "30 万元")
        ),
        severity="warning",
    ),
    *fires(
        "BUDGET.FORBIDDEN",
        sets("budget[2].item", "项目人员工资", says=("工资",)),
        sets("budget[1].note", "含征地补偿", says=("征地",), name="note"),
        sets("budget[2].item", "人员费用", says=("人员费用",), name="人员费用"),
        sets("budget[2].item", "专职人员薪资", says=("专职人员薪资",), name="专职人员薪资"),
        sets("budget[2].item", "五险一金", says=("五险一金",), name="五险一金"),
        sets("budget[2].item", "人力成本", says=("人力成本",), name="人力成本"),
        sets("budget[2].item", "人员劳务费", says=("人员劳务费",), name="人员劳务费"),
        sets("budget[2].item", "房租", says=("房租",), name="房租"),
        sets("budget[2].item", "水电物业费", says=("水电物业费",), name="水电物业费"),
        severity="warning",
    ),
]

PASSES = [
    *(Pass(rule, put(path, least)) for rule, path, least in MINIMA),
    *passes(
        "TARGET.CUSTODY",
        sets("targets.custody_enterprises", 81),
        does(
            both(put("foundation.smes", 0), put("targets.custody_enterprises", 0)), name="no SMEs"
        ),
    ),
    *passes("BUDGET.CAP", sets("budget[3].amount_wan", 10, name="exactly 30")),
    *passes(
        "BUDGET.FORBIDDEN",
        sets("budget[2].item", "宣讲培训场地租赁"),
        sets("budget[2].item", "专家评审补贴", name="expert fees"),
    ),
]


test_rule_fires_at_its_field, test_valid_value_passes = family_tests(TRIGGERS, PASSES)
