"""Writes for collective negotiation. Keyword-only, atomic; every state change runs through
`core.transitions.run_transition` (lock → expected state → permission → conditions → save → audit →
publish). Non-transition changes lock the negotiation row, bump `version`, audit and publish."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import Organisation, Role, User
from core import audit, realtime
from core.deadlines import compute_due
from core.transitions import Conflict, run_transition
from core.wages import minimum_wage_for
from notifications.services import notify

from . import permissions as perms
from . import rules
from .models import (
    Comment,
    CommentLink,
    CongressVote,
    Negotiation,
    PublishedDraft,
    Representative,
    Round,
    StandbyAllowanceRate,
    State,
    SubmissionKey,
    Term,
    TermKind,
    TermVersion,
)
from .selectors import negotiations_visible_to

TOKEN_BYTES = 32  # 256 bits, URL-safe base64: 43 characters


def group(negotiation_or_pk) -> str:
    pk = getattr(negotiation_or_pk, "pk", negotiation_or_pk)
    return realtime.group_for("negotiation", pk)


def _url(negotiation) -> str:
    return reverse("negotiation:detail", args=[negotiation.pk])


def union_negotiators(negotiation):
    return User.objects.filter(organisation_id=negotiation.union_id, role=Role.UNION_NEGOTIATOR, is_active=True)


def employer_reps(negotiation):
    return User.objects.filter(organisation_id=negotiation.employer_id, role=Role.EMPLOYER_REP, is_active=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- wage floors ------------------------------------------------------------------------------
def standby_share_for(region, on: dt.date) -> StandbyAllowanceRate | None:
    from core.wages import in_force_for

    return in_force_for(StandbyAllowanceRate, region, on)


def wage_context(region, on: dt.date | None = None) -> rules.WageContext:
    on = on or timezone.localdate()
    mw = minimum_wage_for(region, on)
    rate = standby_share_for(region, on)
    return rules.WageContext(
        minimum_monthly=mw.monthly if mw else None,
        minimum_source=(mw.source if mw else ""),
        minimum_is_sample=bool(mw and mw.is_sample),
        standby_share=rate.share if rate else None,
        standby_source=rate.source if rate else "",
    )


def _term_date(data) -> dt.date:
    for key in ("start", "original_date"):
        try:
            return dt.date.fromisoformat(str(data.get(key)))
        except (ValueError, TypeError):
            continue
    return timezone.localdate()


# --- plumbing ---------------------------------------------------------------------------------
def _lock(negotiation: Negotiation, actor, *, expected_version: int | None = None) -> Negotiation:
    """Lock the row through the actor's scope (invisible → 404 by the caller's lookup) and check version."""
    qs = negotiations_visible_to(actor) if actor is not None else Negotiation.objects.all()
    locked = qs.select_for_update().filter(pk=negotiation.pk).first()
    if locked is None:
        from django.http import Http404

        raise Http404
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("该协商已被他人更新（版本 %(a)s → %(b)s），请刷新页面后重试。") % {"a": expected_version, "b": locked.version})
    return locked


def _touch(negotiation: Negotiation, *, actor, action: str, data: dict | None = None, reason: str = "") -> None:
    """Record a non-transition change: bump version, audit, publish (all within the caller's transaction)."""
    negotiation.version += 1
    negotiation.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action=action, obj=negotiation, data=data, reason=reason)
    realtime.publish(group(negotiation), "changed", id=negotiation.pk, version=negotiation.version)


def _claim(key: str | None, obj_label: str):
    """Return the SubmissionKey when `key` was already used (a double submit), else None after claiming it later."""
    if not key:
        return None
    return SubmissionKey.objects.filter(key=key).first()


def _store_key(key: str | None, obj) -> None:
    if not key:
        return
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=key, object_label=obj._meta.label_lower, object_id=str(obj.pk))
    except IntegrityError:
        raise Conflict(_("该表单已提交过，请勿重复提交。")) from None


def _transition(negotiation, actor, name, *, expected_state=None, kwargs=None, reason="", data=None, permission=None):
    def bump(obj):
        obj.version += 1

    expected = expected_state if expected_state is not None else negotiation.state
    method = getattr(negotiation, name)
    if negotiation.state == expected and not can_proceed(method):
        # Checked before the actor's role: "not possible now" must not read as "not allowed for you".
        raise ValidationError(
            _("当前状态“%(s)s”下不能执行此操作。") % {"s": negotiation.get_state_display()}, code="invalid_state"
        )

    return run_transition(
        model=Negotiation,
        pk=negotiation.pk,
        actor=actor,
        name=name,
        queryset=negotiations_visible_to(actor) if actor is not None else None,
        expected_state=expected_state if expected_state is not None else negotiation.state,
        permission=permission or (lambda a, o: perms.can(name, a, o)),
        kwargs=kwargs,
        reason=reason,
        data=data,
        groups=[group(negotiation)],
        before_save=bump,
    )


# --- creation, representatives, terms --------------------------------------------------------
@transaction.atomic
def negotiation_create(
    *, actor, employer: Organisation, title: str, union: Organisation | None = None, headcount: int | None = None,
    term_start: dt.date | None = None, term_end: dt.date | None = None, is_special: bool = True,
    submission_key: str | None = None,
) -> Negotiation:
    used = _claim(submission_key, "negotiation.negotiation")
    if used:
        return Negotiation.objects.get(pk=used.object_id)
    if not (actor.is_sysadmin or actor.has_role(Role.UNION_NEGOTIATOR)):
        raise PermissionDenied(_("只有工会协商代表可以发起集体协商。"))
    if union is None:
        union = actor.organisation
    if not actor.is_sysadmin and union.pk != actor.organisation_id:
        raise PermissionDenied(_("只能以本工会名义发起协商。"))
    if union.kind != Organisation.Kind.UNION:
        raise ValidationError({"union": _("发起方必须是基层工会。")})
    if employer.kind != Organisation.Kind.EMPLOYER:
        raise ValidationError({"employer": _("协商对方必须是用人单位。")})
    if union.employer_id != employer.pk:
        raise ValidationError({"employer": _("基层工会只能与所在企业协商。")})
    neg = Negotiation(
        title=title, employer=employer, union=union, created_by=actor, headcount=headcount,
        term_start=term_start, term_end=term_end, is_special=is_special,
    )
    neg.full_clean()
    neg.save()
    audit.record(actor=actor, action="create", obj=neg, to_state=neg.state)
    _store_key(submission_key, neg)
    return neg


@transaction.atomic
def negotiation_update(*, negotiation, actor, expected_version=None, **fields) -> Negotiation:
    neg = _lock(negotiation, actor, expected_version=expected_version)
    perms.is_union_side(actor, neg).require()
    if neg.state not in (State.DRAFT, State.PROPOSED, State.ACCEPTED, State.IN_ROUNDS, State.SUSPENDED):
        raise ValidationError(_("当前状态下不能修改协商基本信息。"))
    allowed = {"title", "headcount", "term_start", "term_end", "is_special"}
    for k, v in fields.items():
        if k not in allowed:
            raise ValidationError({k: _("不能修改该字段。")})
        setattr(neg, k, v)
    neg.full_clean()
    neg.save()
    _touch(neg, actor=actor, action="update", data={k: str(v) for k, v in fields.items()})
    return neg


@transaction.atomic
def representatives_set(*, negotiation, actor, side: str, people: list[dict], expected_version=None) -> list[Representative]:
    neg = _lock(negotiation, actor, expected_version=expected_version)
    if side not in Representative.Side.values:
        raise ValidationError({"side": _("未知的代表方。")})
    perms.can_edit_representatives(actor, neg, side).require()
    new = [
        Representative(
            negotiation=neg, side=side, name=str(p.get("name", "")).strip(), id_last4=str(p.get("id_last4", "") or "").strip(),
            position=str(p.get("position", "") or ""), is_chief=bool(p.get("is_chief")), is_outsider=bool(p.get("is_outsider")),
        )
        for p in people
        if str(p.get("name", "")).strip()
    ]
    others = list(neg.representatives.exclude(side=side))
    errs = rules.check_representatives(others + new)
    if neg.state == State.DRAFT:
        # While drafting, only the rules within this side apply; the whole set is checked on submit.
        errs = [e for e in errs if ("职工方" if side == "union" else "用人单位方") in e or "第24条" in e]
        errs = [e for e in errs if "不得少于3人" not in e]
    vacancy = [e for e in errs if "不得少于3人" in e or "人数应当对等" in e]
    if neg.state != State.DRAFT and vacancy and len(errs) == len(vacancy):
        # Art. 31: a representative leaving mid-negotiation opens a vacancy to be filled within 15 days.
        if not neg.vacancy_due:
            due = compute_due("negotiation.vacancy", timezone.localdate())
            neg.vacancy_due, neg.vacancy_explanation = due.due, due.explanation
            neg.save(update_fields=["vacancy_due", "vacancy_explanation", "updated_at"])
            notify(recipients=union_negotiators(neg) if side == "union" else employer_reps(neg), kind="negotiation.vacancy",
                   obj=neg, url=_url(neg), title=_("协商代表出现空缺，应于%(d)s前补足（集体合同规定第31条）") % {"d": due.due.isoformat()})
        errs = []
    elif not vacancy and neg.vacancy_due:
        neg.vacancy_due, neg.vacancy_explanation = None, ""
        neg.save(update_fields=["vacancy_due", "vacancy_explanation", "updated_at"])
    if errs:
        raise ValidationError({"representatives": errs})
    neg.representatives.filter(side=side).delete()
    Representative.objects.bulk_create(new)
    _touch(neg, actor=actor, action="representatives_set", data={"side": side, "names": [r.name for r in new]})
    return new


def _validate_term_data(neg, kind, data):
    ctx = wage_context(neg.employer.region, _term_date(data))
    return rules.validate_term(kind, data, ctx)


@transaction.atomic
def term_add(*, negotiation, actor, kind: str, title: str, data: dict, text: str = "", submission_key=None, expected_version=None) -> Term:
    used = _claim(submission_key, "negotiation.term")
    if used:
        return Term.objects.get(pk=used.object_id)
    neg = _lock(negotiation, actor, expected_version=expected_version)
    perms.can_edit_terms(actor, neg).require()
    if kind not in TermKind.values:
        raise ValidationError({"kind": _("未知的条款类型。")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写条款标题。")})
    data = _validate_term_data(neg, kind, data)
    number = (neg.terms.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    term = Term.objects.create(negotiation=neg, number=number, kind=kind, title=title.strip())
    side = "employer" if perms.is_employer_side(actor, neg) and not perms.is_union_side(actor, neg) else "union"
    v = TermVersion.objects.create(term=term, number=1, side=side, data=data, text=text, author=actor, note=_("初稿"))
    term.current = v
    term.save(update_fields=["current"])
    _touch(neg, actor=actor, action="term_add", data={"term": term.pk, "kind": kind})
    _store_key(submission_key, term)
    return term


@transaction.atomic
def term_revise(*, term: Term, actor, data: dict, text: str = "", note: str = "", expected_version=None, notify_other=True) -> TermVersion:
    neg = _lock(term.negotiation, actor, expected_version=expected_version)
    perms.can_edit_terms(actor, neg).require()
    term = Term.objects.select_for_update().get(pk=term.pk, negotiation=neg)
    data = _validate_term_data(neg, term.kind, data)
    last = term.versions.order_by("-number").first()
    if last and last.data == data and last.text == text:
        raise ValidationError({"data": _("内容与当前版本相同，未生成新版本。")})
    side = "union" if perms.is_union_side(actor, neg) else "employer"
    v = TermVersion.objects.create(
        term=term, number=(last.number if last else 0) + 1, side=side, data=data, text=text, author=actor, note=note,
    )
    term.current = v
    term.save(update_fields=["current"])
    _touch(neg, actor=actor, action="term_revise", data={"term": term.pk, "version": v.number})
    if notify_other:
        recipients = employer_reps(neg) if side == "union" else union_negotiators(neg)
        notify(
            recipients=recipients, kind="negotiation.counter_proposal", obj=neg, url=_url(neg),
            title=_("%(who)s对“%(term)s”提出了修改（第%(n)s版）") % {"who": dict(Representative.Side.choices)[side], "term": term.title, "n": v.number},
        )
    return v


# --- proposal and response (art. 32) ----------------------------------------------------------
@transaction.atomic
def proposal_submit(*, negotiation, actor, today: dt.date | None = None) -> Negotiation:
    neg = Negotiation.objects.get(pk=negotiation.pk)
    errors = rules.check_representatives(list(neg.representatives.all()))
    if not neg.terms.filter(is_removed=False).exists():
        errors.append(_("要约至少应包含一项协商条款。"))
    if errors and perms.is_union_side(actor, neg):
        raise ValidationError({"representatives": errors})
    today = today or timezone.localdate()
    due = compute_due("negotiation.response", today)
    neg = _transition(
        negotiation, actor, "propose",
        kwargs={"proposed_at": timezone.now(), "response_due": due.due, "explanation": due.explanation},
        data={"response_due": due.due.isoformat()},
    )
    notify(
        recipients=employer_reps(neg), kind="negotiation.proposal", obj=neg, url=_url(neg),
        title=_("收到集体协商要约：%(t)s，请于%(d)s前书面回应") % {"t": neg.title, "d": due.due.isoformat()},
        body=due.explanation,
    )
    return neg


@transaction.atomic
def response_record(
    *, negotiation, actor, decision: str, text: str = "", reason: str = "", counter_terms: dict | None = None,
) -> Negotiation:
    """The employer's written reply: agree (optionally with counter-proposals per term) or refuse with reason."""
    if decision not in ("agree", "refuse"):
        raise ValidationError({"decision": _("请选择同意协商或拒绝协商。")})
    if decision == "refuse" and not (reason or "").strip():
        raise ValidationError({"reason": _("拒绝协商必须说明正当理由（集体合同规定第32条）。")})
    if decision == "agree" and counter_terms:
        perms.is_employer_side(actor, negotiation).require()
        for term_id, data in counter_terms.items():
            term = Term.objects.filter(negotiation=negotiation, pk=term_id).first()
            if term is None:
                raise ValidationError({"counter_terms": _("条款%(id)s不属于本协商。") % {"id": term_id}})
            term_revise(term=term, actor=actor, data=data.get("data", data), text=data.get("text", ""), note=_("应约时的反提案"), notify_other=False)
        negotiation.refresh_from_db()
    name = "accept" if decision == "agree" else "refuse"
    kwargs = {"text": text} if decision == "agree" else {"reason": reason}
    neg = _transition(negotiation, actor, name, expected_state=State.PROPOSED, kwargs=kwargs, reason=reason)
    title = (
        _("用人单位同意协商：%(t)s") if decision == "agree" else _("用人单位拒绝协商：%(t)s")
    ) % {"t": neg.title}
    if counter_terms:
        title += _("（含%(n)s项反提案）") % {"n": len(counter_terms)}
    notify(recipients=union_negotiators(neg), kind="negotiation.response", obj=neg, url=_url(neg), title=title, body=reason or text)
    return neg


@transaction.atomic
def coordination_request(*, negotiation, actor, today=None) -> Negotiation:
    due = compute_due("negotiation.coordination", today or timezone.localdate())
    return _transition(negotiation, actor, "request_coordination", kwargs={
        "requested_at": timezone.now(), "due": due.due, "explanation": due.explanation,
    })


@transaction.atomic
def coordination_extend(*, negotiation, actor) -> Negotiation:
    if negotiation.coordination_extended:
        raise ValidationError(_("协调处理期限只能延长一次（集体合同规定第53条）。"))
    due = compute_due("negotiation.coordination_extension", negotiation.coordination_due)
    return _transition(negotiation, actor, "extend_coordination", kwargs={"due": due.due, "explanation": due.explanation})


@transaction.atomic
def coordination_finish(*, negotiation, actor, agreed: bool, outcome: str) -> Negotiation:
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("请填写协调处理协议书的主要内容。")})
    return _transition(negotiation, actor, "coordination_agree" if agreed else "coordination_close", kwargs={"outcome": outcome}, reason=outcome)


# --- rounds (arts. 33–35) ---------------------------------------------------------------------
@transaction.atomic
def rounds_start(*, negotiation, actor) -> Negotiation:
    return _transition(negotiation, actor, "start_rounds")


@transaction.atomic
def round_record(
    *, negotiation, actor, held_on: dt.date, attendees: str, recorder: str, minutes: str, chair_side: str = "union",
    location: str = "", union_chief_signed=False, employer_chief_signed=False, submission_key=None,
) -> Round:
    used = _claim(submission_key, "negotiation.round")
    if used:
        return Round.objects.get(pk=used.object_id)
    neg = _lock(negotiation, actor)
    perms.can_record_round(actor, neg).require()
    errors = {}
    if held_on and neg.proposed_at and held_on < timezone.localtime(neg.proposed_at).date():
        errors["held_on"] = [_("会议日期不能早于要约日期。")]
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = [_("不能记录尚未召开的会议。")]
    for name, value in (("attendees", attendees), ("recorder", recorder), ("minutes", minutes)):
        if not (value or "").strip():
            errors[name] = [_("必填（集体合同规定第33–34条：会议应有记录员并形成会议记录）。")]
    if errors:
        raise ValidationError(errors)
    number = (neg.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    r = Round(
        negotiation=neg, number=number, held_on=held_on, attendees=attendees, recorder=recorder, minutes=minutes,
        chair_side=chair_side, location=location, union_chief_signed=union_chief_signed,
        employer_chief_signed=employer_chief_signed, created_by=actor,
    )
    r.full_clean()
    r.save()
    _touch(neg, actor=actor, action="round_record", data={"round": number})
    _store_key(submission_key, r)
    return r


@transaction.atomic
def negotiation_suspend(*, negotiation, actor, next_date: dt.date, reason: str = "") -> Negotiation:
    if not next_date or next_date <= timezone.localdate():
        raise ValidationError({"next_date": _("中止协商应约定下次协商的日期（集体合同规定第35条），且须晚于今天。")})
    return _transition(negotiation, actor, "suspend", kwargs={"next_date": next_date, "reason": reason}, reason=reason)


@transaction.atomic
def negotiation_resume(*, negotiation, actor) -> Negotiation:
    return _transition(negotiation, actor, "resume")


@transaction.atomic
def draft_agree(*, negotiation, actor) -> Negotiation:
    neg = negotiation
    if not neg.terms.filter(is_removed=False).exists():
        raise ValidationError(_("草案至少应包含一项条款。"))
    if not neg.rounds.exists():
        raise ValidationError(_("至少应记录一次协商会议后才能形成草案（集体合同规定第34条）。"))
    if not (neg.term_start and neg.term_end):
        raise ValidationError({"term_end": _("请先填写合同期限（集体合同规定第38条：1至3年）。")})
    return _transition(negotiation, actor, "agree_draft")


# --- employees' comments ----------------------------------------------------------------------
@transaction.atomic
def draft_publish(*, negotiation, actor, comments_close: dt.datetime, employee_count: int) -> PublishedDraft:
    if comments_close <= timezone.now():
        raise ValidationError({"comments_close": _("征求意见截止时间必须晚于现在。")})
    if employee_count < 1:
        raise ValidationError({"employee_count": _("请填写征求意见的职工人数。")})
    neg = _transition(negotiation, actor, "open_comments", data={"employee_count": employee_count})
    number = (neg.drafts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = PublishedDraft.objects.create(
        negotiation=neg, number=number, comments_close=comments_close, employee_count=employee_count, created_by=actor,
    )
    draft.versions.set([t.current_id for t in neg.terms.filter(is_removed=False) if t.current_id])
    return draft


@transaction.atomic
def links_issue(*, draft: PublishedDraft, actor, count: int = 0, labels: list[str] | None = None, submission_key=None) -> list[tuple[CommentLink, str]]:
    """Create single-use links; returns (link, token) pairs. Only the hash is stored: show the tokens now."""
    if _claim(submission_key, "negotiation.commentlink"):
        raise Conflict(_("这批链接已经生成过；为防止重复发放，请重新打开页面再生成新的一批。"))
    neg = _lock(draft.negotiation, actor)
    perms.can_manage_comments(actor, neg).require()
    if neg.state != State.COMMENTS or not draft.is_open:
        raise ValidationError(_("征求意见期间外不能发放链接。"))
    labels = [l.strip() for l in (labels or []) if l.strip()] or [""] * count
    if not 1 <= len(labels) <= 2000:
        raise ValidationError({"count": _("每次可发放1至2000个链接。")})
    issued = draft.links.count()
    if issued + len(labels) > max(draft.employee_count, 1) * 2:
        raise ValidationError({"count": _("发放的链接数不能超过征求意见职工人数的两倍。")})
    out = []
    for label in labels:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        out.append((CommentLink(draft=draft, token_hash=token_hash(token), label=label[:60]), token))
    CommentLink.objects.bulk_create([l for l, _t in out])
    _touch(neg, actor=actor, action="links_issue", data={"draft": draft.pk, "count": len(out)})
    if submission_key:
        _store_key(submission_key, draft)
    return out


def link_lookup(token: str, *, negotiation_id=None) -> CommentLink:
    """The link for `token`, refused when unknown, used, closed or for another negotiation."""
    link = (
        CommentLink.objects.select_related("draft__negotiation").filter(token_hash=token_hash(token or "")).first()
    )
    if link is None:
        raise PermissionDenied(_("链接无效。"))
    if negotiation_id is not None and str(link.draft.negotiation_id) != str(negotiation_id):
        raise PermissionDenied(_("该链接不属于这项协商。"))
    if link.used:
        raise PermissionDenied(_("该链接已经使用过，每个链接只能提交一次意见。"))
    if not link.draft.is_open or link.draft.negotiation.state != State.COMMENTS:
        raise PermissionDenied(_("征求意见期已结束。"))
    return link


@transaction.atomic
def comments_submit(*, token: str, comments: dict, anonymous: bool, negotiation_id=None) -> int:
    """An employee's comments per term version of the frozen draft. Anonymous: nothing ties them to the link."""
    link = link_lookup(token, negotiation_id=negotiation_id)
    link = CommentLink.objects.select_for_update().get(pk=link.pk)
    if link.used:
        raise PermissionDenied(_("该链接已经使用过，每个链接只能提交一次意见。"))
    allowed = set(link.draft.versions.values_list("pk", flat=True))
    rows = []
    for vid, text in comments.items():
        text = (text or "").strip()
        if not text:
            continue
        try:
            vid = int(vid)
        except (TypeError, ValueError):
            raise ValidationError({"comments": _("条款不存在。")}) from None
        if vid not in allowed:
            raise ValidationError({"comments": _("条款不属于该草案。")})
        if len(text) > 2000:
            raise ValidationError({"comments": _("每条意见不超过2000字。")})
        rows.append(Comment(draft=link.draft, term_version_id=vid, link=None if anonymous else link, text=text))
    if not rows:
        raise ValidationError({"comments": _("请至少对一项条款填写意见。")})
    link.used = True
    link.used_on = timezone.localdate()
    link.save(update_fields=["used", "used_on"])
    Comment.objects.bulk_create(rows)
    neg = Negotiation.objects.select_for_update().get(pk=link.draft.negotiation_id)
    neg.version += 1
    neg.save(update_fields=["version", "updated_at"])
    realtime.publish(group(neg), "changed", id=neg.pk, version=neg.version)
    return len(rows)


# --- vote, signing, filing, review ------------------------------------------------------------
@transaction.atomic
def vote_put(*, negotiation, actor) -> Negotiation:
    return _transition(negotiation, actor, "put_to_vote")


@transaction.atomic
def vote_record(
    *, negotiation, actor, held_on: dt.date, total: int, present: int, votes_for: int, votes_against: int,
    votes_abstain: int, body: str = "congress",
) -> CongressVote:
    passed, explanation = rules.vote_result(
        total=total, present=present, votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain
    )
    neg = _transition(
        negotiation, actor, "vote_pass" if passed else "vote_fail", expected_state=State.VOTING,
        permission=lambda a, o: perms.can("record_vote", a, o),
        data={"total": total, "present": present, "for": votes_for, "against": votes_against, "abstain": votes_abstain},
        reason=explanation,
    )
    vote = CongressVote.objects.create(
        negotiation=neg, draft=neg.drafts.order_by("-number").first(), held_on=held_on, body=body, total=total,
        present=present, votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain, passed=passed,
        explanation=explanation, recorded_by=actor,
    )
    notify(
        recipients=list(union_negotiators(neg)) + list(employer_reps(neg)), kind="negotiation.vote", obj=neg, url=_url(neg),
        title=(_("职代会表决通过：%(t)s") if passed else _("职代会表决未通过，返回协商：%(t)s")) % {"t": neg.title},
        body=explanation,
    )
    return vote


@transaction.atomic
def sign_record(*, negotiation, actor, today: dt.date | None = None) -> Negotiation:
    """One chief signs for their side; the second signature moves the negotiation to signed (art. 37)."""
    neg = _lock(negotiation, actor)
    if neg.state != State.APPROVED:
        raise ValidationError(_("只有经职代会审议通过后才能签字（集体合同规定第36–37条）。"))
    if not neg.term_start or not neg.term_end:
        raise ValidationError({"term_end": _("请先填写合同期限。")})
    union_side = bool(perms.is_union_side(actor, neg))
    employer_side = bool(perms.is_employer_side(actor, neg))
    if not (union_side or employer_side):
        raise PermissionDenied(_("只有协商双方的首席代表可以签字。"))
    side = "union" if union_side and not neg.union_signed_by_id else "employer"
    if side == "employer" and not employer_side:
        raise ValidationError(_("职工方已签字，等待用人单位方签字。"))
    if side == "union":
        neg.union_signed_by, neg.union_signed_at = actor, timezone.now()
    else:
        if neg.employer_signed_by_id:
            raise ValidationError(_("用人单位方已签字。"))
        neg.employer_signed_by, neg.employer_signed_at = actor, timezone.now()
    neg.save(update_fields=["union_signed_by", "union_signed_at", "employer_signed_by", "employer_signed_at", "updated_at"])
    if neg.union_signed_by_id and neg.employer_signed_by_id:
        today = today or timezone.localdate()
        due = compute_due("negotiation.filing", today)
        return _transition(neg, actor, "sign", kwargs={"signed_on": today, "filing_due": due.due, "explanation": due.explanation})
    _touch(neg, actor=actor, action="sign_side", data={"side": side})
    return neg


@transaction.atomic
def filing_record(*, negotiation, actor, filed_on: dt.date, receipt_number: str, bureau: Organisation) -> Negotiation:
    if not (receipt_number or "").strip():
        raise ValidationError({"receipt_number": _("请填写劳动保障行政部门出具的回执编号。")})
    if bureau is None or bureau.kind != Organisation.Kind.LABOUR_BUREAU:
        raise ValidationError({"bureau": _("请选择劳动保障行政部门。")})
    if not negotiation.employer.region.path.startswith(bureau.region.path):
        raise ValidationError({"bureau": _("该部门对用人单位所在地区没有管辖权。")})
    if negotiation.signed_on and filed_on < negotiation.signed_on:
        raise ValidationError({"filed_on": _("报送日期不能早于签字日期。")})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("报送日期不能晚于今天。")})
    due = compute_due("negotiation.review", filed_on)
    neg = _transition(negotiation, actor, "file", kwargs={
        "filed_on": filed_on, "receipt_number": receipt_number.strip(), "bureau": bureau,
        "review_ends": due.due, "explanation": due.explanation,
    }, data={"receipt_number": receipt_number})
    reviewers = User.objects.filter(organisation=bureau, role=Role.BUREAU_REVIEWER, is_active=True)
    notify(recipients=reviewers, kind="negotiation.filed", obj=neg, url=_url(neg),
           title=_("收到集体合同报送：%(t)s，审查期至%(d)s") % {"t": neg.title, "d": due.due.isoformat()})
    return neg


@transaction.atomic
def objection_return(*, negotiation, actor, objection: str) -> Negotiation:
    if negotiation.review_ends and timezone.localdate() > negotiation.review_ends:
        raise ValidationError(_("审查期已届满，不能再提出审查意见（集体合同规定第47条）。"))
    neg = _transition(negotiation, actor, "return_objection", kwargs={"objection": objection}, reason=objection)
    notify(recipients=list(union_negotiators(neg)) + list(employer_reps(neg)), kind="negotiation.objection", obj=neg,
           url=_url(neg), title=_("劳动保障行政部门退回审查意见：%(t)s") % {"t": neg.title}, body=objection)
    return neg


@transaction.atomic
def negotiation_withdraw(*, negotiation, actor, reason: str) -> Negotiation:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明撤回原因。")})
    return _transition(negotiation, actor, "withdraw", kwargs={"reason": reason}, reason=reason)


# --- sweep (time-driven, idempotent) ----------------------------------------------------------
def sweep(now: dt.datetime) -> dict:
    today = timezone.localdate(now)
    counts = {"overdue": 0, "effective": 0, "expired": 0, "comments_closing": 0}
    plan = [
        ("overdue", "mark_overdue", State.PROPOSED, Negotiation.objects.filter(state=State.PROPOSED, response_due__lt=today), {}),
        ("effective", "take_effect", State.UNDER_REVIEW,
         Negotiation.objects.filter(state=State.UNDER_REVIEW, review_ends__lt=today), None),
        ("expired", "expire", State.EFFECTIVE, Negotiation.objects.filter(state=State.EFFECTIVE, term_end__lt=today), {}),
    ]
    for key, name, state, qs, kwargs in plan:
        for neg in qs.only("pk", "state", "review_ends", "term_start"):
            kw = kwargs if kwargs is not None else {"on": max(neg.review_ends + dt.timedelta(days=1), neg.term_start or today)}
            try:
                obj = run_transition(
                    model=Negotiation, pk=neg.pk, actor=None, name=name, expected_state=state, kwargs=kw,
                    groups=[group(neg)], before_save=lambda o: setattr(o, "version", o.version + 1),
                )
            except Conflict:
                continue
            counts[key] += 1
            if key == "overdue":
                notify(recipients=union_negotiators(obj), kind="negotiation.overdue", obj=obj, url=_url(obj),
                       title=_("要约逾期未获回应：%(t)s，可申请劳动保障行政部门协调") % {"t": obj.title})
            elif key == "effective":
                notify(recipients=list(union_negotiators(obj)) + list(employer_reps(obj)), kind="negotiation.effective",
                       obj=obj, url=_url(obj), title=_("审查期届满无异议，集体合同已生效：%(t)s") % {"t": obj.title})
    # Comment period closing within a day: tell the union once.
    soon = now + dt.timedelta(days=1)
    for draft in PublishedDraft.objects.filter(
        closing_notified=False, comments_close__lte=soon, negotiation__state=State.COMMENTS
    ).select_related("negotiation"):
        with transaction.atomic():
            d = PublishedDraft.objects.select_for_update().get(pk=draft.pk)
            if d.closing_notified:
                continue
            d.closing_notified = True
            d.save(update_fields=["closing_notified"])
            notify(recipients=union_negotiators(draft.negotiation), kind="negotiation.comments_closing",
                   obj=draft.negotiation, url=_url(draft.negotiation),
                   title=_("职工意见征求将于%(d)s截止：%(t)s") % {
                       "d": timezone.localtime(d.comments_close).strftime("%Y-%m-%d %H:%M"), "t": draft.negotiation.title})
            counts["comments_closing"] += 1
    return counts
