"""Helpers for the document tests: what of a case the printed form holds, and hand-filled
forms built with python-docx in the styles people fill them (not only our own export)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocumentType

from tui.core.document import layout as L
from tui.core.schema import Form

# Fields a case holds that the printed 申报书 does not (they stay in the other exports).
OFF_FORM = {
    "case.status",
    "annex1[].evidence",
    "annex2[].demander",
    "targets.demand_collection_events",
    "targets.sme_buyers",
    "pledge.accepted",
    "annex1[].recordal_no",
    "annex1[].proofs",
}


def on_form(data: dict[str, Any], form: Form) -> dict[str, Any]:
    """The case as the form shows it: fields the form has, empty values dropped, texts without
    blank first/last lines, numbers as Decimal, the 主导产业 as the set the boxes tick."""

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                sub = f"{path}.{k}" if path else k
                if sub in OFF_FORM:
                    continue
                w = walk(v, sub)
                if w not in ("", [], {}, None):
                    out[k] = w
            return out
        if isinstance(value, list):
            rows = [walk(v, f"{path}[]") for v in value]
            if path == "applicant.industries":
                return sorted(rows)
            return rows
        if isinstance(value, str):
            lines = value.split("\n")
            while lines and not lines[0].strip():
                lines.pop(0)
            while lines and not lines[-1].strip():
                lines.pop()
            return "\n".join(lines)
        if isinstance(value, bool | date):
            return value
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value)).normalize()
        return value

    result = walk(data, "")
    for row in result.get("annex2", []):
        if row.get("negotiable") is False and "price_yuan" not in row:
            row.pop("negotiable")
    return result


# --- hand-filled forms ------------------------------------------------------------------------


def _row(table: Any, *texts: str) -> None:
    cells = table.add_row().cells
    for cell, text in zip(cells, texts, strict=False):
        lines = text.split("\n")
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)


def hand_filled(path: Path, style: str) -> Path:
    """A 申报书 as a person fills the official template, in one of several styles:

    - ``ticks``: ■ and √ for ticks, full-width digits, amounts with units, dates 2021年6月18日,
      text over several paragraphs, blank rows left in the annex tables, a 合计 row typed in.
    - ``plain``: 是/否 written instead of boxes, the chosen industries just written out,
      dates 2021.6.18 and 2021/06/18, amounts "200,000元", an extra column a person added,
      附件1 continued on a second table ("可加页").
    """
    d: DocumentType = docx.Document()
    ticks = style == "ticks"
    d.add_paragraph("项目受理号：XH-2022-077" if ticks else "项目受理号：")
    d.add_paragraph("北京市专利转化专项计划项目申报书")
    d.add_paragraph("信用承诺书")
    d.add_paragraph("法定代表人（签字/签章）：张三")
    d.add_paragraph("日期：2022年10月8日")
    d.add_paragraph("一、申报单位基本信息")
    t = d.add_table(rows=0, cols=5)
    _row(t, "申报单位", "园区或集聚区名称", "测试园", "", "")
    if ticks:
        _row(
            t,
            "",
            "园区或集聚区类别",
            "□国家级科技园区/产业园区\n■北京市级科技园区/产业园区\n□其他（请说明：          ）",
        )
        _row(
            t,
            "",
            "集聚区主导产业\n（可多选）",
            "√新一代信息技术 □集成电路 ■智能装备\n□其他（请注明：               ）",
        )
    else:
        _row(t, "", "园区或集聚区类别", "其他（请说明：高校科技园）")
        _row(t, "", "集聚区主导产业（可多选）", "集成电路、医药健康")
    _row(t, "", "申报单位名称", "测试园运营有限公司")
    _row(t, "", "申报单位地址", "北京市朝阳区测试路1号")
    _row(t, "", "统一社会信用代码", "91110108MA01C3KQ5K")
    _row(t, "", "法定代表人", "张三")
    _row(t, "项目负责人", "姓\n名", "李四", "职\n务", "主任")
    _row(
        t,
        "",
        "固定电话",
        "010-62345678",
        "手\n机",
        "１３８０１２３４５６７" if ticks else "13801234567",
    )
    _row(t, "项目联系人", "姓\n名", "王五", "手\n机", "13912345678")
    _row(t, "", "固定电话", "", "传真号码", "")
    _row(t, "", "通讯地址", "北京市朝阳区测试路1号")
    _row(t, "", "邮编", "100085", "E-mail", "a@b.cn")
    _row(
        t,
        "基本概况",
        "（简要介绍区内企业的基本情况、园区或集聚区服务企业的情况和2021年以来知识产权工作的整体情况，包括知识产权的创造、保护、管理、运用等情况。）\n第一段。\n第二段。",
    )
    d.add_paragraph("二、工作基础")
    t = d.add_table(rows=0, cols=5)
    _row(t, "申报单位（园区）", "是否成立知识产权管理部门", "√是\n□否" if ticks else "是")
    _row(
        t,
        "",
        "知识产权运营服务专职人员总数",
        "６人" if ticks else "6",
        "知识产权运营服务兼职人员总数",
        "2",
    )
    _row(t, "区内企业情况", "入驻企业数量", "120家" if ticks else "120")
    _row(t, "", "中小微企业数量", "100")
    _row(t, "", "国家高新技术企业数量", "30")
    _row(t, "", "专精特新企业数量", "10")
    _row(t, "", "近两年知识产权工作经费投入情况", "年度", "投入金额（万元）")
    _row(t, "", "", "2020", "45.5万元" if ticks else "45.5")
    _row(t, "", "", "2021", "62")
    _row(t, "园区/集聚区专利技术需求收集情况", "区内企业专利技术需求收集和服务情况")
    _row(t, "", "年度", "收集专利需求企业数量", "收集专利需求\n\n项目数量", "供需对接服务次数")
    _row(t, "", "2021年", "24", "41", "4")
    _row(t, "", "2022年1-9月", "18", "27", "3")
    _row(t, "", "合计", "42", "68", "7")
    _row(t, "园区/集聚区专利转化运用情况", "专利受让情况")
    _row(t, "", "年度", "专利受让件数", "合同金额（万元）", "实际支付金额（万元）")
    _row(t, "", "2021年", "2", "35", "35")
    _row(t, "", "2022年1-9月", "2", "48", "30")
    _row(t, "", "合计", "4", "83", "65")
    _row(t, "申报单位从事专利转化专职人员情况", "专职团队6人。")
    _row(t, "集聚区专利转化典型案例和其他转化应用情况", "案例一。\n案例二。")
    d.add_paragraph("三、绩效目标")
    t = d.add_table(rows=0, cols=3)
    _row(t, "任务", "指标项", "量化目标")
    _row(t, "1.专利需求库", "覆盖企业数量", "35")
    _row(t, "", "收集专利技术需求项目数量", "60项" if ticks else "60")
    _row(
        t,
        "7.组织活动与培训",
        "知识产权培训、“入园惠企”宣讲及业务交流等活动次数；推送信息数量",
        "6；1200",
    )
    _row(t, "8.其他运营支撑工作", "", "建立台账。")
    d.add_paragraph("四、经费预算（成本测算）")
    t = d.add_table(rows=0, cols=4)
    _row(t, "序号", "经费开支科目", "说    明", "预算金额（万元）")
    _row(t, "1", "需求库建设", "征集", "8")
    _row(t, "2", "对接活动", "", "12.5")
    _row(t, "3", "", "", "")
    _row(t, "合  计", "", "", "20.5")
    d.add_paragraph("五、申报单位意见")
    d.add_paragraph("同意申报。")
    d.add_paragraph(
        "我单位确认上述填报内容及所提供的材料真实、有效。我单位承诺将严格按照有关规定和要求……"
    )
    d.add_paragraph("法定代表人（签字/签章）：张三")
    d.add_paragraph("2022.10.8" if not ticks else "2022年10月8日")
    d.add_paragraph("附件1：2021年以来促成专利转化清单（可加页）：")
    head1 = [
        "序号",
        "登记/备案时间",
        "专利号",
        "转化方式（转让、许可等）",
        "供给方",
        "接受方",
        "合同额（元）",
        "实际到账（元）",
        "合同涉及专利金额（元）",
    ]
    if not ticks:
        head1.append("备注")
    rows1 = [
        [
            "1",
            "2021年6月18日" if ticks else "2021.6.18",
            "ZL201911034521.8",
            "转让",
            "甲大学",
            "乙公司",
            "20万元" if ticks else "200,000元",
            "200000",
            "200000",
        ],
        [
            "2",
            "2021/09/02",
            "ZL202011187302.6",
            "许可",
            "丙所",
            "丁公司",
            "150000",
            "150000",
            "150000",
        ],
    ]
    t = d.add_table(rows=0, cols=len(head1))
    _row(t, *head1)
    _row(t, *(rows1[0] + ([] if ticks else ["首笔"])))
    if ticks:
        _row(t, "", "", "", "", "", "", "", "", "")  # a blank numbered row left
        _row(t, *rows1[1])
        _row(t, "合计", "", "", "", "", "", "350000", "350000", "350000")
    else:
        d.add_paragraph("（续表）")
        t = d.add_table(rows=0, cols=len(head1))
        _row(t, *head1)
        _row(t, *(rows1[1] + [""]))
    d.add_paragraph("附件2：专利技术需求清单（可加页）")
    t = d.add_table(rows=0, cols=7)
    _row(
        t,
        "序号",
        "专利名称",
        "专利号",
        "专利类型",
        "授权日期",
        "需求方式\n（转让、许可或其他）",
        "可接受报价（元）/或议价",
    )
    _row(
        t,
        "1",
        "一种方法",
        "ZL201711120934.9",
        "发明",
        "2020-04-21",
        "其他（作价入股）" if ticks else "许可",
        "150,000",
    )
    _row(t, "2", "一种机器人", "ZL202122345678.1", "实用新型", "2022年1月14日", "转让", "议价")
    d.add_paragraph("附件3：")
    d.add_paragraph("封皮：单位名称（公章）：测试园运营有限公司")
    d.add_paragraph("日期：2022年10月8日")
    d.add_paragraph("一、单位基本情况")
    d.add_paragraph(
        "（单位简介、主要服务的业务领域、业绩、获得知识产权工作有关资质、荣誉、称号等情况人才储备、经营业绩、相关荣誉等）"
    )
    d.add_paragraph("成立于2015年。")
    d.add_paragraph("服务企业200家。")
    d.add_paragraph("二、知识产权运营服务总体情况")
    d.add_paragraph("已建立需求库。")
    d.add_paragraph("三、工作安排")
    d.add_paragraph("分四阶段。")
    d.add_paragraph("四、目标要求与预期效果")
    d.add_paragraph("覆盖35家。")
    d.add_paragraph("五、其他情况")
    d.save(str(path))
    return path


__all__ = ["L", "hand_filled", "on_form"]
