"""Personal data in legal aid (个人信息保护法, PIPL): who sees it in full, how long it is kept, what an applicant
can ask for.

- **Disclosure.** ID and phone numbers are shown in full only to whoever needs them (`permissions.
  needs_full_personal_data`: the staff deciding the case, the firm that accepted it; a consultation's region
  staff) and every full view is audited as `view_personal_data` whatever the viewer's role (PIPL arts. 6, 28,
  51). Lists and summaries show them masked (`core.pii`).
- **Retention** (PIPL art. 19: no longer than the purpose needs; art. 47: erase or anonymise after it). One rule
  per kind of record, configurable in settings (the defaults are the federation's practice, TO BE CONFIRMED):

    ``LEGAL_AID_RETENTION_CLOSED_CASES_YEARS`` (default 3): a closed case, counted from the day it was closed; a
    rejected application (不予援助), from the day of the decision;
    ``LEGAL_AID_RETENTION_CONSULTATIONS_YEARS`` (default 1): a hotline consultation, from the day of the call.

  A period in years ends on the same-numbered day (民法典 art. 202, `core.deadlines.add_months`); the record is
  anonymised from the day after. Anonymised, not deleted: the row stays for statistics (matter, region,
  employer, amounts, outcome, dates) with the fields that identify or describe the person blanked, the work
  log's text blanked and uploaded files removed (their metadata kept). Each record is anonymised through the
  runner as the system (`actor=None`): locked, validated, saved, one `anonymise` audit event per record.
  The audit trail itself is append-only and is not rewritten.
- **Subject access** (PIPL arts. 45, 50): everything the service holds about one applicant, by ID number, as
  JSON: cases, their work log, documents' metadata, routing, the hotline consultations linked to the cases or
  made from the same phone number, and the audit events about all of them. Each exported record is audited.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.deadlines import add_months
from core.models import AuditEvent
from core.runner import run_edit

from ..models import ANONYMISED_CASE_FIELDS, ANONYMISED_CONSULTATION_FIELDS, CaseState, Consultation, LegalAidCase
from ..permissions import (
    cases_visible_to,
    consultations_visible_to,
    may_export_subject_data,
    needs_full_caller_data,
    needs_full_personal_data,
)

ANONYMISE = "anonymise"
DEFAULT_CLOSED_CASES_YEARS = 3
DEFAULT_CONSULTATIONS_YEARS = 1


# --- disclosure -------------------------------------------------------------------------------------
def disclose_case(*, actor, case, what: str) -> bool:
    """True when `actor` sees the applicant's ID and phone numbers in full here; that view is audited."""
    full = needs_full_personal_data(actor, case)
    if full:
        audit.record(actor=actor, action="view_personal_data", obj=case, data={"what": what})
    return full


def disclose_consultation(*, actor, consultation, what: str) -> bool:
    full = needs_full_caller_data(actor, consultation)
    if full:
        audit.record(actor=actor, action="view_personal_data", obj=consultation, data={"what": what})
    return full


# --- retention --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetentionRule:
    key: str
    label: str
    setting: str
    years: int

    def ends_on(self, ended: dt.date) -> dt.date:
        """The last day of the retention period for a record that ended on `ended` (民法典 art. 202)."""
        return add_months(ended, 12 * self.years)[0]

    def candidates_before(self, today: dt.date) -> dt.date:
        """Only records that ended before this day can be past the period (N years are at least 365·N days);
        each candidate is then checked exactly with `ends_on`."""
        return today - dt.timedelta(days=365 * self.years)


def retention_rules() -> dict[str, RetentionRule]:
    return {
        "closed_cases": RetentionRule(
            "closed_cases", _("已结案或不予援助的法律援助案件"), "LEGAL_AID_RETENTION_CLOSED_CASES_YEARS",
            int(getattr(settings, "LEGAL_AID_RETENTION_CLOSED_CASES_YEARS", DEFAULT_CLOSED_CASES_YEARS)),
        ),
        "consultations": RetentionRule(
            "consultations", _("热线咨询记录"), "LEGAL_AID_RETENTION_CONSULTATIONS_YEARS",
            int(getattr(settings, "LEGAL_AID_RETENTION_CONSULTATIONS_YEARS", DEFAULT_CONSULTATIONS_YEARS)),
        ),
    }


def _local(value) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def case_ended_on(case: LegalAidCase) -> dt.date | None:
    if case.state == CaseState.CLOSED:
        return _local(case.closed_at)
    if case.state == CaseState.REJECTED:
        return _local(case.decided_at)
    return None


def expired_cases(today: dt.date) -> list[tuple[LegalAidCase, dt.date]]:
    """(case, last day of its retention) for closed/rejected cases past the retention period, not yet anonymised."""
    rule = retention_rules()["closed_cases"]
    before = rule.candidates_before(today)
    qs = LegalAidCase.objects.filter(anonymised_at__isnull=True).filter(
        Q(state=CaseState.CLOSED, closed_at__date__lt=before) | Q(state=CaseState.REJECTED, decided_at__date__lt=before)
    ).order_by("pk")
    out = []
    for case in qs:
        ended = case_ended_on(case)
        if ended is not None and rule.ends_on(ended) < today:
            out.append((case, rule.ends_on(ended)))
    return out


def expired_consultations(today: dt.date) -> list[tuple[Consultation, dt.date]]:
    rule = retention_rules()["consultations"]
    before = rule.candidates_before(today)
    qs = Consultation.objects.filter(anonymised_at__isnull=True, received_at__date__lt=before).order_by("pk")
    out = []
    for c in qs:
        end = rule.ends_on(_local(c.received_at))
        if end < today:
            out.append((c, end))
    return out


class _Unchanged(Exception):
    pass


def _blank(model, names) -> dict:
    values = {}
    for name in names:
        f = model._meta.get_field(name)
        values[name] = None if f.null else ""
    return values


def anonymise_case(case, *, today: dt.date, now: dt.datetime | None = None) -> LegalAidCase | None:
    """Blank the applicant's data of one case past its retention period (as the system, through the runner).
    None when there was nothing to do (already anonymised, or not past the period under the lock)."""
    rule = retention_rules()["closed_cases"]
    now = now or timezone.now()
    removed_files: list = []

    def change(obj):
        ended = case_ended_on(obj)
        if obj.anonymised_at is not None or ended is None or rule.ends_on(ended) >= today:
            raise _Unchanged
        for name, value in _blank(LegalAidCase, ANONYMISED_CASE_FIELDS).items():
            setattr(obj, name, value)
        obj.anonymised_at = now
        n_log = obj.work_log.update(activity="", next_deadline_note="")
        docs = list(obj.documents.all())
        for d in docs:
            if d.file:
                removed_files.append((d.file.storage, d.file.name))
            d.file = ""
            d.original_name = ""
            d.description = ""
            d.save(update_fields=["file", "original_name", "description"])
        return {"rule": rule.key, "setting": rule.setting, "retention_years": rule.years,
                "ended_on": ended.isoformat(), "retention_ended_on": rule.ends_on(ended).isoformat(),
                "fields": list(ANONYMISED_CASE_FIELDS), "work_log_entries": n_log, "documents": len(docs)}

    try:
        with transaction.atomic():
            done = run_edit(model=LegalAidCase, pk=getattr(case, "pk", case), actor=None, action=ANONYMISE, change=change,
                            update_fields=[*ANONYMISED_CASE_FIELDS, "anonymised_at"])
            # Files go only once the blanking is committed (a rollback keeps them).
            for storage, name in removed_files:
                transaction.on_commit(lambda s=storage, n=name: s.delete(n))
            return done
    except _Unchanged:
        return None


def anonymise_consultation(consultation, *, today: dt.date, now: dt.datetime | None = None) -> Consultation | None:
    """The same for a hotline consultation (not a workflow object: locked and audited here, as the system)."""
    rule = retention_rules()["consultations"]
    now = now or timezone.now()
    with transaction.atomic():
        c = Consultation.objects.select_for_update().filter(pk=getattr(consultation, "pk", consultation)).first()
        if c is None or c.anonymised_at is not None:
            return None
        end = rule.ends_on(_local(c.received_at))
        if end >= today:
            return None
        for name, value in _blank(Consultation, ANONYMISED_CONSULTATION_FIELDS).items():
            setattr(c, name, value)
        c.anonymised_at = now
        c.full_clean(exclude=list(ANONYMISED_CONSULTATION_FIELDS))
        c.save(update_fields=[*ANONYMISED_CONSULTATION_FIELDS, "anonymised_at"])
        audit.record(actor=None, action=ANONYMISE, obj=c, data={
            "rule": rule.key, "setting": rule.setting, "retention_years": rule.years,
            "ended_on": _local(c.received_at).isoformat(), "retention_ended_on": end.isoformat(),
            "fields": list(ANONYMISED_CONSULTATION_FIELDS)})
        return c


def anonymise_expired(*, today: dt.date | None = None, dry_run: bool = False) -> dict:
    """Anonymise every record past its retention period. Idempotent: a second run finds nothing."""
    today = today or timezone.localdate()
    cases, consultations = expired_cases(today), expired_consultations(today)
    report = {
        "today": today.isoformat(), "dry_run": dry_run,
        "rules": {k: {"years": r.years, "setting": r.setting} for k, r in retention_rules().items()},
        "cases": [{"id": c.pk, "number": c.number, "retention_ended_on": end.isoformat()} for c, end in cases],
        "consultations": [{"id": c.pk, "retention_ended_on": end.isoformat()} for c, end in consultations],
        "anonymised": {"cases": 0, "consultations": 0},
    }
    if dry_run:
        return report
    now = timezone.now()
    for c, _end in cases:
        if anonymise_case(c, today=today, now=now) is not None:
            report["anonymised"]["cases"] += 1
    for c, _end in consultations:
        if anonymise_consultation(c, today=today, now=now) is not None:
            report["anonymised"]["consultations"] += 1
    return report


# --- subject access ---------------------------------------------------------------------------------
def _fk(obj, name):
    related = getattr(obj, name)
    return None if related is None else {"id": related.pk, "label": str(related)}


def _row(obj, *, skip=()) -> dict:
    out = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        if f.is_relation:
            out[f.name] = _fk(obj, f.name)
        elif f.choices:
            value = getattr(obj, f.attname)
            out[f.name] = value
            if value:
                out[f"{f.name}_label"] = str(getattr(obj, f"get_{f.name}_display")())
        else:
            out[f.name] = getattr(obj, f.attname)
    return out


def _events(objs) -> list[dict]:
    from core import workflow as registry

    rows = []
    for obj in objs:
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        wf = registry.for_model(obj)
        for e in AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("created_at", "id"):
            rows.append({
                "object": f"{ct.app_label}.{ct.model}:{obj.pk}", "at": e.created_at, "actor": e.actor_label,
                "action": e.action, "label": wf.event_label(e.action) if wf else registry.common_event_label(e.action),
                "from_state": e.from_state, "to_state": e.to_state, "reason": e.reason, "data": e.data,
            })
    return rows


def normalise_id_number(value: str) -> str:
    num = (value or "").strip().upper()
    if not num:
        raise ValidationError({"id_number": _("请填写身份证号码。")})
    return num


def subject_access_export(*, actor, id_number: str, via: str = "page") -> dict:
    """Everything held about the applicant with this ID number, as JSON-ready data. `actor`: union staff (only
    the records in their scope) or None (the management command: every record). Each exported record is
    audited as a full view of personal data."""
    if actor is not None:
        may_export_subject_data(actor).require()
    num = normalise_id_number(id_number)
    case_qs = (cases_visible_to(actor) if actor is not None else LegalAidCase.objects.all()).filter(id_number=num)
    cases = list(case_qs.select_related("consultation").prefetch_related("work_log__lawyer", "documents__uploaded_by",
                                                                         "attempts__firm").order_by("pk"))
    cons_qs = consultations_visible_to(actor) if actor is not None else Consultation.objects.all()
    linked = {c.consultation_id for c in cases if c.consultation_id}
    phones = {c.phone for c in cases if c.phone}
    consultations = list(cons_qs.filter(Q(pk__in=linked) | Q(caller_phone__in=phones)).order_by("pk")) if (linked or phones) else []

    data = {
        "subject": {"id_number": num},
        "generated_at": timezone.now(),
        "generated_by": str(actor) if actor is not None else "system",
        "scope": _("导出人可见范围内的记录") if actor is not None else _("全部记录"),
        "legal_basis": _("《个人信息保护法》第45条：个人有权查阅、复制其个人信息"),
        "cases": [],
        "consultations": [],
        "audit_events": [],
    }
    for case in cases:
        row = _row(case)
        row["work_log"] = [_row(w, skip=("case",)) for w in case.work_log.all()]
        row["documents"] = [
            {"id": d.pk, "original_name": d.original_name, "description": d.description, "content_type": d.content_type,
             "size": d.size, "sha256": d.sha256, "uploaded_by": str(d.uploaded_by) if d.uploaded_by_id else None,
             "uploaded_at": d.uploaded_at}
            for d in case.documents.all()
        ]
        row["routing_attempts"] = [_row(a, skip=("case",)) for a in case.attempts.all()]
        data["cases"].append(row)
    for c in consultations:
        row = _row(c)
        row["matched_by"] = "case" if c.pk in linked else "phone"
        data["consultations"].append(row)
    data["audit_events"] = _events([*cases, *consultations])
    for obj in [*cases, *consultations]:
        audit.record(actor=actor, action="view_personal_data", obj=obj, data={"what": "subject_access_export", "via": via})
    return data
