"""Every rule ID of rules.md is implemented, has its severity, and is tested both ways."""

from __future__ import annotations

import test_rules_consistency
import test_rules_eligibility
import test_rules_identifiers
import test_rules_structure
import test_rules_targets
from rules_support import FILE_RULES, FORM, RULES_MD, WAIVABLE

from tui.core.rules import all_rule_ids

FAMILIES = [
    test_rules_structure,
    test_rules_identifiers,
    test_rules_eligibility,
    test_rules_consistency,
    test_rules_targets,
]


def test_every_data_rule_is_registered() -> None:
    assert all_rule_ids() == set(RULES_MD) - FILE_RULES


def test_every_rule_is_in_the_schema_with_its_severity() -> None:
    assert list(FORM.rules) == list(RULES_MD)  # same IDs, in rules.md order
    for rid, severity in RULES_MD.items():
        meta = FORM.rules[rid]
        if severity == "draft":
            assert (meta.severity, meta.draft_severity) == ("error", "warning"), rid
        elif severity == "evidence":
            assert (meta.severity, meta.empty_severity) == ("error", "warning"), rid
        else:
            assert meta.severity == severity and meta.draft_severity is None, rid
        assert meta.waivable == (rid in WAIVABLE), rid


def test_every_data_rule_has_a_trigger_and_a_pass() -> None:
    triggered = {t.rule for m in FAMILIES for t in m.TRIGGERS}
    passed = {p.rule for m in FAMILIES for p in m.PASSES}
    data_rules = set(RULES_MD) - FILE_RULES - {"FORM.UNKNOWN"}
    assert data_rules - triggered == set()
    assert data_rules - passed == set()
