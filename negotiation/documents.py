"""The negotiation documents: agreement (集体合同), proposal (要约书), response (应约书), minutes (纪要),
registered with documents.registry from NegotiationConfig.ready() (`from . import documents; documents.register()`).

Builders read rows and return plain data; the templates under templates/pdf/ autoescape it.
Dates printed or stored as metadata come from the rows (signing date, proposal date, meeting date),
never from now(), so an unchanged document renders to the same text.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from core.permissions import Decision

from documents import registry

WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
SIDE_NAMES = {"union": "职工方", "employer": "用人单位方"}


def _local_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _money(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value or "")


def _weekdays(days) -> str:
    try:
        return "、".join("周" + WEEKDAY_NAMES[int(d)] for d in sorted({int(d) for d in days or []}))
    except (TypeError, ValueError, KeyError):
        return ""


def term_view(term, version) -> dict:
    """One term as the templates print it: heading, period, a table and free-text paragraphs."""
    from .rules import new_pay_of

    data = version.data if isinstance(version.data, dict) else {}
    kind = term.kind
    view = {
        "number": term.number,
        "title": term.title,
        "kind": term.get_kind_display(),
        "kind_key": kind,
        "version": version.number,
        "side": SIDE_NAMES.get(version.side, version.side),
        "text": version.text,
        "period": "",
        "facts": [],
        "columns": [],
        "rows": [],
    }
    if data.get("start") or data.get("end"):
        view["period"] = f"{data.get('start', '')} 至 {data.get('end', '')}"
    groups = data.get("groups") if isinstance(data.get("groups"), list) else []
    groups = [g for g in groups if isinstance(g, dict)]
    if kind == "staggered":
        view["columns"] = ["班组", "上班时间", "下班时间", "工作日", "人数"]
        view["rows"] = [[g.get("name", ""), g.get("start_time", ""), g.get("end_time", ""), _weekdays(g.get("weekdays")), g.get("headcount", "")] for g in groups]
    elif kind == "pay":
        view["columns"] = ["职工组别", "人数", "原月工资（元）", "调整", "调整后月工资（元）"]
        for g in groups:
            adj = f"{g['adjust_percent']}%" if g.get("adjust_percent") not in (None, "") else f"{_money(g.get('adjust_amount'))}元"
            view["rows"].append([g.get("name", ""), g.get("headcount", ""), _money(g.get("base_pay")), adj, _money(new_pay_of(kind, data, g))])
    elif kind in ("rotation", "short_hours"):
        if kind == "rotation":
            view["facts"].append(f"轮岗轮休周期：工作{data.get('days_on', '')}天，休息{data.get('days_off', '')}天。")
        else:
            view["facts"].append(f"缩短后工作时间：每日{data.get('daily_hours', '')}小时，每周{data.get('weekly_hours', '')}小时。")
            if data.get("pay_rule"):
                view["facts"].append(f"工资支付办法：{data.get('pay_rule')}")
        view["columns"] = ["职工组别", "人数", "原月工资（元）", "期间月工资（元）"]
        view["rows"] = [[g.get("name", ""), g.get("headcount", ""), _money(g.get("base_pay")), _money(new_pay_of(kind, data, g))] for g in groups]
    elif kind == "standby":
        view["facts"].append("待岗期间" + ("安排工作" if data.get("works_during_standby") else "未安排工作，支付生活费") + "；停工停产在一个工资支付周期内的，按劳动合同约定的标准支付工资。")
        view["columns"] = ["职工组别", "人数", "原月工资（元）", "待岗期间月工资/生活费（元）"]
        view["rows"] = [[g.get("name", ""), g.get("headcount", ""), _money(g.get("base_pay")), _money(g.get("standby_pay"))] for g in groups]
    elif kind == "deferred":
        view["facts"].append(f"原定工资支付日：{data.get('original_date', '')}；延期支付日：{data.get('deferred_date', '')}；涉及职工{data.get('headcount', '') or '—'}人。经工会同意。")
    elif kind == "article" and data.get("text") and data.get("text") != version.text:
        view["facts"].append(str(data.get("text")))
    if data.get("approval_number"):
        view["facts"].append(f"特殊工时制度批准文号：{data.get('approval_number')}")
    return view


def _current_terms(negotiation):
    terms = negotiation.terms.filter(is_removed=False, current__isnull=False).select_related("current").order_by("number")
    return [term_view(t, t.current) for t in terms]


def _reps(negotiation):
    reps = list(negotiation.representatives.all())
    return {
        "union_reps": [r for r in reps if r.side == "union"],
        "employer_reps": [r for r in reps if r.side == "employer"],
        "union_chief": next((r for r in reps if r.side == "union" and r.is_chief), None),
        "employer_chief": next((r for r in reps if r.side == "employer" and r.is_chief), None),
    }


def _parties(negotiation) -> list[str]:
    return [negotiation.employer.name, negotiation.union.name]


def _base_context(negotiation) -> dict:
    return {"negotiation": negotiation, "employer": negotiation.employer, "union": negotiation.union, **_reps(negotiation)}


def _latest_version_date(negotiation) -> dt.date | None:
    from .models import TermVersion

    last = TermVersion.objects.filter(term__negotiation=negotiation).order_by("-created_at").values_list("created_at", flat=True).first()
    return _local_date(last)


# --- agreement ------------------------------------------------------------------------------------
SIGNED_STATES = {"signed", "under_review", "effective", "expired"}


def build_agreement(negotiation) -> registry.Built:
    kind_name = "专项集体合同" if negotiation.is_special else "集体合同"
    signed = negotiation.state in SIGNED_STATES and negotiation.signed_on is not None
    title = f"{negotiation.employer.name}{kind_name}" + ("" if signed else "（草案）")
    vote = negotiation.votes.order_by("-held_on", "-pk").first()
    doc_date = negotiation.signed_on if signed else _latest_version_date(negotiation)
    ctx = {
        **_base_context(negotiation),
        "kind_name": kind_name,
        "signed": signed,
        "terms": _current_terms(negotiation),
        "vote": vote,
        "filed": bool(negotiation.filed_on),
    }
    return registry.Built(
        template="pdf/agreement.html",
        context=ctx,
        title=title,
        parties=_parties(negotiation),
        doc_date=doc_date,
        header=f"{negotiation.employer.name} · {kind_name}",
    )


def agreement_applies(negotiation) -> Decision:
    if not negotiation.terms.filter(is_removed=False, current__isnull=False).exists():
        return Decision.deny("尚无条款，无法生成合同文本。")
    return Decision.allow()


# --- proposal -------------------------------------------------------------------------------------
def build_proposal(negotiation) -> registry.Built:
    from .models import TermVersion

    first = (
        TermVersion.objects.filter(term__negotiation=negotiation, number=1, term__is_removed=False)
        .select_related("term")
        .order_by("term__number")
    )
    doc_date = _local_date(negotiation.proposed_at) or _latest_version_date(negotiation)
    ctx = {**_base_context(negotiation), "terms": [term_view(v.term, v) for v in first], "proposed": bool(negotiation.proposed_at)}
    return registry.Built(
        template="pdf/proposal.html",
        context=ctx,
        title="集体协商要约书" + ("" if negotiation.proposed_at else "（草稿）"),
        parties=[negotiation.union.name, negotiation.employer.name],
        doc_date=doc_date,
        header=f"{negotiation.union.name} · 集体协商要约书",
    )


def proposal_applies(negotiation) -> Decision:
    if not negotiation.terms.exists():
        return Decision.deny("要约尚无条款。")
    return Decision.allow()


# --- response -------------------------------------------------------------------------------------
def build_response(negotiation) -> registry.Built:
    from .models import TermVersion

    counters = []
    if negotiation.responded_at:
        qs = (
            TermVersion.objects.filter(term__negotiation=negotiation, side="employer", created_at__lte=negotiation.responded_at)
            .select_related("term")
            .order_by("term__number", "number")
        )
        seen = set()
        for v in qs:
            if v.term_id not in seen:
                seen.add(v.term_id)
                counters.append(term_view(v.term, v))
    ctx = {
        **_base_context(negotiation),
        "agree": negotiation.response_decision == "agree",
        "counters": counters,
        "proposed_on": _local_date(negotiation.proposed_at),
    }
    return registry.Built(
        template="pdf/response.html",
        context=ctx,
        title="集体协商应约书",
        parties=[negotiation.employer.name, negotiation.union.name],
        doc_date=_local_date(negotiation.responded_at),
        header=f"{negotiation.employer.name} · 集体协商应约书",
    )


def response_applies(negotiation) -> Decision:
    if not negotiation.responded_at:
        return Decision.deny("用人单位尚未应约。")
    return Decision.allow()


# --- minutes --------------------------------------------------------------------------------------
def build_minutes(rnd) -> registry.Built:
    negotiation = rnd.negotiation
    ctx = {**_base_context(negotiation), "round": rnd, "chair_side": SIDE_NAMES.get(rnd.chair_side, rnd.chair_side)}
    return registry.Built(
        template="pdf/minutes.html",
        context=ctx,
        title=f"集体协商会议纪要（第{rnd.number}次）",
        parties=_parties(negotiation),
        doc_date=rnd.held_on,
        header=f"{negotiation.employer.name} · 第{rnd.number}次协商会议纪要",
    )


def rounds_visible_to(actor):
    """Minutes are about a round: visible exactly when its negotiation is."""
    from .models import Round
    from .selectors import negotiations_visible_to

    return Round.objects.filter(negotiation__in=negotiations_visible_to(actor)).select_related(
        "negotiation__employer", "negotiation__union"
    )


def register() -> None:
    """Register the negotiation document kinds (called from NegotiationConfig.ready())."""
    from .selectors import negotiations_visible_to

    neg = "negotiation.negotiation"
    registry.register(registry.DocumentKind(
        key="agreement", label="集体合同文本", model=neg, template_version="agreement-1",
        build=build_agreement, visible_to=negotiations_visible_to, applies=agreement_applies,
    ))
    registry.register(registry.DocumentKind(
        key="proposal", label="要约书", model=neg, template_version="proposal-1",
        build=build_proposal, visible_to=negotiations_visible_to, applies=proposal_applies,
    ))
    registry.register(registry.DocumentKind(
        key="response", label="应约书", model=neg, template_version="response-1",
        build=build_response, visible_to=negotiations_visible_to, applies=response_applies,
    ))
    registry.register(registry.DocumentKind(
        key="minutes", label="协商会议纪要", model="negotiation.round", template_version="minutes-1",
        build=build_minutes, visible_to=rounds_visible_to,
        owner_model=neg, owner=lambda rnd: rnd.negotiation,
        targets=lambda negotiation: negotiation.rounds.order_by("number"),
        target_label=lambda rnd: f"第{rnd.number}次协商会议纪要",
    ))
