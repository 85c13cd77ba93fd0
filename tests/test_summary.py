"""``anjuan summary``: one row per case with the key figures, and a 合计 row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import wcwidth
from conftest import anjuan, git


def test_summary_csv_has_a_row_per_case_and_a_total(samples_repo: Path) -> None:
    budget = samples_repo / "XH-2022-002" / "case.toml"
    budget.write_text(
        budget.read_text(encoding="utf-8").replace("amount_wan = 10.0 ", "amount_wan = 0.15"),
        encoding="utf-8",
    )
    git(samples_repo, "commit", "-q", "--no-verify", "-am", "a budget line of 0.15 万元")
    result = anjuan("summary", "--format", "csv", "--cases", str(samples_repo))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows[0] == [
        "案卷", "申报单位", "园区", "状态", "入驻企业（家）", "中小微企业（家）",
        "申请金额（万元）", "错误", "警告", "评审意见", "平均分",
    ]  # fmt: skip
    by_case = {r[0]: r for r in rows[1:-1]}
    assert list(by_case) == ["XH-2022-001", "XH-2022-002", "XH-2022-003", "XH-2022-004"]
    assert by_case["XH-2022-001"][:7] == [
        "XH-2022-001", "北京星河科技园运营管理有限公司", "星河科技园", "已提交", "186", "162", "30",
    ]  # fmt: skip
    assert by_case["XH-2022-002"][3] == "草稿"
    assert by_case["XH-2022-002"][6] == "22.15"  # 0.15 + 12 + 10, exact
    assert by_case["XH-2022-003"][9] == "li.wei：推荐\nwang.fang：修改后再议"
    assert by_case["XH-2022-003"][10] == "77.5"
    assert by_case["XH-2022-004"][3] == "无法读取" and by_case["XH-2022-004"][4] == ""
    total = rows[-1]
    assert total[0] == "合计"
    assert total[4:7] == ["339", "282", "82.15"]
    for col in (7, 8):
        assert int(total[col]) == sum(int(r[col]) for r in by_case.values())


def test_summary_table_lines_up(samples_repo: Path) -> None:
    result = anjuan("summary", "--cases", str(samples_repo))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    widths = {wcwidth.wcswidth(line) for line in lines}
    assert len(widths) == 1 and widths.pop() <= 120
    assert "合计" in result.stdout


def test_summary_as_xlsx_file(samples_repo: Path, tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "all.xlsx"
    result = anjuan("summary", "--format", "xlsx", "-o", str(target), "--cases", str(samples_repo))
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(target).active
    assert ws["A3"].value == "XH-2022-001" and ws["A7"].value == "合计"
    assert ws["G3"].value == 30 and ws["G7"].value == 92 and ws["A2"].font.bold
    assert ws["G7"].font.bold and ws["G3"].number_format.startswith("#,##0.00")
