"""Consistency (rules.md § Consistency): the foundation's parts, annex 1 and annex 2."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rules_support import (
    TODAY,
    Change,
    both,
    check,
    does,
    example,
    example_dir,
    family_tests,
    fires,
    passes,
    put,
    sets,
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
    *fires(
        "SUM.PARTS",
        sets("foundation.high_tech", 187, says=("187", "186")),
        sets("foundation.smes", 200, name="smes"),
    ),
    *fires(
        "SUM.PAID",
        sets("foundation.licenses[2].paid_wan", Decimal("8.5"), says=("8.5", "8", "2022年1-9月")),
        severity="warning",
    ),
    *fires(
        "ANNEX1.DATE",
        sets(
            "annex1[1].date",
            date(2020, 12, 31),
            says=("2020-12-31", "2021年1月1日"),
            name="before start",
        ),
        sets(
            "annex1[7].date", date(2026, 11, 28), says=("2026-11-28", "2026-11-27"), name="future"
        ),
    ),
    *fires(
        "ANNEX1.AMOUNTS",
        sets("annex1[6].received_yuan", 300001, says=("300001", "300000", "实际到账")),
        sets("annex1[6].patent_amount_yuan", Decimal("300000.01"), name="patent amount"),
        severity="warning",
    ),
    *fires(
        "ANNEX1.DUPLICATE",
        sets("annex1[8]", row(patent_no="ZL 2019 1103 4521.8"), says=("第8行", "第1行")),
        severity="warning",
    ),
    # ANNEX1.EVIDENCE: no evidence listed is a warning; a listed file that is not there is an error
    *fires(
        "ANNEX1.EVIDENCE",
        sets("annex1[2].evidence", [], name="empty list"),
        severity="warning",
    ),
    *fires(
        "ANNEX1.EVIDENCE",
        sets(
            "annex1[1].evidence",
            ["attachments/2021-06-18-contract.pdf"],
            says=("2021-06-18-contract.pdf", "没有这个文件"),
            name="file missing",
            needs_files=True,
        ),
        sets(
            "annex1[1].evidence",
            ["../XH-2022-002/attachments/a.pdf"],
            says=("之外",),
            name="outside",
            needs_files=True,
        ),
        sets("annex1[1].evidence", ["/etc/passwd"], says=("之外",), name="absolute"),
        sets("annex1[1].evidence", ["attachments"], name="a folder", needs_files=True),
    ),
    # the 2021 assignments in annex1 are rows 1 and 2: 2 deals, 350 000 元 = 35 万元.
    # 二 counts every deal of the zone, 附件1 the applicant's own: only more in 附件1 is wrong.
    *fires(
        "ANNEX1.VS_FOUNDATION",
        sets(
            "foundation.assignments[1].count",
            1,
            says=("1 件", "2 行", "转让", "2021年"),
            name="count",
        ),
        sets(
            "annex1[2].contract_yuan",
            150100,
            at="foundation.assignments[1].contract_wan",
            says=("35 万元", "350100 元", "35.01 万元"),
            name="amount",
        ),
        sets(
            "annex1[6].method",
            "许可",
            at="foundation.licenses[2].count",
            says=("许可", "2 行"),
            name="licenses",
        ),
        sets("foundation.pledges[1].count", 0, says=("0 项", "质押融资"), name="pledges"),
        severity="warning",
    ),
    *fires(
        "ANNEX2.DATE",
        sets(
            "annex2[2].grant_date",
            date(2020, 12, 31),
            says=("2020-12-31", "2021"),
            name="before filing year",
        ),
        sets("annex2[1].grant_date", date(2027, 1, 1), says=("2027-01-01",), name="future"),
    ),
    *fires(
        "ANNEX2.PRICE",
        sets(
            "annex2[2].negotiable",
            False,
            at="annex2[2].price_yuan",
            says=("报价", "议价"),
            name="neither",
        ),
        sets(
            "annex2[1].negotiable",
            True,
            at="annex2[1].price_yuan",
            says=("150000", "只选其一"),
            name="both",
        ),
    ),
    *fires(
        "ANNEX2.DUPLICATE",
        sets("annex2[3].patent_no", "CN201711120934.9", says=("第1行",)),
        severity="warning",
    ),
]

PASSES = [
    *passes("SUM.PARTS", sets("foundation.high_tech", 186)),
    *passes("SUM.PAID", sets("foundation.licenses[2].paid_wan", 8)),
    *passes(
        "ANNEX1.DATE",
        sets("annex1[1].date", date(2021, 1, 1), name="start day"),
        sets("annex1[8]", row(date=TODAY, method="其他", evidence=[]), name="today"),
    ),
    *passes("ANNEX1.AMOUNTS", sets("annex1[6].received_yuan", 300000)),
    *passes(
        "ANNEX1.DUPLICATE",
        sets(
            "annex1[8]",
            row(date=date(2022, 10, 9), evidence=["attachments/2021-06-18-assignment.pdf"]),
            name="other date",
        ),
    ),
    *passes(
        "ANNEX1.EVIDENCE",
        does(every_row_evidence("attachments/2021-06-18-assignment.pdf"), needs_files=True),
        does(
            every_row_evidence("./attachments/2021-06-18-assignment.pdf"),
            name="./",
            needs_files=True,
        ),
    ),
    *passes(
        "ANNEX1.VS_FOUNDATION",
        sets("foundation.assignments[1].count", 3, name="annex1 fewer than 二"),
        sets("foundation.pledges[2].count", 1, name="no pledge in annex1"),
        sets("foundation.assignments[2].contract_wan", Decimal("100"), name="annex1 less money"),
        # 35.00 万元 as printed and 350 012.34 元: no disagreement worth a warning
        sets("annex1[2].contract_yuan", Decimal("150012.34"), name="printed precision"),
        does(
            both(
                put("annex1[8]", row(date=date(2022, 10, 9))),  # after 2022年1-9月: no period
                put("annex1[9]", row(date=date(2022, 6, 1), method="作价入股")),  # no table
            ),
            needs_files=True,
        ),
    ),
    *passes("ANNEX2.DATE", sets("annex2[2].grant_date", date(2021, 1, 1), name="filing year")),
    *passes("ANNEX2.PRICE", sets("annex2[1].price_yuan", 0, name="price 0")),
    *passes("ANNEX2.DUPLICATE", sets("annex2[3].patent_no", "ZL202133021457.0")),
]


test_rule_fires_at_its_field, test_valid_value_passes = family_tests(TRIGGERS, PASSES)


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
