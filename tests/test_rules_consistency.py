"""Consistency (rules.md § Consistency): the foundation's parts, annex 1 and annex 2."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rules_support import (
    TODAY,
    Change,
    Pass,
    Trigger,
    both,
    check,
    example,
    example_dir,
    put,
    run_pass,
    run_trigger,
    trigger_id,
)

ROW1 = example()["annex1"][0]


def row(**changes: object) -> dict[str, object]:
    """A new annex1 row: the example's first deal, changed."""
    return {**ROW1, **changes}


def every_row_evidence(path: str) -> Change:
    def change(data: dict[str, Any]) -> None:
        for deal in data["annex1"]:
            deal["evidence"] = [path]

    return change


TRIGGERS = [
    Trigger(
        "SUM.PARTS",
        put("foundation.high_tech", 187),
        "foundation.high_tech",
        says=("187", "186"),
    ),
    Trigger("SUM.PARTS", put("foundation.smes", 200), "foundation.smes", name="smes"),
    Trigger(
        "SUM.PAID",
        put("foundation.licenses[2].paid_wan", Decimal("8.5")),
        "foundation.licenses[2].paid_wan",
        severity="warning",
        says=("8.5", "8", "2022年1-9月"),
    ),
    Trigger(
        "ANNEX1.DATE",
        put("annex1[1].date", date(2020, 12, 31)),
        "annex1[1].date",
        says=("2020-12-31", "2021年1月1日"),
        name="before start",
    ),
    Trigger(
        "ANNEX1.DATE",
        put("annex1[7].date", date(2026, 11, 28)),
        "annex1[7].date",
        says=("2026-11-28", "2026-11-27"),
        name="future",
    ),
    Trigger(
        "ANNEX1.AMOUNTS",
        put("annex1[6].received_yuan", 300001),
        "annex1[6].received_yuan",
        severity="warning",
        says=("300001", "300000", "实际到账"),
    ),
    Trigger(
        "ANNEX1.AMOUNTS",
        put("annex1[6].patent_amount_yuan", Decimal("300000.01")),
        "annex1[6].patent_amount_yuan",
        severity="warning",
        name="patent amount",
    ),
    Trigger(
        "ANNEX1.DUPLICATE",
        put("annex1[8]", row(patent_no="ZL 2019 1103 4521.8")),
        "annex1[8]",
        severity="warning",
        says=("第8行", "第1行"),
    ),
    Trigger(
        "ANNEX1.EVIDENCE",
        put("annex1[2].evidence", []),
        "annex1[2].evidence",
        severity="warning",
        name="empty list",
    ),
    Trigger(
        "ANNEX1.EVIDENCE",
        put("annex1[1].evidence", ["attachments/2021-06-18-contract.pdf"]),
        "annex1[1].evidence",
        says=("2021-06-18-contract.pdf", "没有这个文件"),
        name="file missing",
        needs_files=True,
    ),
    Trigger(
        "ANNEX1.EVIDENCE",
        put("annex1[1].evidence", ["../XH-2022-002/attachments/a.pdf"]),
        "annex1[1].evidence",
        says=("之外",),
        name="outside",
        needs_files=True,
    ),
    Trigger(
        "ANNEX1.EVIDENCE",
        put("annex1[1].evidence", ["/etc/passwd"]),
        "annex1[1].evidence",
        says=("之外",),
        name="absolute",
    ),
    Trigger(
        "ANNEX1.EVIDENCE",
        put("annex1[1].evidence", ["attachments"]),
        "annex1[1].evidence",
        name="a folder",
        needs_files=True,
    ),
    # the 2021 assignments in annex1 are rows 1 and 2: 2 deals, 350 000 元 = 35 万元
    Trigger(
        "ANNEX1.VS_FOUNDATION",
        put("foundation.assignments[1].count", 3),
        "foundation.assignments[1].count",
        severity="warning",
        says=("3 件", "2 行", "转让", "2021年"),
        name="count",
    ),
    Trigger(
        "ANNEX1.VS_FOUNDATION",
        put("annex1[2].contract_yuan", 150001),
        "foundation.assignments[1].contract_wan",
        severity="warning",
        says=("35 万元", "350001 元", "35.0001 万元"),
        name="amount",
    ),
    Trigger(
        "ANNEX1.VS_FOUNDATION",
        put("annex1[7].method", "转让"),
        "foundation.licenses[2].count",
        severity="warning",
        says=("许可", "0 行"),
        name="licenses",
    ),
    Trigger(
        "ANNEX1.VS_FOUNDATION",
        put("foundation.pledges[2].count", 1),
        "foundation.pledges[2].count",
        severity="warning",
        says=("1 项", "质押融资"),
        name="pledges",
    ),
    Trigger(
        "ANNEX2.DATE",
        put("annex2[2].grant_date", date(2020, 12, 31)),
        "annex2[2].grant_date",
        says=("2020-12-31", "2021"),
        name="before filing year",
    ),
    Trigger(
        "ANNEX2.DATE",
        put("annex2[1].grant_date", date(2027, 1, 1)),
        "annex2[1].grant_date",
        says=("2027-01-01",),
        name="future",
    ),
    Trigger(
        "ANNEX2.PRICE",
        put("annex2[2].negotiable", False),
        "annex2[2].price_yuan",
        says=("报价", "议价"),
        name="neither",
    ),
    Trigger(
        "ANNEX2.PRICE",
        put("annex2[1].negotiable", True),
        "annex2[1].price_yuan",
        says=("150000", "只选其一"),
        name="both",
    ),
    Trigger(
        "ANNEX2.DUPLICATE",
        put("annex2[3].patent_no", "CN201711120934.9"),
        "annex2[3].patent_no",
        severity="warning",
        says=("第1行",),
    ),
]

PASSES = [
    Pass("SUM.PARTS", put("foundation.high_tech", 186)),
    Pass("SUM.PAID", put("foundation.licenses[2].paid_wan", 8)),
    Pass("ANNEX1.DATE", put("annex1[1].date", date(2021, 1, 1)), name="start day"),
    Pass(
        "ANNEX1.DATE",
        both(
            put("annex1[8]", row(date=TODAY, method="其他", evidence=[])),
        ),
        name="today",
    ),
    Pass("ANNEX1.AMOUNTS", put("annex1[6].received_yuan", 300000)),
    Pass(
        "ANNEX1.DUPLICATE",
        put(
            "annex1[8]",
            row(date=date(2022, 10, 9), evidence=["attachments/2021-06-18-assignment.pdf"]),
        ),
        name="other date",
    ),
    Pass(
        "ANNEX1.EVIDENCE",
        every_row_evidence("attachments/2021-06-18-assignment.pdf"),
        needs_files=True,
    ),
    Pass(
        "ANNEX1.EVIDENCE",
        every_row_evidence("./attachments/2021-06-18-assignment.pdf"),
        name="./",
        needs_files=True,
    ),
    Pass(
        "ANNEX1.VS_FOUNDATION",
        both(
            put("annex1[8]", row(date=date(2022, 10, 9))),  # after 2022年1-9月: no period
            put("annex1[9]", row(date=date(2022, 6, 1), method="作价入股")),  # no table
        ),
        needs_files=True,
    ),
    Pass("ANNEX2.DATE", put("annex2[2].grant_date", date(2021, 1, 1)), name="filing year"),
    Pass("ANNEX2.PRICE", put("annex2[1].price_yuan", 0), name="price 0"),
    Pass("ANNEX2.DUPLICATE", put("annex2[3].patent_no", "ZL202133021457.0")),
]


@pytest.mark.parametrize("t", TRIGGERS, ids=trigger_id)
def test_rule_fires_at_its_field(t: Trigger, tmp_path: Path) -> None:
    run_trigger(t, tmp_path)


@pytest.mark.parametrize("p", PASSES, ids=trigger_id)
def test_valid_value_passes(p: Pass, tmp_path: Path) -> None:
    run_pass(p, tmp_path)


def test_evidence_through_a_symlink_out_of_the_case_is_an_error(tmp_path: Path) -> None:
    folder = example_dir(tmp_path)
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF")
    os.symlink(secret, folder / "attachments" / "link.pdf")
    data = example()
    data["annex1"][1]["evidence"] = ["attachments/link.pdf"]
    found = [f for f in check(data, folder) if f.path == "annex1[2].evidence"]
    assert [(f.rule, f.severity) for f in found] == [("ANNEX1.EVIDENCE", "error")]
    assert "之外" in found[0].message


def test_every_listed_evidence_file_is_checked(tmp_path: Path) -> None:
    folder = example_dir(tmp_path)
    (folder / "attachments" / "2021-09-02-合同.pdf").write_bytes(b"%PDF")
    data = example()
    data["annex1"][1]["evidence"] = ["attachments/2021-09-02-合同.pdf", "attachments/missing.pdf"]
    found = [f for f in check(data, folder) if f.path == "annex1[2].evidence"]
    assert len(found) == 1 and "missing.pdf" in found[0].message


def test_date_rules_follow_today() -> None:
    data = example()
    data["annex1"][6]["date"] = date(2026, 11, 28)
    assert "ANNEX1.DATE" in {f.rule for f in check(data, today=TODAY)}
    assert "ANNEX1.DATE" not in {f.rule for f in check(data, today=date(2026, 11, 28))}
