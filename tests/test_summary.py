"""``anjuan summary``: one row per case with the key figures, and a 合计 row."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import wcwidth
from conftest import anjuan, git


def _second_case(cases: Path) -> None:
    """A second case (a copy with another applicant and budget) and two reviewers' files."""
    shutil.copytree(cases / "XH-2022-001", cases / "XH-2022-002")
    path = cases / "XH-2022-002" / "case.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("北京星河科技园运营管理有限公司", "北京云谷园区管理有限公司")
    text = text.replace("amount_wan = 8.0 ", "amount_wan = 0.15")
    path.write_text(text, encoding="utf-8")
    reviews = cases / "XH-2022-002" / "reviews"
    reviews.mkdir()
    (reviews / "li.wei.toml").write_text(
        'reviewer = "li.wei"\ndecision = "recommend"\nscore = 82\n', encoding="utf-8"
    )
    (reviews / "wang.fang.toml").write_text(
        'reviewer = "wang.fang"\ndecision = "revise"\nscore = 75\n', encoding="utf-8"
    )
    git(cases, "add", "-A")
    git(cases, "commit", "-q", "--no-verify", "-m", "second case")


def test_summary_csv_has_a_row_per_case_and_a_total(cases_repo: Path) -> None:
    _second_case(cases_repo)
    result = anjuan("summary", "--format", "csv", "--cases", str(cases_repo))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows[0] == [
        "案卷", "申报单位", "园区", "状态", "入驻企业（家）", "中小微企业（家）",
        "申请金额（万元）", "错误", "警告", "评审意见", "平均分",
    ]  # fmt: skip
    first, second, total = rows[1], rows[2], rows[3]
    assert first[:4] == ["XH-2022-001", "北京星河科技园运营管理有限公司", "星河科技园", "已提交"]
    assert first[6] == "30"
    assert second[1] == "北京云谷园区管理有限公司"
    assert second[6] == "22.15"  # 0.15 + 12 + 10, exact
    assert second[9] == "li.wei：推荐\nwang.fang：修改后再议"
    assert second[10] == "78.5"
    assert total[0] == "合计"
    assert total[4:7] == ["372", "324", "52.15"]
    assert int(total[8]) == int(first[8]) + int(second[8])


def test_summary_table_lines_up(cases_repo: Path) -> None:
    _second_case(cases_repo)
    result = anjuan("summary", "--cases", str(cases_repo))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    widths = {wcwidth.wcswidth(line) for line in lines}
    assert len(widths) == 1 and widths.pop() <= 120
    assert "合计" in result.stdout


def test_summary_as_xlsx_file(cases_repo: Path, tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "all.xlsx"
    result = anjuan("summary", "--format", "xlsx", "-o", str(target), "--cases", str(cases_repo))
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(target).active
    assert ws["A3"].value == "XH-2022-001" and ws["A4"].value == "合计"
    assert ws["G4"].value == 30 and ws["A2"].font.bold
