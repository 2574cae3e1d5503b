"""What the to-do list needs to know about each workflow beyond the registry.

The registry (core.workflow) already says, for every object, which actions are possible in its state and
whether this actor may do each one now (the same rule the buttons, the API and the runner use). What it
does not say is which of those actions are *work waiting* (an employer's written reply) rather than an
option that is always there (withdraw, suspend, edit), which stored date is the one that is running, and
which DeadlineRule explains it (its `source` is the article shown). That is declared here, per workflow,
as data; the list itself (worklist.todo) is one generic loop.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Due:
    """A running date: the day, what it is, its explanation as computed, and the DeadlineRule behind it
    (its `source` names the article). `article` is used when no DeadlineRule row holds the period."""

    on: dt.date
    what: Any
    explanation: str = ""
    rule: str = ""
    article: Any = ""


@dataclass(frozen=True)
class Spec:
    workflow: str
    # Actions that are options rather than work waiting for someone (never listed).
    skip: frozenset = frozenset()
    # Narrows the visible rows to those that can hold work (states, dates); the rules decide the rest.
    candidates: Callable[[QuerySet, Any, dt.date], QuerySet] = lambda qs, actor, today: qs
    select_related: tuple[str, ...] = ()
    prefetch: tuple = ()
    order: tuple = ("-pk",)  # which candidates come first when there are more than todo.LIMIT
    due: Callable[[Any], Due | None] = lambda obj: None
    # Whose work an item is when the rule admits a whole organisation (a firm's lawyers): rows kept for
    # this actor; default everyone the rule admits.
    mine: Callable[[Any, Any], bool] = lambda actor, obj: True
    # Days ahead within which an item counts as waiting when every action is always available (a dispute
    # can always be moved on by staff: it is work when its stage's period is close). None: always listed.
    horizon: int | None = None
    # Actions whose label names what is waiting better than the first available one (never shown alone).
    extra: Callable[[Any, Any], list] = lambda actor, obj: []
    # The roles whose rules can ever admit them to one of this workflow's listed actions (None: every role).
    # Others are not asked at all: union staff see a region's negotiations but no negotiation action is
    # theirs, and reading 40 of them to find nothing cost more than the rest of the page. The test
    # tests/worklist/test_todo.py checks this against the rules over every demo user.
    roles: frozenset | None = None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# --- negotiation ------------------------------------------------------------------------------------
_NEG_DUE = {
    "proposed": ("response_due", "response_due_explanation", "negotiation.response", _("书面回应截止")),
    "coordination": ("coordination_due", "coordination_due_explanation", "negotiation.coordination", _("协调处理截止")),
    "signed": ("filing_due", "filing_due_explanation", "negotiation.filing", _("报送截止")),
    "under_review": ("review_ends", "review_ends_explanation", "negotiation.review", _("审查期届满")),
}


def _neg_due(neg) -> Due | None:
    row = _NEG_DUE.get(neg.state)
    if row:
        f, expl, rule, what = row
        on = getattr(neg, f)
        return Due(on, what, getattr(neg, expl, ""), rule) if on else None
    if neg.state == "comments":
        drafts = list(neg.drafts.all())  # prefetched: the latest one only
        if drafts:
            d = drafts[0]
            closes = d.closed_early_at or d.comments_close
            return Due(_date(closes), _("征求意见截止"), "", "", _("《集体合同规定》第36条"))
    if neg.state == "suspended" and neg.next_meeting_on:
        return Due(neg.next_meeting_on, _("约定恢复协商日期"), "", "")
    return None


def _neg_candidates(qs, actor, today):
    from negotiation.models import WORK_STATES

    return qs.filter(state__in=WORK_STATES)


# Most urgent first when there are more candidates than are read: the date the state runs (the stored
# `running_due`, the same columns as `_neg_due`; read in order from the partial indexes neg_todo_*),
# undated ones after, newest first. A comment period's close lives on its draft, not a column: those rows
# sort with the undated ones.
_NEG_ORDER = (F("running_due").asc(nulls_last=True), "-pk")


REPRESENTATIVE_TODO_STATES = ("draft", "proposed", "accepted")


def _neg_extra(actor, neg) -> list:
    """Representatives to appoint (集体合同规定 arts. 20-21): not a registry action but an edit each side
    makes for itself, waiting while its side has no chief."""
    from negotiation.permissions import can_edit_representatives

    if neg.state not in REPRESENTATIVE_TODO_STATES or getattr(actor, "is_sysadmin", False):
        return []
    out = []
    reps = list(neg.representatives.all())  # prefetched: chiefs only
    for side, label in (("union", _("选派本方协商代表（集体合同规定第20条）")),
                        ("employer", _("指派本方协商代表（集体合同规定第21条）"))):
        if not any(r.side == side and r.is_chief for r in reps):
            if can_edit_representatives(actor, neg, side):
                out.append((f"representatives_{side}", label, _representatives_url(neg.pk, side)))
    return out


def _representatives_url(pk: int, side: str) -> str:
    from django.urls import get_script_prefix

    head, tail = _representatives_url_parts(side, get_script_prefix())
    return f"{head}{pk}{tail}"


@lru_cache(maxsize=16)
def _representatives_url_parts(side: str, _prefix: str) -> tuple[str, str]:
    """The page's URL split around the negotiation id: reversed once per process, not once per item."""
    from django.urls import reverse

    url = reverse("negotiation:representatives", args=[987654321, side])
    head, _, tail = url.partition("987654321")
    return head, tail


# --- disputes --------------------------------------------------------------------------------------
_DISPUTE_EXPL = {
    "limitation_due": ("limitation_explanation", "dispute.limitation", _("仲裁时效届满")),
    "mediation_due": ("mediation_explanation", "dispute.mediation", _("调解期限届满")),
    "acceptance_due": ("acceptance_explanation", "dispute.acceptance", _("受理审查期限届满")),
    "award_due": ("award_explanation", "dispute.award", _("裁决期限届满")),
    "appeal_due": ("appeal_explanation", "dispute.appeal", _("起诉期限届满")),
    "set_aside_due": ("set_aside_explanation", "dispute.set_aside", _("撤销裁决申请期限届满")),
    "set_aside_suit_due": ("set_aside_suit_explanation", "dispute.suit_after_set_aside", _("裁决撤销后起诉期限届满")),
}


def _dispute_due(case) -> Due | None:
    from disputes.services import governing_due_field

    f = governing_due_field(case)
    if not f or not case.next_due:
        return None
    expl, rule, what = _DISPUTE_EXPL.get(f, ("", "", _("当前阶段期限")))
    return Due(case.next_due, what, getattr(case, expl, "") if expl else "", rule)


def _dispute_candidates(qs, actor, today):
    from disputes.models import OPEN_STATES

    return qs.filter(state__in=OPEN_STATES, next_due__isnull=False, next_due__lte=today + dt.timedelta(days=DISPUTE_HORIZON))


DISPUTE_HORIZON = 14  # days: a dispute whose stage period ends within two weeks (or has passed) is waiting


# --- legal aid -------------------------------------------------------------------------------------
def _legal_due(case) -> Due | None:
    if case.state in ("submitted", "awaiting_documents") and case.decision_due:
        return Due(case.decision_due, _("审查决定截止"), case.decision_due_explanation, "legal_aid.decision")
    if case.state == "offered":
        pending = list(case.attempts.all())  # prefetched: pending offers only
        if pending:
            a = pending[0]
            return Due(a.response_due, _("律所答复截止"), a.response_due_explanation, "legal_aid.firm_response")
    if case.state in ("approved", "accepted") and case.assignment_due:
        return Due(case.assignment_due, _("指派律师截止"), "", "legal_aid.assignment")
    return None


def _legal_candidates(qs, actor, today):
    return qs.filter(state__in=("submitted", "awaiting_documents", "approved", "offered", "accepted", "in_progress"))


def _legal_mine(actor, case) -> bool:
    """A firm's lawyers may all work on its cases (the rule); the list shows a lawyer the cases assigned to them,
    and the firm's admin the cases waiting for the firm's answer or for a lawyer (then it is the lawyer's work)."""
    from accounts.models import Role

    if actor.role == Role.LAWYER:
        return case.assigned_lawyer_id == actor.pk
    if actor.role == Role.FIRM_ADMIN:  # the firm's work is to answer the offer and assign a lawyer
        return case.state in ("offered", "accepted")
    return True


def _legal_prefetch():
    from legal.models import RoutingAttempt

    return (Prefetch("attempts", queryset=RoutingAttempt.objects.filter(outcome=RoutingAttempt.Result.PENDING)
                     .order_by("-offered_at")),)


def _neg_prefetch():
    from negotiation.models import PublishedDraft

    from negotiation.models import Representative

    # Only what the list reads: chiefs (is a side's list still to appoint?) and the drafts of negotiations
    # whose comment period runs (when does it close?).
    return (Prefetch("representatives", queryset=Representative.objects.filter(is_chief=True)),
            Prefetch("drafts", queryset=PublishedDraft.objects.filter(negotiation__state="comments").order_by("-number")))


def specs() -> dict[str, Spec]:
    return {
        "negotiation": Spec(
            workflow="negotiation",
            skip=frozenset({"edit", "suspend", "withdraw", "extend_coordination", "close_comments"}),
            candidates=_neg_candidates,
            order=_NEG_ORDER,
            select_related=("employer", "employer__region", "union"),
            prefetch=_neg_prefetch(),
            due=_neg_due,
            extra=_neg_extra,
            roles=frozenset({"union_negotiator", "employer_rep", "bureau_reviewer"}),
        ),
        "disputes": Spec(
            workflow="disputes",
            skip=frozenset({"withdraw", "evidence_add", "limitation_recompute", "extend_award"}),
            candidates=_dispute_candidates,
            select_related=("employer",),
            order=("next_due", "-pk"),
            due=_dispute_due,
            horizon=DISPUTE_HORIZON,
        ),
        "legal": Spec(
            workflow="legal",
            skip=frozenset({"document_add", "record_satisfaction", "case_update", "route_override"}),
            candidates=_legal_candidates,
            select_related=("applicant_region", "assigned_firm", "assigned_lawyer"),
            prefetch=_legal_prefetch(),
            order=(F("decision_due").asc(nulls_last=True), "-pk"),
            due=_legal_due,
            mine=_legal_mine,
        ),
    }


__all__ = ["Due", "Spec", "specs", "Q"]
