"""Rows in from .csv and .xlsx: converted, validated row by row, appended in one commit or not at all."""

from __future__ import annotations

import csv
import difflib
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomlkit
from conftest import anjuan, git

from tui.core.case import read_case
from tui.core.export import export_table
from tui.core.imports import ImportRefused, parse_amount, parse_date, plan_import
from tui.core.schema import load_form

CASE = "XH-2022-001"


def _commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


def _case_data(repo: Path) -> dict[str, Any]:
    data = read_case(repo / CASE).data
    assert data is not None
    return data


def _emptied(repo: Path, table: str) -> None:
    """The sample case with every row of ``table`` removed by hand, committed."""
    path = repo / CASE / "case.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    del doc[table]
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    git(repo, "commit", "-q", "--no-verify", "-am", f"empty {table}")


def _same(a: Any, b: Any) -> bool:
    """Equal as values: 200000 and Decimal('200000.0') are the same amount."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _import(repo: Path, table: str, source: Path, *extra: str) -> Any:
    return anjuan("import", CASE, table, str(source), "--cases", str(repo), *extra)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("table", ["annex1", "annex2"])
def test_export_then_import_gives_back_the_same_rows(
    cases_repo: Path, tmp_path: Path, table: str, fmt: str
) -> None:
    original = _case_data(cases_repo)[table]
    exported = tmp_path / f"{table}.{fmt}"
    result = anjuan(
        "export", CASE, table, "--format", fmt, "-o", str(exported), "--cases", str(cases_repo)
    )
    assert result.returncode == 0, result.stderr
    _emptied(cases_repo, table)
    before = _commits(cases_repo)

    result = _import(cases_repo, table, exported)

    assert result.returncode == 0, result.stderr
    assert f"追加 {len(original)} 行" in result.stdout
    assert _commits(cases_repo) == before + 1
    assert git(cases_repo, "status", "--porcelain").stdout == ""
    back = _case_data(cases_repo)[table]
    assert _same(back, original), (back, original)


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_text(buf.getvalue(), encoding=encoding)
    return path


ANNEX1_HEADER = ["序号", "登记/备案时间", "专利号", "转化方式（转让、许可等）", "供给方", "接受方",
                 "合同额（元）", "实际到账（元）", "合同涉及专利金额（元）"]  # fmt: skip


def test_usual_spellings_of_dates_and_amounts_are_read(cases_repo: Path, tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "deals.csv",
        [
            ANNEX1_HEADER,
            ["1", "2022/6/18", "ZL202310138721.8", "转让", "北京甲大学", "北京乙公司",
             "1,200,000", "1 200 000元", "1,200,000.50"],
            ["2", "2022年7月1日", "ZL202310138721.8", "许可", "北京甲大学", "北京丙公司",
             "￥80,000", "80000", "80000"],
            ["3", "2022.08.09", "ZL202310138721.8", "作价入股", "北京甲大学", "北京丁公司",
             "50000", "0", "50000"],
        ],
    )  # fmt: skip
    before = _commits(cases_repo)
    result = _import(cases_repo, "annex1", source)
    assert result.returncode == 0, result.stderr
    assert _commits(cases_repo) == before + 1
    rows = _case_data(cases_repo)["annex1"][-3:]
    assert [r["date"] for r in rows] == [date(2022, 6, 18), date(2022, 7, 1), date(2022, 8, 9)]
    assert rows[0]["contract_yuan"] == 1200000 and rows[0]["received_yuan"] == 1200000
    assert rows[0]["patent_amount_yuan"] == Decimal("1200000.5")
    assert rows[1]["contract_yuan"] == 80000
    assert "（第8–10行" in result.stdout


def test_headers_may_be_toml_keys_and_negotiable_is_understood(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "needs.csv",
        [
            ["name", "patent_no", "patent_type", "grant_date", "demand", "price_yuan", "demander"],
            ["一种电池包散热结构", "ZL202310138721.8", "发明", "2023-05-09", "转让", "议价", "北京乙公司"],
        ],
    )  # fmt: skip
    result = _import(cases_repo, "annex2", source)
    assert result.returncode == 0, result.stderr
    row = _case_data(cases_repo)["annex2"][-1]
    assert row["negotiable"] is True and "price_yuan" not in row
    assert row["grant_date"] == date(2023, 5, 9)


def test_an_unknown_column_is_named(cases_repo: Path, tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "x.csv",
        [["专利号", "专利名称", "负责人"], ["ZL202310138721.8", "名称", "张三"]],
    )
    result = _import(cases_repo, "annex2", source)
    assert result.returncode == 2
    assert "'负责人'" in result.stderr and "专利名称" in result.stderr


def test_bad_rows_refuse_the_whole_import_and_name_every_row_and_column(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "bad.csv",
        [
            ANNEX1_HEADER,
            ["1", "2022-06-18", "ZL202310138721.8", "转让", "甲", "乙", "100", "100", "100"],
            ["2", "2022-13-01", "ZL202310138721.8", "转让", "甲", "乙", "100", "100", "100"],
            ["3", "2022-06-18", "ZL202310138721.5", "转让", "甲", "乙", "一百", "100", "100"],
            ["4", "2022-06-18", "ZL202310138721.8", "赠送", "甲", "", "100", "100", "100"],
        ],
    )
    path = cases_repo / CASE / "case.toml"
    raw = path.read_bytes()
    before = _commits(cases_repo)

    result = _import(cases_repo, "annex1", source)

    assert result.returncode == 2
    err = result.stderr
    assert "未作任何修改" in err and "3 行有错误" in err
    assert "文件第3行（将成为附件1第9行） 登记/备案时间：'2022-13-01' 不是日期" in err
    assert "文件第4行（将成为附件1第10行） 合同额（元）：'一百'" in err
    assert "文件第4行（将成为附件1第10行） 专利号" in err and "ID.PATENT_CHECK" in err
    assert "文件第5行（将成为附件1第11行） 转化方式（转让、许可等）" in err and "SCHEMA.ENUM" in err
    assert "文件第5行（将成为附件1第11行） 接受方" in err
    assert "文件第2行" not in err
    assert path.read_bytes() == raw
    assert _commits(cases_repo) == before
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_a_refused_xlsx_changes_nothing_either(cases_repo: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["专利名称", "专利号", "专利类型", "授权日期", "需求方式", "可接受报价（元）/议价"])
    ws.append(["甲", "ZL202310138721.8", "发明", date(2023, 5, 9), "转让", None])  # no price
    source = tmp_path / "needs.xlsx"
    wb.save(source)
    raw = (cases_repo / CASE / "case.toml").read_bytes()
    result = _import(cases_repo, "annex2", source)
    assert result.returncode == 2 and "ANNEX2.PRICE" in result.stderr
    assert (cases_repo / CASE / "case.toml").read_bytes() == raw
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_dry_run_shows_rows_and_findings_and_writes_nothing(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "deals.csv",
        [
            ANNEX1_HEADER,
            ["1", "2022-06-18", "ZL202310138721.8", "转让", "北京甲大学", "北京乙公司", "100", "200", "100"],
        ],
    )  # fmt: skip
    raw = (cases_repo / CASE / "case.toml").read_bytes()
    before = _commits(cases_repo)
    result = _import(cases_repo, "annex1", source, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "北京乙公司" in result.stdout and "│      8 │" in result.stdout
    assert "ANNEX1.AMOUNTS" in result.stdout  # a warning: the row is still importable
    assert "未写入任何内容：将追加 1 行" in result.stdout
    assert (cases_repo / CASE / "case.toml").read_bytes() == raw
    assert _commits(cases_repo) == before


def test_formula_prefix_of_our_export_is_undone_on_import(cases_repo: Path, tmp_path: Path) -> None:
    data = _case_data(cases_repo)
    data["annex2"][0]["demander"] = "=北京某公司"
    text = export_table(data, load_form("bj-ipcluster-2022"), "annex2", "csv")
    assert isinstance(text, str) and "'=北京某公司" in text
    source = tmp_path / "a2.csv"
    source.write_text(text, encoding="utf-8")
    _emptied(cases_repo, "annex2")
    plan = plan_import(read_case(cases_repo / CASE), "annex2", source, date(2026, 1, 1))
    assert plan.rows[0].values["demander"] == "=北京某公司"


def test_value_readers() -> None:
    assert parse_date("2021/6/18") == date(2021, 6, 18)
    assert parse_date("2021.06.18") == date(2021, 6, 18)
    assert parse_date("2021年6月18日") == date(2021, 6, 18)
    assert parse_date(44365) == date(2021, 6, 18)  # an Excel serial day
    with pytest.raises(ValueError):
        parse_date("18/6/2021")
    assert parse_amount("1,234,567.89元") == Decimal("1234567.89")
    assert parse_amount(0.1) == Decimal("0.1")  # never the binary float's 0.1000000000000000055…
    with pytest.raises(ValueError):
        parse_amount("NaN")


def test_wrong_file_types_are_refused(cases_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "rows.txt"
    other.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"\.csv 或 \.xlsx"):
        plan_import(read_case(cases_repo / CASE), "annex1", other, date(2026, 1, 1))
    fake = tmp_path / "rows.xlsx"
    fake.write_bytes(b"not a zip")
    result = _import(cases_repo, "annex1", fake)
    assert result.returncode == 2 and "不是可读取的 .xlsx" in result.stderr


def test_gbk_csv_from_a_chinese_excel_and_the_author_given(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "gbk.csv",
        [
            ["专利名称", "专利号", "专利类型", "授权日期", "需求方式", "可接受报价（元）/议价"],
            ["一种电池包散热结构", "ZL202310138721.8", "发明", "2023年5月9日", "许可", "30,000元"],
        ],
        encoding="gbk",
    )
    result = _import(cases_repo, "annex2", source, "--as", "王芳")
    assert result.returncode == 0, result.stderr
    row = _case_data(cases_repo)["annex2"][-1]
    assert row["name"] == "一种电池包散热结构" and row["price_yuan"] == 30000
    assert row["negotiable"] is False
    assert git(cases_repo, "log", "-1", "--format=%an").stdout.strip() == "王芳"


def test_numbered_blank_rows_and_spreadsheet_times_are_fine(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "form.csv",
        [
            ANNEX1_HEADER,
            ["1", "2022-06-18 00:00:00", "ZL202310138721.8", "转让", "甲大学", "乙公司", "10", "10", "10"],
            ["2", "", "", "", "", "", "", "", ""],
            ["3", "", "", "", "", "", "", "", ""],
        ],
    )  # fmt: skip
    plan = plan_import(read_case(cases_repo / CASE), "annex1", source, date(2026, 1, 1))
    assert len(plan.rows) == 1 and not plan.bad_rows
    assert plan.rows[0].values["date"] == date(2022, 6, 18)


def test_the_commit_says_what_was_imported_and_keeps_the_comments(
    cases_repo: Path, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "needs.csv",
        [
            ["专利名称", "专利号", "专利类型", "授权日期", "需求方式", "可接受报价（元）/议价"],
            ["一种电池包散热结构", "ZL202310138721.8", "发明", "2023-05-09", "许可", "议价"],
        ],
    )
    path = cases_repo / CASE / "case.toml"
    before = path.read_text(encoding="utf-8")
    result = _import(cases_repo, "annex2", source)
    assert result.returncode == 0, result.stderr
    subject = git(cases_repo, "log", "-1", "--format=%s").stdout.strip()
    assert subject == f"{CASE}: 附件2追加第4行（导入 needs.csv）"
    after = path.read_text(encoding="utf-8").splitlines()
    ops = difflib.SequenceMatcher(a=before.splitlines(), b=after, autojunk=False).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}  # lines only added, comments all kept


def test_a_case_of_an_unknown_form_is_refused(cases_repo: Path, tmp_path: Path) -> None:
    path = cases_repo / CASE / "case.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('form = "bj-ipcluster-2022"', 'form = "bj-2099"'),
        encoding="utf-8",
    )
    source = _write_csv(tmp_path / "x.csv", [["专利号", "专利名称"], ["ZL202310138721.8", "甲"]])
    result = _import(cases_repo, "annex2", source)
    assert result.returncode == 2 and "bj-2099" in result.stderr
