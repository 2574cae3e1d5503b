"""Exports parse back to the page's figures, the API equals the page, the monthly PDF renders; all scoped."""
import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import region

pytestmark = pytest.mark.django_db


def read_csv(resp):
    assert resp["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def read_xlsx(resp):
    wb = load_workbook(io.BytesIO(resp.content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_figures_csv_matches_page(ov, client_for):
    c = client_for(ov.users.staff_hh)
    rows = read_csv(c.get(reverse("overview:export", args=["figures", "csv"])))
    assert rows[0] == ["部分", "指标", "数值"]
    got = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert got[("集体协商", "协商总数")] == "5"
    assert got[("集体协商", "生效合同覆盖职工")] == "140"
    assert got[("集体协商", "要约至生效天数中位数")] == "40.0"
    assert got[("集体协商", "错时上下班：涉及职工")] == "140"
    assert got[("劳动争议", "追回金额（元）")] == "5000.00"
    assert got[("法律援助", "满意率（%）")] == "50.0"


def test_figures_xlsx_has_every_table(ov, client_for):
    c = client_for(ov.users.staff_nm)
    resp = c.get(reverse("overview:export", args=["figures", "xlsx"]))
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = read_xlsx(resp)
    assert set(sheets) == {"概览指标", "地区对比", "律所承办"}
    figs = {(r[0], r[1]): r[2] for r in sheets["概览指标"][1:]}
    assert figs[("集体协商", "协商总数")] == 7 and figs[("劳动争议", "追回金额（元）")] == 12777.0
    regions = {r[0]: r for r in sheets["地区对比"][1:]}
    head = sheets["地区对比"][0]
    assert regions["150100"][head.index("集体协商")] == 5 and regions["150200"][head.index("追回金额（元）")] == 7777.0
    firms = {r[0]: r for r in sheets["律所承办"][1:]}
    assert firms[ov.world.firm_a.name][1:6] == [3, 1, 2, 4, 25]


def test_exports_respect_scope(ov, client_for):
    c = client_for(ov.users.staff_bt)
    regions = read_csv(c.get(reverse("overview:export", args=["regions", "csv"])))
    assert regions[0][1] == "地区" and all(r[0].startswith("1502") for r in regions[1:])
    firms = read_xlsx(c.get(reverse("overview:export", args=["firms", "xlsx"])))["律所承办"]
    assert [r[0] for r in firms[1:]] == [ov.world.firm_b.name]
    board = read_csv(c.get(reverse("overview:export", args=["deadlines", "csv"])))
    assert [r[3] for r in board[1:]][1].startswith(ov.bt.d1.reference)
    assert all(ov.world.emp_a.name not in ",".join(r) for r in board)
    # A Baotou user asking for Hohhot gets their own scope, not Hohhot's rows.
    figs = read_csv(c.get(reverse("overview:export", args=["figures", "csv"]), {"region": region("150100").pk}))
    assert {(r[0], r[1]): r[2] for r in figs[1:]}[("集体协商", "协商总数")] == "2"


def test_deadline_exports_list_every_item_with_links(ov, client_for):
    c = client_for(ov.users.staff_hh)
    rows = read_csv(c.get(reverse("overview:export", args=["deadlines", "csv"]), {"overdue": "1"}))
    assert rows[0][0] == "到期日"
    dates = [r[0] for r in rows[1:]]
    assert dates == sorted(dates) and len(rows) - 1 == 4  # n3 past its response date + d1, n5, l1 (n4 has no running clock)
    assert rows[1][6].startswith("http://testserver/")
    x = read_xlsx(c.get(reverse("overview:export", args=["deadlines", "xlsx"])))["期限看板"]
    assert [r[1] for r in x[1:]] == ["劳动争议", "集体协商", "法律援助"]


def test_unknown_export_is_404(ov, client_for):
    c = client_for(ov.users.staff_hh)
    assert c.get("/overview/export/secrets.csv").status_code == 404
    assert c.get("/overview/export/figures.pdf").status_code == 404


def test_api_equals_page(ov, client_for, api_for):
    page = client_for(ov.users.staff_hh).get(reverse("overview:index")).context["fig"]
    api = api_for(ov.users.staff_hh).get("/api/v1/stats/overview/").json()
    n, d, lg = page["negotiation"], page["disputes"], page["legal_aid"]
    assert api["negotiation"]["by_state"] == n["by_state"]
    assert api["negotiation"]["arrangements"] == n["arrangements"]
    for k in ("total", "overdue_proposals", "effective", "workers_covered", "median_days_to_effect"):
        assert api["negotiation"][k] == n[k]
    for k in ("total", "open", "due_within_7_days", "overdue"):
        assert api["disputes"][k] == d[k]
    assert api["disputes"]["open_by_stage"] == d["open_by_stage"]
    assert float(api["disputes"]["amount_recovered"]) == float(d["amount_recovered"])
    assert api["legal_aid"]["decisions"] == lg["decisions"] and api["legal_aid"]["satisfaction"] == lg["satisfaction"]
    assert [r["code"] for r in api["regions"]["rows"]] == [r["code"] for r in page["regions"]["rows"]]
    regions = api_for(ov.users.staff_hh).get("/api/v1/stats/regions/").json()
    assert [r["negotiations"] for r in regions["rows"]] == [r["negotiations"] for r in page["regions"]["rows"]]


def test_api_deadlines(ov, api_for):
    data = api_for(ov.users.staff_hh).get("/api/v1/stats/deadlines/").json()
    assert [(i["workflow"], i["id"]) for i in data["items"]] == [
        ("dispute", ov.hh.d1.pk), ("negotiation", ov.hh.n5.pk), ("legal", ov.hh.l1.pk)]
    assert data["items"][0]["url"] == reverse("disputes:detail", args=[ov.hh.d1.pk])


def test_api_rejects_bad_input_and_other_roles(ov, api_for):
    assert api_for(ov.users.staff_hh).get("/api/v1/stats/overview/", {"period": "nonsense"}).status_code == 400
    bad_region = api_for(ov.users.staff_hh).get("/api/v1/stats/overview/", {"region": region("150200").pk})
    assert bad_region.status_code == 400 and "region" in bad_region.json()
    for who in ("employer_a", "lawyer_a", "firm_admin_a", "negotiator_a"):
        assert api_for(getattr(ov.users, who)).get("/api/v1/stats/overview/").status_code == 403
    assert api_for(ov.users.employer_a).get("/api/v1/stats/deadlines/").status_code == 403
    assert api_for(None).get("/api/v1/stats/overview/").status_code in (401, 403)


def test_monthly_pdf(ov, client_for):
    from django.utils import timezone

    month = timezone.localdate().strftime("%Y-%m")
    r = client_for(ov.users.staff_hh).get(reverse("overview:report"), {"month": month})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert client_for(ov.users.staff_hh).get(reverse("overview:report"), {"month": "2026-13"}).status_code == 404
