"""new --from-docx: filled forms (ours and hand-filled in several styles) into new cases."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import anjuan, git
from docx_forms import hand_filled

from tui.core.document.read import read_document
from tui.core.schema import load_form

FORM = load_form("bj-ipcluster-2022")


def _dry(cases: Path, path: Path) -> dict:
    result = anjuan(
        "--cases",
        str(cases),
        "new",
        "XH-2022-090",
        "--from-docx",
        str(path),
        "--dry-run",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ticks_full_width_digits_units_and_chinese_dates_are_read(tmp_path: Path) -> None:
    data = read_document(hand_filled(tmp_path / "a.docx", "ticks"), FORM)
    d = data.data
    a = d["applicant"]
    assert a["park_category"] == "北京市级科技园区/产业园区"
    assert a["industries"] == ["新一代信息技术", "智能装备"]
    assert a["lead"]["mobile"] == "13801234567"
    assert a["lead"]["title"] == "主任"
    assert a["overview"] == "第一段。\n第二段。"  # the printed hint is not data
    f = d["foundation"]
    assert f["has_ip_department"] is True
    assert f["ip_staff_fulltime"] == 6 and f["enterprises"] == 120
    assert f["funding"] == [
        {"year": "2020", "amount_wan": Decimal("45.5")},
        {"year": "2021", "amount_wan": 62},
    ]
    assert [r["period"] for r in f["demand"]] == ["2021年", "2022年1-9月"]  # 合计 is not a row
    assert f["assignments"][1] == {
        "period": "2022年1-9月",
        "count": 2,
        "contract_wan": 48,
        "paid_wan": 30,
    }
    t = d["targets"]
    assert (t["demand_items"], t["activities"], t["info_pushes"], t["other"]) == (
        60,
        6,
        1200,
        "建立台账。",
    )
    assert [r["item"] for r in d["budget"]] == ["需求库建设", "对接活动"]
    assert d["annex1"][0]["date"] == date(2021, 6, 18)
    assert d["annex1"][0]["contract_yuan"] == 200000  # 20万元
    assert len(d["annex1"]) == 2  # the blank row and the 合计 row are not rows
    assert d["annex2"][1]["negotiable"] is True and "price_yuan" not in d["annex2"][1]
    assert d["annex2"][1]["grant_date"] == date(2022, 1, 14)
    assert d["case"]["acceptance_no"] == "XH-2022-077"
    assert d["opinion"] == {"text": "同意申报。", "signatory": "张三", "date": date(2022, 10, 8)}
    assert d["plan"]["unit_overview"] == "成立于2015年。\n服务企业200家。"
    assert d["plan"]["unit_name"] == "测试园运营有限公司" and d["plan"]["date"] == date(2022, 10, 8)
    assert d["pledge"] == {"signatory": "张三", "date": date(2022, 10, 8)}  # 信用承诺书
    assert d["annex2"][0]["demand"] == "其他" and d["annex2"][0]["demand_other"] == "作价入股"
    assert data.unread == []


def test_plain_words_extra_column_and_a_continued_annex(tmp_path: Path) -> None:
    result = read_document(hand_filled(tmp_path / "b.docx", "plain"), FORM)
    d = result.data
    assert d["applicant"]["park_category"] == "其他"
    assert d["applicant"]["park_category_other"] == "高校科技园"
    assert d["applicant"]["industries"] == ["集成电路", "医药健康"]
    assert d["foundation"]["has_ip_department"] is True
    assert [r["patent_no"] for r in d["annex1"]] == ["ZL201911034521.8", "ZL202011187302.6"]
    assert d["annex1"][0]["date"] == date(2021, 6, 18) and d["annex1"][1]["date"] == date(
        2021, 9, 2
    )
    assert d["annex1"][0]["contract_yuan"] == 200000
    assert d["opinion"]["date"] == date(2022, 10, 8)
    # the column a person added is named, not guessed into a field
    assert [u.text for u in result.unread] == ["多出的列「备注」未读取", "多出的列「备注」未读取"]


def test_what_cannot_be_read_is_listed_and_left_out(tmp_path: Path, cases_repo: Path) -> None:
    import docx

    path = hand_filled(tmp_path / "c.docx", "ticks")
    d = docx.Document(str(path))
    for table in d.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text == "2021/09/02":
                    cell.text = "9月初"
                if cell.text == "100":
                    cell.text = "一百家左右"
    d.save(str(path))
    report = _dry(cases_repo, path)
    unread = {u["path"]: u for u in report["unread"]}
    assert unread["annex1[2].date"]["text"] == "9月初"
    assert "登记/备案时间" in unread["annex1[2].date"]["label"]
    assert unread["foundation.smes"]["text"] == "一百家左右"
    assert "date" not in report["case"]["annex1"][1]
    assert "smes" not in report["case"]["foundation"]
    assert any(f["path"] == "foundation.smes" for f in report["findings"])


def test_new_from_docx_commits_one_case_and_dry_run_writes_nothing(
    tmp_path: Path, cases_repo: Path
) -> None:
    path = hand_filled(tmp_path / "a.docx", "ticks")
    before = git(cases_repo, "rev-parse", "HEAD").stdout
    _dry(cases_repo, path)
    assert git(cases_repo, "rev-parse", "HEAD").stdout == before
    assert not (cases_repo / "XH-2022-090").exists()
    result = anjuan("--cases", str(cases_repo), "new", "XH-2022-090", "--from-docx", str(path))
    assert result.returncode == 0, result.stderr
    assert "已新建 XH-2022-090" in result.stdout
    assert git(cases_repo, "status", "--porcelain").stdout == ""
    v = anjuan("--cases", str(cases_repo), "validate", "XH-2022-090", "--format", "json")
    case = json.loads(v.stdout)["cases"][0]
    assert case["status"] == "draft"
    text = (cases_repo / "XH-2022-090" / "case.toml").read_text("utf-8")
    assert 'park_name = "测试园"' in text and "date = 2021-06-18" in text


def test_a_file_that_is_not_a_form_is_refused_and_nothing_written(
    tmp_path: Path, cases_repo: Path
) -> None:
    bad = tmp_path / "x.docx"
    bad.write_text("not a zip")
    result = anjuan("--cases", str(cases_repo), "new", "XH-2022-091", "--from-docx", str(bad))
    assert result.returncode == 2 and "不是可读取的 Word 文件" in result.stderr
    assert not (cases_repo / "XH-2022-091").exists()


def test_many_files_one_case_each_with_a_closing_table(tmp_path: Path, cases_repo: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hand_filled(folder / "a.docx", "ticks")  # 项目受理号 XH-2022-077
    hand_filled(folder / "b.docx", "plain")  # no 项目受理号: numbered
    (folder / "~$a.docx").write_bytes(b"lock")  # Word's lock file: skipped
    result = anjuan(
        "--cases", str(cases_repo), "new", "--from-docx", str(folder), "--id-prefix", "XH-2022-"
    )
    assert result.returncode == 0, result.stderr
    assert (cases_repo / "XH-2022-077").is_dir() and (cases_repo / "XH-2022-002").is_dir()
    assert "[2/2] b.docx" in result.stderr
    assert (
        "a.docx" in result.stdout and "XH-2022-002" in result.stdout and "2 个成功" in result.stdout
    )


@pytest.mark.parametrize("style", ["ticks", "plain"])
def test_hand_filled_forms_validate_as_drafts_without_type_errors(
    tmp_path: Path, style: str
) -> None:
    from tui.core.validate import check_data

    result = read_document(hand_filled(tmp_path / "f.docx", style), FORM)
    findings = check_data(result.data, FORM, date(2022, 10, 10))
    assert not [
        f for f in findings if f.rule in ("SCHEMA.TYPE", "SCHEMA.ENUM", "SCHEMA.UNKNOWN_KEY")
    ]
