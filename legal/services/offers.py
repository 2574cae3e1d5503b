"""Routing: offer an approved case to a firm (automatically, or chosen by staff with a reason), and the
system's timeout when a firm does not answer. `legal.routing` holds the pure choice."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from core.models import DeadlineRule
from core.deadlines import compute_due
from core.runner import Conflict, lock_for, run_transition
from notifications.services import notify

from .. import routing
from ..models import CaseState, LegalAidCase, RoutingAttempt
from ..selectors import staff_for_region
from . import load
from ._common import case_url, pk_of


def _offer(*, case_pk, firm: routing.FirmInfo, actor, action: str | None, explanation: str, override_reason: str = "",
           now) -> LegalAidCase:
    """Offer the case to `firm`, whose place the caller has already claimed (legal.services.load)."""
    rule = DeadlineRule(**firm.response_rule) if firm.response_rule else firm.response_rule_id
    due = compute_due(rule, now)
    case = run_transition(
        model=LegalAidCase, pk=case_pk, actor=actor, name="offer", action=action, kwargs={"firm": firm.id},
        reason=override_reason or explanation, data={"firm": firm.id, "override": bool(override_reason)},
    )
    RoutingAttempt.objects.create(
        case=case, firm_id=firm.id, offered_at=now, response_due=due.due, response_due_explanation=due.explanation,
        explanation=explanation, override_reason=override_reason, offered_by=actor,
    )
    admins = User.objects.filter(organisation_id=firm.id, role=Role.FIRM_ADMIN, is_active=True)
    notify(
        recipients=admins, kind="legal.offered", title=_("新的法律援助案件待接受：%(n)s") % {"n": case.number},
        body=_("请在 %(due)s 前接受或拒绝。") % {"due": due.due}, url=case_url(case), obj=case,
    )
    return case


# A concurrent routing may fill the chosen firm between reading the loads and claiming its place; the
# decision is then taken again on fresh loads, a bounded number of times.
_CLAIM_TRIES = 5


@transaction.atomic
def route(*, case, actor=None, now=None, expected_state=None, release_firm=None) -> LegalAidCase:
    """Offer an approved case to the best qualified firm; when none qualifies, mark it and alert region staff.
    `actor=None` is the system (after approval, a decline or a timeout); staff may ask again (action `route`).
    `release_firm`: the firm (organisation id) that just lost this case (decline, timeout); its load drops in
    the same transaction, in a fixed lock order with the firm that gets the case."""
    action = "route" if actor is not None else None
    now = now or timezone.now()
    if actor is None:
        # The system: lock the row and read only what routing needs (no scope, no rule: as lock_for(actor=None)).
        locked = (LegalAidCase.objects.select_for_update(of=("self",)).filter(pk=pk_of(case))
                  .only("pk", "state", "matter", "opposing_employer_id", "applicant_region_id", "no_firm_available").first())
        if locked is None:
            raise Http404
    else:
        locked = lock_for(LegalAidCase, pk_of(case), actor, action=action)
    if locked.state != CaseState.APPROVED:
        load.release(release_firm)
        return LegalAidCase.objects.get(pk=locked.pk) if actor is None else locked
    for _try in range(_CLAIM_TRIES):
        info, firms = routing.load_candidates(locked)
        result = routing.choose_firm(info, firms)
        if result.firm is None:
            break
        claimed = load.move(release_id=release_firm, claim_id=result.firm.id, now=now)
        release_firm = None
        if claimed:
            return _offer(case_pk=locked.pk, firm=result.firm, actor=actor, action=action, explanation=result.explanation,
                          now=now)
    else:  # every try lost its place to a concurrent routing: nothing is written, the caller may try again
        raise Conflict(_("律所负载正被同时更新，请稍后重试。"))
    load.release(release_firm)
    was_flagged = locked.no_firm_available
    routed = run_transition(
        model=LegalAidCase, pk=locked.pk, actor=actor, name="mark_unroutable", action=action, reason=result.explanation,
        data={"rejected": {str(k): v for k, v in result.rejected.items()}},
    )
    if not was_flagged:
        notify(
            recipients=staff_for_region(routed.applicant_region), kind="legal.no_firm",
            title=_("法律援助案件 %(n)s 没有符合条件的律所，请人工指派") % {"n": routed.number},
            body=result.explanation, url=case_url(routed), obj=routed,
        )
    return routed


@transaction.atomic
def route_override(*, actor, case, firm: Organisation, reason: str, expected_state=None) -> LegalAidCase:
    """Staff choose the firm themselves, with a reason. Never a firm that declined the case or has a conflict;
    other rules (region, matter, capacity) may be overridden and the explanation says which."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("人工指定律所必须填写理由。")})
    locked = lock_for(LegalAidCase, pk_of(case), actor, action="route_override")
    info, firms = routing.load_candidates(locked)
    chosen = next((f for f in firms if f.id == firm.pk), None)
    if chosen is None:
        raise ValidationError({"firm": _("该单位不是合作律所。")})
    problems = routing.disqualifications(chosen, info)
    hard = []
    if chosen.id in info.declined_firm_ids:
        hard.append(_("已拒绝或超时未答复本案"))
    if info.employer_id is not None and info.employer_id in chosen.conflict_employer_ids:
        hard.append(_("正在代理对方用人单位（利益冲突）"))
    if hard:
        raise ValidationError({"firm": _("不能指定该律所：%(why)s") % {"why": "；".join(hard)}})
    now = timezone.now()
    released = None
    if locked.state == CaseState.OFFERED:
        if locked.assigned_firm_id == firm.pk:
            raise ValidationError({"firm": _("案件已推送给该律所。")})
        RoutingAttempt.objects.filter(case=locked, outcome=RoutingAttempt.Result.PENDING).update(
            outcome=RoutingAttempt.Result.WITHDRAWN, responded_at=now, reason=reason
        )
        released = locked.assigned_firm_id
        run_transition(model=LegalAidCase, pk=locked.pk, actor=actor, name="withdraw_offer", action="route_override",
                       expected_state=expected_state, reason=reason)
        expected_state = None
    explanation = _("工作人员人工指定：%(desc)s。") % {"desc": routing.describe(chosen)}
    if problems:
        explanation += _("（未满足的规则：%(p)s）") % {"p": "；".join(problems)}
    # staff may override capacity: the place is taken whatever the load (the explanation says so)
    load.move(release_id=released, claim_id=firm.pk, now=now, within_capacity=False)
    return _offer(case_pk=locked.pk, firm=chosen, actor=actor, action="route_override", explanation=explanation,
                  override_reason=reason, now=now)


@transaction.atomic
def case_time_out(*, case, today: dt.date, now=None) -> LegalAidCase | None:
    """System: the firm let the response period pass. Idempotent (does nothing unless still pending and overdue)."""
    locked = lock_for(LegalAidCase, pk_of(case), None)
    if locked.state != CaseState.OFFERED:
        return None
    pending = RoutingAttempt.objects.select_for_update().filter(
        case=locked, firm_id=locked.assigned_firm_id, outcome=RoutingAttempt.Result.PENDING, response_due__lt=today
    ).first()
    if pending is None:
        return None
    firm_id = locked.assigned_firm_id
    run_transition(
        model=LegalAidCase, pk=locked.pk, actor=None, name="time_out", expected_state=CaseState.OFFERED,
        reason=_("律所未在 %(due)s 前答复") % {"due": pending.response_due}, data={"firm": firm_id},
    )
    pending.outcome, pending.responded_at = RoutingAttempt.Result.TIMED_OUT, now or timezone.now()
    pending.reason = _("超过答复期限")
    pending.save(update_fields=["outcome", "reason", "responded_at"])
    return route(case=locked.pk, actor=None, now=now, release_firm=firm_id)
