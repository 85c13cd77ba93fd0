"""export document: the whole 申报书 as .docx in the form's layout, read back field by field."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import SAMPLES, anjuan
from docx_forms import on_form

from tui.core.case import read_case
from tui.core.document.read import blocks_of, read_document
from tui.core.document.write import document_bytes
from tui.core.schema import load_form

FORM = load_form("bj-ipcluster-2022")
# Every sample that parses (XH-2022-004 is broken on purpose: export refuses it)
SAMPLE_IDS = sorted(
    p.name
    for p in SAMPLES.iterdir()
    if (p / "case.toml").is_file() and read_case(p).data is not None
)


def _text(path: Path) -> str:
    """Every paragraph and cell in the document's order."""
    parts: list[str] = []
    for kind, value in blocks_of(path):
        if kind == "p":
            parts.append(value)
        else:
            parts.extend(c for row in value for c in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("cid", SAMPLE_IDS)
def test_every_sample_reads_back_as_the_same_case(cid: str) -> None:
    case = read_case(SAMPLES / cid)
    assert case.data is not None
    result = read_document(document_bytes(case.data, FORM), FORM)
    assert result.unread == []
    assert on_form(result.data, FORM) == on_form(case.data, FORM)


def test_export_document_writes_the_form_in_its_order(samples_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "申报书.docx"
    result = anjuan(
        "--cases", str(samples_repo), "export", "XH-2022-001", "document", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    text = _text(out)
    order = ["项目受理号", "北京市专利转化专项计划项目申报书", "北京市知识产权局编制", "信用承诺书",
             "1.我单位近五年信用记录良好", "5.如违背以上承诺", "一、申报单位基本信息", "二、工作基础",
             "三、绩效目标", "四、经费预算", "五、申报单位意见", "我单位确认上述填报内容",
             "附件1：2021年以来促成专利转化清单", "附件2：专利技术需求清单", "附件3：", "五、其他情况"]  # fmt: skip
    at = [text.find(word) for word in order]
    assert all(a >= 0 for a in at), [w for w, a in zip(order, at, strict=True) if a < 0]
    assert at == sorted(at)
    for header in ("转化方式（转让、许可等）", "可接受报价（元）/或议价", "☑北京市级科技园区/产业园区",
                   "□国家级科技园区/产业园区", "☑人工智能", "□其他（请注明：）", "☑是", "□否", "合  计"):  # fmt: skip
        assert header in text, header
    # Not on the printed form: status, the guide's extra target rows, a 合计 row in 附件1
    assert "submitted" not in text and "已提交" not in text
    assert "专利需求信息征集活动" not in text
    d = docx.Document(str(out))
    annex1 = next(
        t for t in d.tables if "转化方式（转让、许可等）" in [c.text for c in t.rows[0].cells]
    )
    assert len(annex1.rows) == 1 + 7 and all(r.cells[0].text != "合计" for r in annex1.rows)
    section = d.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = d.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "仿宋"
    )


def test_export_document_refuses_a_format_it_has_not(samples_repo: Path, tmp_path: Path) -> None:
    result = anjuan("--cases", str(samples_repo), "export", "XH-2022-001", "document",
                    "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"))  # fmt: skip
    assert result.returncode == 2 and "docx" in result.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_pdf_without_libreoffice_says_how_to_install_it(samples_repo: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # a PATH with git and nothing else
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    result = anjuan("--cases", str(samples_repo), "export", "XH-2022-001", "document",
                    "--format", "pdf", "-o", str(tmp_path / "a.pdf"), env={"PATH": str(bin_dir)})  # fmt: skip
    assert result.returncode == 2
    assert "LibreOffice" in result.stderr and "apt-get install" in result.stderr
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")),
    reason="needs LibreOffice and poppler",
)
def test_the_document_renders_to_pdf_and_png(samples_repo: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "申报书.pdf"
    result = anjuan(
        "--cases", str(samples_repo), "export", "XH-2022-001", "document", "-o", str(pdf)
    )
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for word in ("信用承诺书", "申报单位基本信息", "星河科技园", "ZL201911034521.8"):
        assert word in "".join(text.split()), word
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 1000 for p in pages)


# --- generated cases -------------------------------------------------------------------------

from datetime import date as _date  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Chinese, Latin, Rich markup, and the characters a terminal or XML must not get raw
ALPHABET = st.sampled_from(
    [
        *list("园区专利转化合同金额北京市中小企业abcXYZ0189 -_.,（）、；：“”"),
        "[bold]",
        "[/]",
        "[red]",
        "\\",
        "\t",
        "\x1b",
        "\x07",
        "\r",
        "\x85",
        "\u202e",
        "\x00",
    ]
)
# A printed form cannot show spaces at the ends of a value: values are generated without them
TEXT = st.lists(ALPHABET, max_size=12).map(lambda parts: "".join(parts).strip())
MULTILINE = st.lists(TEXT, min_size=1, max_size=4).map("\n".join)
DAYS = st.dates(min_value=_date(2021, 1, 1), max_value=_date(2022, 9, 30))


def _amount(places: int) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(min_value=0, max_value=10**9),
        st.decimals(
            min_value=0, max_value=10**7, places=places, allow_nan=False, allow_infinity=False
        ),
    )


@st.composite
def generated_case(draw: st.DrawFn) -> dict[str, Any]:
    base = read_case(SAMPLES / "XH-2022-001").data
    assert base is not None
    data: dict[str, Any] = {
        "form": base["form"],
        "case": {"status": "draft", "acceptance_no": draw(TEXT)},
    }
    a = dict(base["applicant"])
    for key in ("park_name", "name", "address", "legal_rep", "mail_address"):
        a[key] = draw(TEXT)
    a["overview"] = draw(MULTILINE)
    a["park_category"] = draw(st.sampled_from(FORM.node("applicant.park_category")["enum"]))  # type: ignore[index]
    a["park_category_other"] = draw(TEXT.filter(lambda t: "）" not in t and ")" not in t))
    a["industries"] = draw(
        st.lists(st.sampled_from(FORM.node("applicant.industries[1]")["enum"]), unique=True)
    )  # type: ignore[index]
    a["lead"] = {**a["lead"], "name": draw(TEXT), "title": draw(TEXT)}
    a["contact"] = {**a["contact"], "name": draw(TEXT)}
    data["applicant"] = a
    f = dict(base["foundation"])
    f["has_ip_department"] = draw(st.booleans())
    for key in (
        "ip_staff_fulltime",
        "ip_staff_parttime",
        "enterprises",
        "smes",
        "high_tech",
        "specialized",
    ):
        f[key] = draw(st.integers(min_value=0, max_value=10**6))
    f["staff_description"] = draw(MULTILINE)
    f["cases_description"] = draw(MULTILINE)
    for key in ("assignments", "licenses"):
        f[key] = [
            {"period": r["period"], "count": draw(st.integers(0, 999)), "contract_wan": draw(_amount(6)),
             "paid_wan": draw(_amount(6))}
            for r in base["foundation"][key]
        ]  # fmt: skip
    f["funding"] = [
        {"year": r["year"], "amount_wan": draw(_amount(6))} for r in base["foundation"]["funding"]
    ]
    data["foundation"] = f
    t = dict(base["targets"])
    for key in ("demand_enterprises", "demand_items", "activities", "info_pushes", "licenses"):
        t[key] = draw(st.integers(0, 10**6))
    t["pledges_wan"] = draw(_amount(6))
    t["other"] = draw(MULTILINE)
    data["targets"] = t
    data["budget"] = [
        {"item": draw(TEXT.filter(str.strip)), "note": draw(TEXT), "amount_wan": draw(_amount(6))}
        for _ in range(draw(st.integers(1, 8)))
    ]
    data["opinion"] = {"text": draw(MULTILINE), "signatory": draw(TEXT), "date": draw(DAYS)}
    rows1 = draw(st.integers(0, 60))
    data["annex1"] = [
        {"date": draw(DAYS), "patent_no": "ZL201911034521.8", "method": draw(st.sampled_from(["转让", "许可", "作价入股", "质押融资", "其他"])),
         "supplier": draw(TEXT.filter(str.strip)), "recipient": draw(TEXT), "contract_yuan": draw(_amount(2)),
         "received_yuan": draw(_amount(2)), "patent_amount_yuan": draw(_amount(2))}
        for _ in range(rows1)
    ]  # fmt: skip
    for row in data["annex1"]:
        if row["method"] == "其他":
            row["method_other"] = draw(
                TEXT.filter(lambda s: s.strip() and "）" not in s and ")" not in s)
            )
    data["pledge"] = {"signatory": draw(TEXT), "date": draw(DAYS)}
    rows2 = draw(st.integers(1, 60))
    annex2 = []
    for _ in range(rows2):
        row: dict[str, Any] = {"name": draw(TEXT.filter(str.strip)), "patent_no": "ZL201711120934.9",
               "patent_type": draw(st.sampled_from(["发明", "实用新型", "外观设计"])), "grant_date": draw(DAYS),
               "demand": draw(st.sampled_from(["转让", "许可", "其他"]))}  # fmt: skip
        if draw(st.booleans()):
            row["negotiable"] = True
        else:
            row["price_yuan"], row["negotiable"] = draw(_amount(2)), False
        if row["demand"] == "其他" and draw(st.booleans()):
            row["demand_other"] = draw(
                TEXT.filter(lambda s: s.strip() and "）" not in s and ")" not in s)
            )
        annex2.append(row)
    data["annex2"] = annex2
    data["plan"] = {
        k: draw(MULTILINE)
        for k in ("unit_overview", "operations", "arrangement", "objectives", "other")
    }
    data["plan"]["unit_name"] = draw(TEXT)
    if draw(st.booleans()):
        data["plan"]["date"] = draw(DAYS)
    return data


@settings(
    max_examples=5,
    deadline=None,
    phases=[
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
    ],  # a document per example: no slow shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(generated_case())
def test_generated_cases_read_back_as_the_same_case(data: dict[str, Any]) -> None:
    result = read_document(document_bytes(data, FORM), FORM)
    assert result.unread == []
    assert on_form(result.data, FORM) == on_form(data, FORM)


del Decimal
