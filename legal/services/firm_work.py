"""The firm's side: accept (after the conflict check) or decline an offer, assign a lawyer, log work,
upload material, close; and the applicant's satisfaction afterwards."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import uploads
from core.runner import lock_for, record_edit, run_edit, run_transition
from notifications.services import notify

from ..models import CaseDocument, CaseState, LegalAidCase, RoutingAttempt, WorkLogEntry
from ..permissions import may_assign_lawyer
from . import load
from ._common import case_url, pk_of


def _close_attempt(case, outcome, reason):
    att = RoutingAttempt.objects.select_for_update().filter(
        case=case, firm_id=case.assigned_firm_id, outcome=RoutingAttempt.Result.PENDING
    ).first()
    if att:
        att.outcome, att.reason, att.responded_at = outcome, reason, timezone.now()
        att.save(update_fields=["outcome", "reason", "responded_at"])
    return att


@transaction.atomic
def case_accept(*, actor, case, conflict_confirmed: bool, expected_state=None) -> LegalAidCase:
    if not conflict_confirmed:
        raise ValidationError({"conflict_confirmed": _("请先确认已完成利益冲突审查。")})
    accepted = run_transition(
        model=LegalAidCase, pk=pk_of(case), actor=actor, name="accept", expected_state=expected_state or CaseState.OFFERED,
        kwargs={"by": actor, "at": timezone.now()}, reason=_("已确认利益冲突审查"),
    )
    _close_attempt(accepted, RoutingAttempt.Result.ACCEPTED, "")
    return accepted


@transaction.atomic
def case_decline(*, actor, case, reason: str, expected_state=None) -> LegalAidCase:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("拒绝接案必须填写理由。")})
    # lock the case before its attempt rows, in the same order as the sweep's timeout (no deadlock)
    locked = lock_for(LegalAidCase, pk_of(case), actor, action="decline")
    firm_id = locked.assigned_firm_id
    pending = RoutingAttempt.objects.select_for_update().filter(
        case_id=locked.pk, firm_id=firm_id, outcome=RoutingAttempt.Result.PENDING
    ).first()
    run_transition(
        model=LegalAidCase, pk=locked.pk, actor=actor, name="decline", expected_state=expected_state or CaseState.OFFERED,
        reason=reason, data={"firm": firm_id},
    )
    if pending:
        pending.outcome, pending.reason, pending.responded_at = RoutingAttempt.Result.DECLINED, reason, timezone.now()
        pending.save(update_fields=["outcome", "reason", "responded_at"])
    from .offers import route

    return route(case=locked.pk, actor=None, release_firm=firm_id)


@transaction.atomic
def case_assign_lawyer(*, actor, case, lawyer, expected_state=None) -> LegalAidCase:
    """The firm admin assigns one of the firm's lawyers; the lawyer is told (issue 12)."""
    locked = lock_for(LegalAidCase, pk_of(case), actor, action="assign_lawyer")
    may_assign_lawyer(actor, locked, lawyer).require()
    assigned = run_transition(
        model=LegalAidCase, pk=locked.pk, actor=actor, name="assign_lawyer", expected_state=expected_state,
        kwargs={"lawyer": lawyer}, data={"lawyer": lawyer.pk},
    )
    notify(
        recipients=[lawyer], kind="legal.lawyer_assigned",
        title=_("您被指派承办法律援助案件 %(n)s") % {"n": assigned.number},
        body=_("请尽快联系申请人并记录办案工作。"), url=case_url(assigned), obj=assigned,
    )
    return assigned


@transaction.atomic
def worklog_add(*, actor, case, data: dict | None = None, expected_state=None, **fields) -> WorkLogEntry:
    """A lawyer of the firm handling the case records work (and, optionally, the next steps)."""
    fields = {**(data or {}), **fields}
    locked = lock_for(LegalAidCase, pk_of(case), actor, action="worklog_add")
    next_steps = fields.pop("next_steps", None)
    entry = WorkLogEntry(case=locked, lawyer=actor, **fields)
    entry.full_clean()
    entry.save()
    if next_steps:
        locked.next_steps = next_steps
        locked.save(update_fields=["next_steps", "updated_at"])
    record_edit(locked, actor=actor, action="worklog_add", data={"hours": str(entry.hours), "entry": entry.pk})
    return entry


@transaction.atomic
def document_add(*, actor, case, file=None, upload=None, description: str = "", expected_state=None) -> CaseDocument:
    """Staff, or the firm once it accepted, add a document: type sniffed against the allow-list, size bounded,
    hashed, stored under a random name."""
    upload = upload or file
    if upload is None:
        raise ValidationError({"file": _("请选择文件。")})
    locked = lock_for(LegalAidCase, pk_of(case), actor, action="document_add")
    accepted = uploads.accept(upload)
    doc = CaseDocument(case=locked, original_name=accepted.original_name, description=description, uploaded_by=actor,
                       content_type=accepted.content_type, sha256=accepted.sha256, size=accepted.size)
    doc.file.save(accepted.stored_name, upload, save=False)
    doc.save()
    record_edit(locked, actor=actor, action="document_add", data={"document": doc.pk, "sha256": accepted.sha256})
    return doc


@transaction.atomic
def case_close(*, actor, case, outcome: str, amount_recovered=None, expected_state=None) -> LegalAidCase:
    closed = run_transition(
        model=LegalAidCase, pk=pk_of(case), actor=actor, name="close", expected_state=expected_state or CaseState.IN_PROGRESS,
        kwargs={"outcome": outcome, "amount_recovered": amount_recovered, "at": timezone.now()},
        data={"outcome": outcome, "amount": str(amount_recovered) if amount_recovered is not None else None},
    )
    load.release(closed.assigned_firm_id)  # the firm's place is free again, in the same transaction
    return closed


def case_record_satisfaction(*, actor, case, score: int, note: str = "", expected_state=None) -> LegalAidCase:
    def change(obj):
        obj.satisfaction, obj.satisfaction_note = score, note
        return {"score": score}

    return run_edit(model=LegalAidCase, pk=pk_of(case), actor=actor, action="record_satisfaction", change=change,
                    expected_state=expected_state, update_fields=["satisfaction", "satisfaction_note"])
