"""Exports of the form's tables: what a reviewer pastes, prints or attaches."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import wcwidth
from conftest import EXAMPLE, anjuan, git
from hypothesis import given
from hypothesis import strategies as st

from tui.core.case import read_case
from tui.core.export import (
    FORMATS,
    MONOSPACED_FORMATS,
    TABLES,
    TEXT_FORMATS,
    _wrap_header,
    export_table,
    wrap_line,
)
from tui.core.schema import load_form

GOLDEN = Path(__file__).parent / "golden" / "export"
UPDATE = os.environ.get("ANJUAN_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    data = read_case(EXAMPLE).data
    assert data is not None
    return data


@pytest.fixture(scope="module")
def form() -> Any:
    return load_form("bj-ipcluster-2022")


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with ANJUAN_UPDATE_GOLDEN=1 and look at it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["simple_grid", "github"])
@pytest.mark.parametrize("table", TABLES)
def test_golden_tables(sample: dict[str, Any], form: Any, table: str, fmt: str) -> None:
    text = export_table(sample, form, table, fmt)
    assert isinstance(text, str)
    _golden(f"{table}.{fmt}.txt", text)


def _table_lines(text: str) -> list[list[str]]:
    """The tables of an export: runs of lines separated by blank lines, headings left out."""
    blocks = [b.split("\n") for b in text.strip("\n").split("\n\n")]
    return [b for b in blocks if len(b) > 2]


@pytest.mark.parametrize("fmt", sorted(MONOSPACED_FORMATS))
@pytest.mark.parametrize("table", ["annex1", "annex2", "targets", "budget", "foundation"])
def test_every_line_of_a_table_has_one_display_width(
    sample: dict[str, Any], form: Any, table: str, fmt: str
) -> None:
    text = export_table(sample, form, table, fmt)
    assert isinstance(text, str)
    tables = _table_lines(text)
    assert tables
    for lines in tables:
        widths = {wcwidth.wcswidth(line) for line in lines}
        assert len(widths) == 1, (fmt, lines)
        assert -1 not in widths


def test_chinese_cells_line_up_and_long_texts_wrap_to_120(
    sample: dict[str, Any], form: Any
) -> None:
    data = dict(sample)
    rows = [dict(r) for r in sample["annex1"]]
    rows[0]["supplier"] = "北京某某某理工大学技术转移中心知识产权运营管理有限公司" * 2
    rows[1]["recipient"] = "A very long English company name Holdings Limited, Beijing Branch"
    rows[2]["supplier"] = "北京\t某工业大学"
    data["annex1"] = rows
    text = export_table(data, form, "annex1", "simple_grid")
    assert isinstance(text, str)
    widths = {wcwidth.wcswidth(line) for line in text.splitlines()}
    assert len(widths) == 1
    assert widths.pop() <= 120
    # nothing was cut: every character of the long name is still there
    flat = "".join(text.split())
    assert "知识产权运营管理有限公司北京某某某" in flat.replace("│", "")


def test_totals_are_exact_decimal_sums(sample: dict[str, Any], form: Any) -> None:
    data = dict(sample)
    data["budget"] = [
        {"item": "需求库", "amount_wan": Decimal("0.1")},
        {"item": "对接", "amount_wan": Decimal("0.2")},
        {"item": "托管", "amount_wan": Decimal("10.000001")},
    ]
    text = export_table(data, form, "budget", "csv")
    assert isinstance(text, str)
    last = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[-1]
    assert last[0] == "合计"
    assert last[-1] == "10.300001"  # 0.1 + 0.2 in binary floats would print 0.30000000000000004


def test_headers_are_the_forms_with_units_and_dates_iso(sample: dict[str, Any], form: Any) -> None:
    text = export_table(sample, form, "annex1", "csv")
    assert isinstance(text, str)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "序号",
        "登记/备案时间",
        "专利号",
        "转化方式",
        "供给方",
        "接受方",
        "合同额（元）",
        "实际到账（元）",
        "合同涉及专利金额（元）",
        "证明材料",
        # issue 14: off the printed form, kept in CSV/XLSX so that import gives them back
        "其他转化方式（请说明）",
        "国家知识产权局登记/备案号",
        "证明材料种类",
    ]
    assert rows[1][:3] == ["1", "2021-06-18", "ZL201911034521.8"]
    assert rows[-1][:1] == ["合计"] and rows[-1][6] == "6030000"
    annex2 = export_table(sample, form, "annex2", "csv")
    assert isinstance(annex2, str)
    rows2 = list(csv.reader(io.StringIO(annex2.lstrip("\ufeff"))))
    assert rows2[0][6] == "可接受报价（元）/议价"
    assert rows2[2][6] == "议价"


def test_targets_read_tasks_and_units_from_the_schema(sample: dict[str, Any], form: Any) -> None:
    text = export_table(sample, form, "targets", "tsv")
    assert isinstance(text, str)
    lines = [line.split("\t") for line in text.strip().split("\n")]
    assert [c.strip() for c in lines[0]] == ["任务", "指标项", "量化目标"]
    assert [c.strip() for c in lines[1]] == ["1.专利需求库", "覆盖企业数量（家）", "35"]
    assert [c.strip() for c in lines[6]] == ["", "专利受让成交金额（万元）", "120"]


def test_every_format_renders(sample: dict[str, Any], form: Any) -> None:
    assert set(TEXT_FORMATS) <= set(FORMATS)
    for fmt in FORMATS:
        out = export_table(sample, form, "annex2", fmt)
        assert out
        if fmt == "xlsx":
            assert isinstance(out, bytes) and out[:2] == b"PK"
        else:
            assert isinstance(out, str) and "一种光伏组件清洁机器人" in out


def test_all_is_the_whole_application_in_the_forms_order(sample: dict[str, Any], form: Any) -> None:
    text = export_table(sample, form, "all", "github")
    assert isinstance(text, str)
    marks = [
        "## 一、申报单位基本信息",
        "## 二、工作基础",
        "## 三、绩效目标",
        "## 四、经费预算",
        "## 五、申报单位意见",
        "## 附件1",
        "## 附件2",
        "## 附件3",
        "四、目标要求与预期效果",
    ]
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions)
    plain = export_table(sample, form, "all", "simple")
    assert isinstance(plain, str) and "#" not in plain.split("\n", 1)[0]
    assert "同意申报。" in plain


def _sheet(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_csv_and_xlsx_neutralise_formulas(sample: dict[str, Any], form: Any) -> None:
    data = dict(sample)
    rows = [dict(r) for r in sample["annex1"]]
    rows[0]["supplier"] = '=HYPERLINK("http://evil.example","点击")'
    rows[1]["recipient"] = "+1+2"
    rows[2]["supplier"] = "@SUM(A1)"
    rows[3]["recipient"] = "-cmd|' /C calc'!A0"
    data["annex1"] = rows
    text = export_table(data, form, "annex1", "csv")
    assert isinstance(text, str)
    cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "-")]
    assert '\'=HYPERLINK("http://evil.example","点击")' in cells
    content = export_table(data, form, "annex1", "xlsx")
    assert isinstance(content, bytes)
    ws = _sheet(content)
    risky = [
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=+@-"
    ]
    assert len(risky) == 4
    for cell in risky:
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix


def test_xlsx_has_bold_headers_number_formats_and_wide_columns(
    sample: dict[str, Any], form: Any
) -> None:
    content = export_table(sample, form, "annex1", "xlsx")
    assert isinstance(content, bytes)
    ws = _sheet(content)
    header = [c for c in ws[2]]
    assert header[1].value == "登记/备案时间" and all(c.font.bold for c in header)
    first = ws[3]
    assert first[1].number_format == "yyyy-mm-dd"
    assert first[1].value.date().isoformat() == "2021-06-18"
    assert first[6].value == 200000 and first[6].number_format == "#,##0.00"
    total = ws[10]
    assert total[0].value == "合计" and total[6].value == 6030000
    # 接受方 holds 12 Chinese characters: 24 display columns, not 12
    assert ws.column_dimensions["F"].width >= 24


def _export_cli(cases: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return anjuan("export", "XH-2022-001", *args, "--cases", str(cases))


def test_cli_export_default_and_file_output(cases_repo: Path, tmp_path: Path) -> None:
    result = _export_cli(cases_repo, "budget")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("┌") and "合计" in result.stdout
    target = tmp_path / "out" / "a1.csv"
    target.parent.mkdir()
    result = _export_cli(cases_repo, "annex1", "--format", "csv", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith("\ufeff序号".encode())
    assert not [p for p in target.parent.iterdir() if p.name != "a1.csv"]  # no temporary left
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_cli_xlsx_goes_to_a_file_named_after_the_case(cases_repo: Path, tmp_path: Path) -> None:
    result = anjuan(
        "export",
        "XH-2022-001",
        "annex2",
        "--format",
        "xlsx",
        "--cases",
        str(cases_repo),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    made = tmp_path / "XH-2022-001-annex2.xlsx"
    assert _sheet(made.read_bytes())["B3"].value == "一种基于联邦学习的设备故障预测方法"


def test_cli_refuses_unknown_format_and_table(cases_repo: Path) -> None:
    result = _export_cli(cases_repo, "annex1", "--format", "docx")
    assert result.returncode == 2 and "docx" in result.stderr and "simple_grid" in result.stderr
    result = _export_cli(cases_repo, "annex9")
    assert result.returncode == 2
    result = _export_cli(cases_repo, "annex1", "-o", str(cases_repo / "nope" / "x.txt"))
    assert result.returncode == 2 and "不存在" in result.stderr


def test_cli_shows_control_characters_as_codes(cases_repo: Path) -> None:
    path = cases_repo / "XH-2022-001" / "case.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"北京某医科大学"', '"北京\\u001b[31m某医科大学"'), encoding="utf-8"
    )
    result = _export_cli(cases_repo, "annex1")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\\x1b" in result.stdout
    widths = {wcwidth.wcswidth(line) for line in result.stdout.splitlines()}
    assert len(widths) == 1


def test_all_as_csv_and_xlsx_stack_the_sections(sample: dict[str, Any], form: Any) -> None:
    text = export_table(sample, form, "all", "csv")
    assert isinstance(text, str)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    firsts = [r[0] for r in rows if r]
    assert firsts.index("一、申报单位基本信息") < firsts.index("附件2：专利技术需求清单")
    assert firsts.count("一、申报单位基本信息") == 1
    content = export_table(sample, form, "all", "xlsx")
    assert isinstance(content, bytes)
    ws = _sheet(content)
    column_a = [c.value for c in ws["A"]]
    assert "四、经费预算（成本测算）" in column_a and "合计" in column_a


@pytest.mark.parametrize("fmt", ["simple_grid", "psql", "rounded_outline"])
def test_every_table_of_all_lines_up(sample: dict[str, Any], form: Any, fmt: str) -> None:
    text = export_table(sample, form, "all", fmt)
    assert isinstance(text, str)
    tables = [lines for lines in _table_lines(text) if lines[0][:1] in ("┌", "+", "╭")]
    assert (
        len(tables) == 16
    )  # 案卷, 信用承诺书, 一, 二 (7 tables), 三, 四, 五 (签字人/日期), 附件1, 附件2, 附件3 (封皮)
    for lines in tables:
        widths = {wcwidth.wcswidth(line) for line in lines}
        assert len(widths) == 1 and widths.pop() <= 120, lines


def test_cli_refuses_a_broken_case(cases_repo: Path) -> None:
    (cases_repo / "XH-2022-001" / "case.toml").write_text("x = = 1\n", encoding="utf-8")
    result = _export_cli(cases_repo, "annex1")
    assert result.returncode == 2 and "无法读取" in result.stderr and "第1行" in result.stderr


@given(
    text=st.text(
        alphabet=st.sampled_from(list("北京某理工大学有限公司（）、，abcXYZ019 -/.")), max_size=80
    ),
    width=st.integers(min_value=2, max_value=40),
)
def test_wrapped_lines_fit_and_keep_every_character(text: str, width: int) -> None:
    lines = wrap_line(text, width)
    assert all(wcwidth.wcswidth(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_breaks_english_at_spaces_and_chinese_anywhere() -> None:
    assert wrap_line("Holdings Limited, Beijing Branch", 18) == [
        "Holdings Limited,",
        "Beijing Branch",
    ]
    assert wrap_line("北京云杉数据科技有限公司", 8) == ["北京云杉", "数据科技", "有限公司"]
    assert wrap_line("北京ABC数据科技", 6) == ["北京AB", "C数据", "科技"]


@pytest.mark.parametrize("case_id", ["XH-2022-001", "XH-2022-002", "XH-2022-003"])
def test_every_sample_exports_in_every_format(form: Any, case_id: str) -> None:
    data = read_case(EXAMPLE.parent / case_id).data
    assert data is not None
    for table in TABLES:
        for fmt in FORMATS:
            assert export_table(data, form, table, fmt)


def test_values_of_the_wrong_type_are_shown_not_fatal(sample: dict[str, Any], form: Any) -> None:
    """A hand-edited draft may hold anything; the export shows it as it is and sums what adds up."""
    data = dict(sample)
    data["budget"] = [
        {"item": "需求库", "amount_wan": "八万"},
        {"item": ["a", "b"], "amount_wan": Decimal("8")},
        "not a row",
        {"item": "托管", "amount_wan": True},
    ]
    data["targets"] = ["not", "a", "table"]
    data["foundation"] = {**sample["foundation"], "valid_patents": 3, "demand": {"x": 1}}
    for table in TABLES:
        for fmt in ("simple_grid", "csv", "xlsx", "html"):
            assert export_table(data, form, table, fmt)
    text = export_table(data, form, "budget", "csv")
    assert isinstance(text, str)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][3] == "八万" and rows[-1] == ["合计", "", "", "8"]


def test_html_escapes_the_case_text(sample: dict[str, Any], form: Any) -> None:
    data = {**sample, "plan": {**sample["plan"], "other": "<script>alert(1)</script>"}}
    text = export_table(data, form, "all", "html")
    assert isinstance(text, str)
    assert "<script>" not in text and "&lt;script&gt;" in text


@given(
    text=st.text(
        alphabet=st.sampled_from(list("合同涉及专利金额（元）/万家ab1")), min_size=1, max_size=30
    ),
    width=st.integers(min_value=2, max_value=20),
)
def test_wrapped_headers_keep_every_character(text: str, width: int) -> None:
    wrapped = _wrap_header(text, width)
    assert wrapped.replace("\n", "") == text
    assert all(wcwidth.wcswidth(line) <= max(width, 8) for line in wrapped.split("\n"))


def test_cli_will_not_write_xlsx_to_a_terminal(cases_repo: Path) -> None:
    import pty
    import sys

    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tui.cli", "export", "XH-2022-001", "annex1", "--format", "xlsx",
             "-o", "-", "--cases", str(cases_repo)],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 2 and "终端" in result.stderr


def test_amounts_that_are_not_finite_do_not_break_totals_or_xlsx(
    sample: dict[str, Any], form: Any
) -> None:
    data = dict(sample)
    data["budget"] = [
        {"item": "甲", "amount_wan": Decimal("inf")},
        {"item": "乙", "amount_wan": Decimal("-inf")},
        {"item": "丙", "amount_wan": Decimal("nan")},
        {"item": "丁", "amount_wan": Decimal("1.5")},
    ]
    text = export_table(data, form, "budget", "csv")
    assert isinstance(text, str) and text.rstrip().endswith("合计,,,1.5")
    ws = _sheet(export_table(data, form, "budget", "xlsx"))  # type: ignore[arg-type]
    assert ws["D3"].value == "Infinity" and ws["D7"].value == Decimal("1.5")
