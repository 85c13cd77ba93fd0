"""Eligibility (rules.md § Eligibility, 申报要求) and the guide's figures they use."""

from __future__ import annotations

from rules_support import both, does, family_tests, fires, passes, put, sets

TRIGGERS = [
    *fires("ELIG.IP_DEPT", sets("foundation.has_ip_department", False, says=("知识产权管理部门",))),
    *fires(
        "ELIG.STAFF",
        does(
            both(put("foundation.ip_staff_fulltime", 0), put("foundation.ip_staff_parttime", 0)),
            at="foundation.ip_staff_fulltime",
            says=("0",),
        ),
    ),
    *fires(
        "ELIG.ENTERPRISES",
        does(
            both(put("foundation.enterprises", 69), put("foundation.smes", 60)),
            at="foundation.enterprises",
            says=("69", "70"),
        ),
        severity="warning",
    ),
    *fires(
        "ELIG.SME_RATIO",
        sets("foundation.smes", 148, says=("148", "186", "80%", "149")),
        severity="warning",
    ),
    *fires(
        "ELIG.OTHER_EXPLAINED",
        sets(
            "applicant.park_category",
            "其他",
            at="applicant.park_category_other",
            says=("其他",),
            name="category",
        ),
        does(
            both(
                put("applicant.industries", ["人工智能", "其他"]),
                put("applicant.industries_other", " "),
            ),
            at="applicant.industries_other",
            name="industry",
        ),
    ),
]

PASSES = [
    *passes("ELIG.IP_DEPT", sets("foundation.has_ip_department", True)),
    *passes(
        "ELIG.STAFF",
        does(both(put("foundation.ip_staff_fulltime", 0), put("foundation.ip_staff_parttime", 1))),
        does(
            both(put("foundation.ip_staff_fulltime", 1), put("foundation.ip_staff_parttime", 0)),
            name="1+0",
        ),
    ),
    *passes(
        "ELIG.ENTERPRISES",
        does(both(put("foundation.enterprises", 70), put("foundation.smes", 56))),
    ),
    *passes(
        "ELIG.SME_RATIO",
        sets("foundation.smes", 149, name="149 of 186 is 80.1%"),
        does(
            both(put("foundation.enterprises", 100), put("foundation.smes", 80)), name="exactly 80%"
        ),
    ),
    *passes(
        "ELIG.OTHER_EXPLAINED",
        does(
            both(
                put("applicant.park_category", "其他"),
                put("applicant.park_category_other", "文化创意园区"),
            )
        ),
        does(
            both(
                put("applicant.industries", ["其他"]), put("applicant.industries_other", "现代农业")
            ),
            name="industry",
        ),
    ),
]


test_rule_fires_at_its_field, test_valid_value_passes = family_tests(TRIGGERS, PASSES)
