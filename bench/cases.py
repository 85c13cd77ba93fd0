"""Fictitious cases for the benchmarks: the bundled example grown to ~36 KB, 60 rows per annex.

Every name, number and person is invented. The annex 1 deals add up to the foundation tables
and point at evidence files, so most cases are valid, as in a real office; a few carry the
usual warnings. Generation is plain string formatting (fast); the result is parsed by the
real reader in the benchmarks.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

from tui.core.ids import patent_check_char

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "cases" / "XH-2022-001" / "case.toml"
ATTACHMENTS = 10
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["明", "芳", "伟", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "超", "霞", "平", "刚"]
PLACES = ["星河", "云杉", "微澜", "瀚海", "绿动", "康宁", "中关", "望京", "亦庄", "未来", "翠湖"]
TRADES = ["数据科技", "智能科技", "精密机械", "节能技术", "医疗器械", "新材料", "生物医药"]
SUPPLIERS = [
    "北京某理工大学",
    "北京某大学",
    "中国某科学院某研究所",
    "北京某医科大学",
    "北京某工业大学",
]
METHODS = ["转让", "许可", "质押融资", "作价入股", "其他"]
KINDS = {"转让": "assignments", "许可": "licenses", "质押融资": "pledges"}
PERIODS = [("2021年", 2021, range(1, 13)), ("2022年1-9月", 2022, range(1, 10))]


def patent_no(rng: random.Random, year: int, kind: str = "1") -> str:
    digits = f"{year}{kind}{rng.randrange(10**7):07d}"
    return f"ZL{digits}.{patent_check_char(digits)}"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def company(rng: random.Random) -> str:
    return f"北京{rng.choice(PLACES)}{rng.choice(TRADES)}有限公司"


def case_text(n: int, rows: int = 60, seed: int = 0) -> str:
    """The text of fictitious case number ``n``: the example's head, grown annexes, its tail."""
    rng = random.Random(seed * 100_003 + n)
    head = EXAMPLE.read_text(encoding="utf-8")
    head = head.split("[[annex1]]", 1)[0]
    plan = EXAMPLE.read_text(encoding="utf-8").split("[plan]", 1)[1]
    park = f"{rng.choice(PLACES)}{n:04d}科技园"
    head = head.replace("星河科技园", park).replace(
        "北京星河科技园运营管理有限公司", f"北京{park}运营管理有限公司"
    )
    head = head.replace('name = "李文静"', f'name = "{person(rng)}"')
    deals: dict[tuple[str, str], tuple[int, int]] = {}
    annex1 = []
    for i in range(rows):
        label, year, months = PERIODS[i % 2]
        method = METHODS[i % len(METHODS)]
        amount = rng.randrange(2, 60) * 10_000
        count, total = deals.get((method, label), (0, 0))
        deals[(method, label)] = (count + 1, total + amount)
        day = f"{year}-{rng.choice(months):02d}-{rng.randrange(1, 29):02d}"
        annex1.append(
            "[[annex1]]\n"
            f"date = {day}\n"
            f'patent_no = "{patent_no(rng, 2015 + i % 6)}"\n'
            f'method = "{method}"\n'
            f'supplier = "{rng.choice(SUPPLIERS)}"\n'
            f'recipient = "{company(rng)}"\n'
            f"contract_yuan = {amount}\n"
            f"received_yuan = {amount}\n"
            f"patent_amount_yuan = {amount}\n"
            f'evidence = ["attachments/evidence-{i % ATTACHMENTS:02d}.pdf"]\n'
        )
    annex2 = []
    for i in range(rows):
        kind, word = [("1", "发明"), ("2", "实用新型"), ("3", "外观设计")][i % 3]
        year = 2016 + i % 5
        price = "" if i % 4 == 0 else f"price_yuan = {rng.randrange(3, 90) * 10_000}\n"
        annex2.append(
            "[[annex2]]\n"
            f'name = "一种{rng.choice(PLACES)}{rng.choice(["装置", "方法", "系统", "材料"])}（第{i + 1}项）"\n'
            f'patent_no = "{patent_no(rng, year, kind)}"\n'
            f'patent_type = "{word}"\n'
            f"grant_date = {year + 2}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}\n"
            f'demand = "{["转让", "许可", "其他"][i % 3]}"\n'
            f"{price}"
            f"negotiable = {'true' if i % 4 == 0 else 'false'}\n"
            f'demander = "{company(rng)}"\n'
        )
    head = _foundation_from_deals(head, deals)
    return head + "\n".join(annex1) + "\n" + "\n".join(annex2) + "\n[plan]" + plan


def _foundation_from_deals(text: str, deals: dict[tuple[str, str], tuple[int, int]]) -> str:
    """Make the foundation tables agree with annex 1 (ANNEX1.VS_FOUNDATION)."""
    for method, table in KINDS.items():
        amount_key = "amount_wan" if table == "pledges" else "contract_wan"
        for label, _year, _months in PERIODS:
            count, total = deals.get((method, label), (0, 0))
            wan = Decimal(total) / 10_000
            pattern = re.compile(
                rf'(\[\[foundation\.{table}\]\][^\[]*?period = "{re.escape(label)}"\n)'
                rf"count = \d+([^\n]*\n)({amount_key} = )[0-9.]+"
            )
            text, hits = pattern.subn(rf"\g<1>count = {count}\g<2>\g<3>{wan}", text)
            assert hits == 1, (table, label)
    return text


def write_cases(cases_dir: Path, count: int, rows: int = 60) -> list[str]:
    """Write ``count`` cases (with their evidence files); return their IDs."""
    ids = []
    for n in range(1, count + 1):
        cid = f"BJ-2022-{n:04d}"
        folder = cases_dir / cid
        (folder / "attachments").mkdir(parents=True, exist_ok=True)
        (folder / "case.toml").write_text(case_text(n, rows), encoding="utf-8")
        for k in range(ATTACHMENTS):
            (folder / "attachments" / f"evidence-{k:02d}.pdf").write_bytes(
                b"%%PDF-1.4 fictitious evidence %d-%d\n" % (n, k)
            )
        ids.append(cid)
    return ids
