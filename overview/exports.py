"""CSV and XLSX of the overview's tables: the same selectors as the page, so the same scope."""
from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.urls import reverse


def figure_rows(fig: dict) -> list[list]:
    """The overview figures flattened to (section, item, value) rows."""
    n, d, lg = fig["negotiation"], fig["disputes"], fig["legal_aid"]
    rows = [["部分", "指标", "数值"]]
    rows.append(["集体协商", "协商总数", n["total"]])
    rows += [["集体协商", f"状态：{s['label']}", s["count"]] for s in n["by_state"]]
    rows += [
        ["集体协商", "逾期未回应的要约", n["overdue_proposals"]],
        ["集体协商", "已生效合同", n["effective"]],
        ["集体协商", "生效合同覆盖企业", n["enterprises_covered"]],
        ["集体协商", "生效合同覆盖职工", n["workers_covered"]],
        ["集体协商", "要约至生效天数中位数", n["median_days_to_effect"] if n["median_days_to_effect"] is not None else ""],
    ]
    for a in n["arrangements"]:
        rows.append(["集体协商", f"{a['label']}：企业数", a["enterprises"]])
        rows.append(["集体协商", f"{a['label']}：涉及职工", a["workers"]])
    rows += [["劳动争议", "案件总数", d["total"]], ["劳动争议", "未结案件", d["open"]]]
    rows += [["劳动争议", f"未结·阶段：{s['label']}", s["count"]] for s in d["open_by_stage"]]
    rows += [["劳动争议", f"未结·请求：{k['label']}", k["count"]] for k in d["open_by_kind"]]
    rows += [["劳动争议", "7日内到期", d["due_within_7_days"]], ["劳动争议", "已逾期", d["overdue"]]]
    rows += [["劳动争议", r["label"], r["count"]] for r in d["resolution"]]
    rows += [["劳动争议", "追回金额（元）", d["amount_recovered"]]]
    rows += [["法律援助", "申请总数", lg["total"]]]
    rows += [["法律援助", f"审查：{x['label']}", x["count"]] for x in lg["decisions"]]
    rows += [["法律援助", "已结案", lg["closed"]], ["法律援助", "挽回金额（元）", lg["amount_recovered"]],
             ["法律援助", "满意度评价数", lg["satisfaction"]["rated"]],
             ["法律援助", "平均满意度", lg["satisfaction"]["average"] if lg["satisfaction"]["average"] is not None else ""],
             ["法律援助", "满意率（%）", lg["satisfaction"]["satisfied_pct"] if lg["satisfaction"]["satisfied_pct"] is not None else ""]]
    return rows


REGION_COLUMNS = [
    ("code", "区划代码"), ("region", "地区"), ("negotiations", "集体协商"), ("effective", "已生效"),
    ("workers_covered", "覆盖职工"), ("overdue_proposals", "逾期要约"), ("disputes", "争议"),
    ("open_disputes", "未结争议"), ("amount_recovered", "追回金额（元）"), ("legal_aid", "法援申请"),
    ("legal_closed", "法援结案"), ("satisfaction", "平均满意度"),
]


def region_rows(fig: dict) -> list[list]:
    return [[h for _, h in REGION_COLUMNS]] + [
        ["" if r[k] is None else r[k] for k, _ in REGION_COLUMNS] for r in fig["regions"]["rows"]
    ]


def firm_rows(fig: dict) -> list[list]:
    lg = fig["legal_aid"]
    head = ["律所", "案件", "在办", "已结", "承办上限", "负荷（%）", "接受用时中位数（小时）"] + [o["label"] for o in lg["outcome_labels"]]
    out = [head]
    for f in lg["firms"]:
        out.append([f["firm"], f["cases"], f["open"], f["closed"], f["capacity"] if f["capacity"] is not None else "",
                    f["load_pct"] if f["load_pct"] is not None else "",
                    f["median_hours_to_accept"] if f["median_hours_to_accept"] is not None else ""]
                   + [f["outcomes"][o["key"]] for o in lg["outcome_labels"]])
    return out


def deadline_rows(board: dict, request=None) -> list[list]:
    out = [["到期日", "业务", "期限事项", "案件", "当事单位", "地区", "链接"]]
    for i in board["items"]:
        url = i.url or reverse(i.url_name, args=[i.pk])
        if request is not None:
            url = request.build_absolute_uri(url)
        out.append([i.due.isoformat(), i.workflow_label, i.what, i.title, i.party, i.region, url])
    return out


def _cell(v):
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    return v


def csv_response(rows: list[list], filename: str) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")  # so spreadsheet programs read UTF-8
    w = csv.writer(buf)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return resp


def xlsx_response(sheets: list[tuple[str, list[list]]], filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        for r in rows:
            ws.append([_cell(v) for v in r])
        for c in ws[1] if rows else []:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return resp
