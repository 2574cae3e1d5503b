"""Issue 13: page forms take dates only within the API's bound (core.serializers.DATE_MIN..DATE_MAX,
1950-01-01..2199-12-31). A far date (year 9999, 2200, 1949) re-renders the form with the message on the
field and writes nothing: no object, no state change, no audit event."""
import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from core import workflow
from core.models import AuditEvent
from tests.factories import region

pytestmark = pytest.mark.django_db

FAR = ["9999-01-01", "2200-01-01", "1949-12-31"]
MESSAGE = "日期超出范围（1950-01-01至2199-12-31）。"


def _far(field, day: str) -> str:
    return f"{day}T10:00" if isinstance(field, forms.DateTimeField) else day


def _date_fields(form) -> dict:
    return {n: f for n, f in form.fields.items() if isinstance(f, (forms.DateField, forms.DateTimeField))}


def _post_far_dates(client, url, day, extra=None) -> list[str]:
    """Fill every date field of the page's form with `day` (the rest from the form's initial values and
    `extra`), post it and check each date field carries the message. Returns the date fields' names."""
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.context["form"]
    dates = _date_fields(form)
    data = {n: v for n, v in form.initial.items() if v is not None and not isinstance(v, (list, dt.date))}
    data.update(extra or {})
    data.update({n: _far(f, day) for n, f in dates.items()})
    resp = client.post(url, data)
    assert resp.status_code in (200, 400), (url, resp.status_code)
    errors = resp.context["form"].errors
    for name in dates:
        assert MESSAGE in errors.get(name, []), (url, name, errors)
    return list(dates)


def _snapshot(obj):
    obj.refresh_from_db()
    return obj.state, getattr(obj, "version", None), AuditEvent.objects.count()


@pytest.mark.parametrize("day", FAR)
def test_negotiation_create_refuses_a_far_term(world, client_for, day):
    from negotiation.models import Negotiation

    c = client_for(world.users.negotiator_a)
    audits = AuditEvent.objects.count()
    names = _post_far_dates(c, reverse("negotiation:create"), day,
                            {"title": "专项集体合同", "employer": world.emp_a.pk, "term_confirmed": "on"})
    assert set(names) == {"term_start", "term_end"}
    assert Negotiation.objects.count() == 0 and AuditEvent.objects.count() == audits


def test_english_message(world, client_for):
    c = client_for(world.users.negotiator_a)
    c.cookies["django_language"] = "en"
    resp = c.post(reverse("negotiation:create"), {"title": "t", "employer": world.emp_a.pk, "term_start": "9999-01-01"})
    assert resp.status_code == 400
    assert "Date out of range (1950-01-01 to 2199-12-31)." in resp.content.decode()  # rendered in the request's language


def _action_pages(wf_name, obj, client):
    """The generic action pages of `obj` that are open to the caller now and whose form has a date."""
    wf = workflow.get(wf_name)
    out = []
    for name, action in wf.actions.items():
        if not action.page:
            continue
        url = reverse("core:workflow-action", args=[wf_name, obj.pk, name])
        page = client.get(url)
        if page.status_code == 200 and page.context.get("form") is not None and _date_fields(page.context["form"]):
            out.append(url)
    return out


@pytest.mark.parametrize("day", ["9999-01-01", "1900-06-30"])
def test_negotiation_action_forms_refuse_far_dates(world, client_for, day):
    from negotiation import services

    neg = services.negotiation_create(actor=world.users.negotiator_a, employer=world.emp_a, title="专项集体合同")
    c = client_for(world.users.negotiator_a)
    urls = _action_pages("negotiation", neg, c)
    assert urls  # the union's draft can be edited (term dates)
    before = _snapshot(neg)
    for url in urls:
        _post_far_dates(c, url, day)
    assert _snapshot(neg) == before


def _dispute(world):
    from disputes import services
    from disputes.models import ClaimKind

    return services.dispute_open(
        actor=world.users.staff_hh, employer=world.emp_a, title="待岗工资争议", facts="停工期间未发工资。",
        known_on=dt.date(2026, 9, 1), filed_on=dt.date(2026, 11, 2), workers=[{"name": "乔海燕", "phone": "13900000000"}],
        claims=[{"kind": ClaimKind.DISMISSAL, "amount": Decimal("20000")}],
    )


@pytest.mark.parametrize("day", ["9999-01-01", "1949-12-31"])
def test_dispute_stage_forms_refuse_far_dates(world, client_for, day, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _dispute(world)
    c = client_for(world.users.staff_hh)
    urls = _action_pages("disputes", case, c)
    assert len(urls) >= 3  # negotiation, mediation and arbitration can each start from a filed case
    before = _snapshot(case)
    for url in urls:
        _post_far_dates(c, url, day, {"body": "调解委员会", "reason": "理由"})
    assert _snapshot(case) == before


def test_dispute_open_refuses_a_far_date(world, client_for):
    from disputes.models import DisputeCase

    c = client_for(world.users.staff_hh)
    names = _post_far_dates(c, reverse("disputes:open"), "9999-01-01", {
        "employer": world.emp_a.pk, "title": "t", "workers": "张三", "facts": "f",
        "claims-TOTAL_FORMS": "1", "claims-INITIAL_FORMS": "0", "claims-0-kind": "wage_arrears", "claims-0-amount": "100",
    })
    assert {"known_on", "employment_ended_on"} <= set(names)
    assert DisputeCase.objects.count() == 0


def _application(world):
    from legal.models import Matter
    from tests.legal.conftest import valid_id

    return {
        "applicant_name": "张三", "id_number": valid_id(), "phone": "13800000000", "address": "呼和浩特市赛罕区某街1号",
        "applicant_region": region("150105").pk, "household_size": 3, "household_monthly_income": "3000",
        "opposing_employer": world.emp_a.pk, "matter": Matter.PAY, "facts": "拖欠工资三个月。", "claims": "支付工资。",
        "claim_amount": "15000", "summary_for_firms": "拖欠工资三个月。",
    }


@pytest.mark.parametrize("day", FAR)
def test_legal_aid_application_refuses_far_dates(world, client_for, day):
    from legal.models import LegalAidCase

    c = client_for(world.users.staff_hh)
    audits = AuditEvent.objects.count()
    names = _post_far_dates(c, reverse("legal:case_create"), day, _application(world))
    assert {"limitation_date", "received_on"} <= set(names)
    assert LegalAidCase.objects.count() == 0 and AuditEvent.objects.count() == audits


def test_legal_aid_application_edit_refuses_far_dates(world, client_for):
    from legal import services

    data = _application(world)
    data.update(applicant_region=region("150105"), opposing_employer=world.emp_a, household_monthly_income=Decimal("3000"),
                claim_amount=Decimal("15000"))
    case = services.case_create(actor=world.users.staff_hh, data=data)
    c = client_for(world.users.staff_hh)
    before = _snapshot(case)
    received = case.received_on
    _post_far_dates(c, reverse("legal:case_edit", args=[case.pk]), "9999-01-01", _application(world))
    case.refresh_from_db()
    assert case.received_on == received
    assert _snapshot(case)[:2] == before[:2]
