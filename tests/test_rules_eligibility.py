"""Eligibility (rules.md § Eligibility, 申报要求) and the guide's figures they use."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_support import Pass, Trigger, both, put, run_pass, run_trigger, trigger_id

TRIGGERS = [
    Trigger(
        "ELIG.IP_DEPT",
        put("foundation.has_ip_department", False),
        "foundation.has_ip_department",
        says=("知识产权管理部门",),
    ),
    Trigger(
        "ELIG.STAFF",
        both(put("foundation.ip_staff_fulltime", 0), put("foundation.ip_staff_parttime", 0)),
        "foundation.ip_staff_fulltime",
        says=("0",),
    ),
    Trigger(
        "ELIG.ENTERPRISES",
        both(put("foundation.enterprises", 69), put("foundation.smes", 60)),
        "foundation.enterprises",
        severity="warning",
        says=("69", "70"),
    ),
    Trigger(
        "ELIG.SME_RATIO",
        put("foundation.smes", 148),
        "foundation.smes",
        severity="warning",
        says=("148", "186", "80%", "149"),
    ),
    Trigger(
        "ELIG.OTHER_EXPLAINED",
        put("applicant.park_category", "其他"),
        "applicant.park_category_other",
        says=("其他",),
        name="category",
    ),
    Trigger(
        "ELIG.OTHER_EXPLAINED",
        both(
            put("applicant.industries", ["人工智能", "其他"]),
            put("applicant.industries_other", " "),
        ),
        "applicant.industries_other",
        name="industry",
    ),
]

PASSES = [
    Pass("ELIG.IP_DEPT", put("foundation.has_ip_department", True)),
    Pass(
        "ELIG.STAFF",
        both(put("foundation.ip_staff_fulltime", 0), put("foundation.ip_staff_parttime", 1)),
    ),
    Pass(
        "ELIG.STAFF",
        both(put("foundation.ip_staff_fulltime", 1), put("foundation.ip_staff_parttime", 0)),
        name="1+0",
    ),
    Pass("ELIG.ENTERPRISES", both(put("foundation.enterprises", 70), put("foundation.smes", 56))),
    Pass("ELIG.SME_RATIO", put("foundation.smes", 149), name="149 of 186 is 80.1%"),
    Pass(
        "ELIG.SME_RATIO",
        both(put("foundation.enterprises", 100), put("foundation.smes", 80)),
        name="exactly 80%",
    ),
    Pass(
        "ELIG.OTHER_EXPLAINED",
        both(
            put("applicant.park_category", "其他"),
            put("applicant.park_category_other", "文化创意园区"),
        ),
    ),
    Pass(
        "ELIG.OTHER_EXPLAINED",
        both(put("applicant.industries", ["其他"]), put("applicant.industries_other", "现代农业")),
        name="industry",
    ),
]


@pytest.mark.parametrize("t", TRIGGERS, ids=trigger_id)
def test_rule_fires_at_its_field(t: Trigger, tmp_path: Path) -> None:
    run_trigger(t, tmp_path)


@pytest.mark.parametrize("p", PASSES, ids=trigger_id)
def test_valid_value_passes(p: Pass, tmp_path: Path) -> None:
    run_pass(p, tmp_path)
