"""Issue 13 (个人信息保护法 arts. 19, 47): retention per kind of record and `anonymise_expired`, on a copy of the demo
data. Defaults (settings, the federation's practice, to be confirmed): closed or refused cases 3 years, hotline
consultations 1 year. A period in years ends on the same-numbered day (民法典 art. 202); the record is anonymised
from the day after."""
import datetime as dt
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent
from legal.models import ANONYMISED_CASE_FIELDS, CaseDocument, Consultation, LegalAidCase
from legal.services.privacy import anonymise_expired, expired_cases, retention_rules

D = dt.date


def at(d: dt.date, hour=10):
    return timezone.make_aware(dt.datetime.combine(d, dt.time(hour)))


def anonymise_events(**kw):
    return AuditEvent.objects.filter(action="anonymise", **kw)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def demo(db, monkeypatch):
    # The real seed_demo command (demo logins, organisations and the legal-aid demo built through the services),
    # limited to the legal app's demo so that this test does not depend on the other apps' demo data.
    monkeypatch.setattr("accounts.management.commands.seed_demo.DEMO_APPS", ("legal",))
    call_command("seed_demo", stdout=io.StringIO())
    return LegalAidCase.objects.get(number="FYDEMO07")  # closed by the demo, with a work log


def command(*args) -> str:
    out = io.StringIO()
    call_command("anonymise_expired", *args, stdout=out)
    return out.getvalue()


def test_defaults_are_documented_in_the_help():
    from legal.management.commands.anonymise_expired import Command

    text = Command.help + Command.__module__
    assert "LEGAL_AID_RETENTION_CLOSED_CASES_YEARS (default 3" in Command.help
    assert "LEGAL_AID_RETENTION_CONSULTATIONS_YEARS (default 1" in Command.help and "to be confirmed" in text
    rules = retention_rules()
    assert rules["closed_cases"].years == 3 and rules["consultations"].years == 1


def test_anonymise_expired_on_the_demo_data(demo, django_capture_on_commit_callbacks, tmp_path):
    closed, refused, recent_closed = demo, LegalAidCase.objects.get(number="FYDEMO03"), LegalAidCase.objects.get(number="FYDEMO11")
    assert (closed.state, refused.state, recent_closed.state) == ("closed", "rejected", "closed")
    assert closed.work_log.exists()
    doc = CaseDocument.objects.create(case=closed, original_name="吴敏工资条.pdf", description="吴敏的工资条", size=3,
                                      file=ContentFile(b"pdf", name="x.pdf"))
    stored = tmp_path / doc.file.name
    assert stored.exists()
    # Age: closed 4 years ago, refused 4 years ago, one consultation 2 years old. The rest stays recent.
    LegalAidCase.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - dt.timedelta(days=4 * 366))
    LegalAidCase.objects.filter(pk=refused.pk).update(decided_at=timezone.now() - dt.timedelta(days=4 * 366))
    old_call = Consultation.objects.order_by("pk").first()
    Consultation.objects.filter(pk=old_call.pk).update(received_at=timezone.now() - dt.timedelta(days=2 * 366))
    others = Consultation.objects.exclude(pk=old_call.pk)
    before = AuditEvent.objects.count()

    # Dry run: listed, nothing written.
    out = command("--dry-run")
    assert "would anonymise: 2 case(s), 1 consultation(s)" in out and "FYDEMO07" in out and "FYDEMO03" in out
    assert AuditEvent.objects.count() == before
    closed.refresh_from_db()
    assert closed.applicant_name == "吴敏" and closed.anonymised_at is None

    with django_capture_on_commit_callbacks(execute=True):
        out = command()
    assert "anonymised: 2 case(s), 1 consultation(s)" in out

    closed.refresh_from_db()
    assert closed.anonymised_at is not None
    for name in ANONYMISED_CASE_FIELDS:
        assert getattr(closed, name) in ("", None), name
    # kept for statistics
    assert closed.state == "closed" and closed.matter and closed.outcome == "mediated" and closed.amount_recovered
    assert closed.opposing_employer_id and closed.applicant_region_id and closed.claim_amount
    assert all(w.activity == "" and w.next_deadline_note == "" for w in closed.work_log.all())
    doc.refresh_from_db()
    assert doc.original_name == "" and doc.description == "" and not doc.file and doc.sha256 == doc.sha256
    assert not stored.exists()
    refused.refresh_from_db()
    assert refused.id_number == "" and refused.decision_reason == "" and refused.anonymised_at
    old_call.refresh_from_db()
    assert (old_call.caller_name, old_call.caller_phone, old_call.summary, old_call.advice) == ("", "", "", "")
    assert old_call.anonymised_at and old_call.region_id and old_call.topic
    # untouched
    recent_closed.refresh_from_db()
    assert recent_closed.applicant_name and recent_closed.anonymised_at is None
    assert all(c.summary and c.anonymised_at is None for c in others)
    assert LegalAidCase.objects.filter(anonymised_at__isnull=False).count() == 2

    # One audit event per record, by the system.
    events = anonymise_events()
    assert events.count() == 3 and set(events.values_list("actor", flat=True)) == {None}
    assert set(events.values_list("actor_label", flat=True)) == {"system"}
    e = events.get(object_id=str(closed.pk), content_type__model="legalaidcase")
    assert e.data["rule"] == "closed_cases" and e.data["retention_years"] == 3 and e.data["work_log_entries"] >= 1
    assert e.data["documents"] == 1 and "吴敏" not in json.dumps(e.data, ensure_ascii=False)
    assert events.filter(content_type__model="consultation", object_id=str(old_call.pk)).count() == 1

    # Re-run: nothing to do.
    n = AuditEvent.objects.count()
    assert "anonymised: 0 case(s), 0 consultation(s)" in command()
    assert AuditEvent.objects.count() == n


def test_anonymised_case_page_renders(demo, client):
    from accounts.models import User

    LegalAidCase.objects.filter(pk=demo.pk).update(closed_at=timezone.now() - dt.timedelta(days=4 * 366))
    command()
    client.force_login(User.objects.get(username="staff_hohhot"))
    r = client.get(f"/legal-aid/cases/{demo.pk}/")
    assert r.status_code == 200 and "匿名化" in r.content.decode()


@pytest.mark.parametrize(
    "closed_on,today,expired",
    [
        (D(2027, 6, 15), D(2030, 6, 15), False),  # the 3 years end on 15 Jun 2030 (same-numbered day): still kept
        (D(2027, 6, 15), D(2030, 6, 16), True),  # from the day after
        (D(2028, 2, 29), D(2031, 2, 28), False),  # no 29 Feb in 2031: the period ends on 28 Feb (民法典 art. 202)
        (D(2028, 2, 29), D(2031, 3, 1), True),
    ],
)
def test_closed_case_retention_boundary(world, firms, approved, closed_on, today, expired):
    from legal import services

    case = approved()
    services.case_accept(actor=world.users.firm_admin_a, case=case.pk, conflict_confirmed=True)
    services.case_assign_lawyer(actor=world.users.firm_admin_a, case=case.pk, lawyer=world.users.lawyer_a)
    services.case_close(actor=world.users.lawyer_a, case=case.pk, outcome="settled", amount_recovered=None)
    LegalAidCase.objects.filter(pk=case.pk).update(closed_at=at(closed_on))
    assert [c.pk for c, _end in expired_cases(today)] == ([case.pk] if expired else [])
    report = anonymise_expired(today=today)
    assert report["anonymised"]["cases"] == (1 if expired else 0)


def test_retention_is_configurable(world, settings):
    from legal import services
    from tests.factories import region

    c = services.consultation_create(actor=world.users.staff_hh, data={"caller_phone": "13700001234", "region": region("150105"),
                                                                        "summary": "咨询"})
    Consultation.objects.filter(pk=c.pk).update(received_at=at(D(2026, 3, 1)))
    assert anonymise_expired(today=D(2027, 3, 2), dry_run=True)["consultations"] == [{"id": c.pk, "retention_ended_on": "2027-03-01"}]
    settings.LEGAL_AID_RETENTION_CONSULTATIONS_YEARS = 2
    assert anonymise_expired(today=D(2027, 3, 2))["consultations"] == []
    assert anonymise_expired(today=D(2028, 3, 2))["anonymised"]["consultations"] == 1
    c.refresh_from_db()
    assert c.caller_phone == "" and anonymise_events(object_id=str(c.pk)).get().data["retention_years"] == 2


def test_open_cases_are_never_anonymised(world, make_case):
    case = make_case()
    LegalAidCase.objects.filter(pk=case.pk).update(created_at=at(D(2000, 1, 1)), received_on=D(2000, 1, 1))
    assert anonymise_expired(today=D(2040, 1, 1))["cases"] == []
