"""The negotiation documents: agreement (集体合同), proposal (要约书), response (应约书), minutes (纪要),
registered with documents.registry from NegotiationConfig.ready() (`from . import documents; documents.register()`).

Also the sample agreement used by tests/documents and bench/pdf_bench.py (`build_sample_negotiation`).

Builders read rows and return plain data; the templates under templates/pdf/ autoescape it.
Dates printed or stored as metadata come from the rows (signing date, proposal date, meeting date),
never from now(), so an unchanged document renders to the same text.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

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


def _term_counts(negotiation) -> tuple[int, int]:
    """(terms, terms in force with a current version), counted once per negotiation object: the
    documents panel asks both the agreement's and the proposal's question on every page view."""
    cached = negotiation.__dict__.get("_xs_term_counts")
    if cached is None:
        from django.db.models import Count, Q

        c = negotiation.terms.aggregate(n=Count("pk"), live=Count("pk", filter=Q(is_removed=False, current__isnull=False)))
        cached = negotiation.__dict__["_xs_term_counts"] = (c["n"], c["live"])
    return cached


def agreement_applies(negotiation) -> Decision:
    if not _term_counts(negotiation)[1]:
        return Decision.deny(gettext("尚无条款，无法生成合同文本。"))
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
    if not _term_counts(negotiation)[0]:
        return Decision.deny(gettext("要约尚无条款。"))
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
        return Decision.deny(gettext("用人单位尚未应约。"))
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
    """Minutes are about a round: visible exactly when its negotiation is (the workflow's registered scope)."""
    from core import workflow

    from .models import Round

    return Round.objects.filter(negotiation__in=workflow.get("negotiation").visible(actor)).select_related(
        "negotiation__employer", "negotiation__union"
    )


def signed_for_demo():
    """The demo data renders the agreement of a few signed negotiations (others from each page)."""
    from .models import Negotiation

    return Negotiation.objects.filter(terms__isnull=False, signed_on__isnull=False).distinct().order_by("pk")[:3]


# The changes that make a document final (core.signals.object_changed: action, from_state, to_state):
# documents queues its render on commit, so it is ready before anyone asks.
AGREEMENT_FINAL_ACTIONS = {"sign", "file", "take_effect", "no_objection"}  # signed, filed, effective


def agreement_final(action, from_state, to_state) -> bool:
    return action in AGREEMENT_FINAL_ACTIONS and from_state != to_state


def proposal_final(action, from_state, to_state) -> bool:
    return action == "propose"


def response_final(action, from_state, to_state) -> bool:
    return action in ("accept", "refuse")


def register() -> None:
    """Register the negotiation document kinds (called from NegotiationConfig.ready()).

    The negotiation kinds have no `visible_to`: documents look a negotiation up through its registered
    scope (the workflow's). Minutes are about a round: the rounds of negotiations in that scope."""
    neg = "negotiation.negotiation"
    registry.register(registry.DocumentKind(
        key="agreement", label=_("集体合同文本"), model=neg, template_version="agreement-1",
        build=build_agreement, applies=agreement_applies, demo_objects=signed_for_demo, render_on=agreement_final,
    ))
    registry.register(registry.DocumentKind(
        key="proposal", label=_("要约书"), model=neg, template_version="proposal-1",
        build=build_proposal, applies=proposal_applies, render_on=proposal_final,
    ))
    registry.register(registry.DocumentKind(
        key="response", label=_("应约书"), model=neg, template_version="response-1",
        build=build_response, applies=response_applies, render_on=response_final,
    ))
    registry.register(registry.DocumentKind(
        key="minutes", label=_("协商会议纪要"), model="negotiation.round", template_version="minutes-1",
        build=build_minutes, visible_to=rounds_visible_to,
        owner_model=neg, owner=lambda rnd: rnd.negotiation,
        targets=lambda negotiation: negotiation.rounds.all(),  # Round.Meta orders by number; a page's prefetch serves it
        target_label=lambda rnd: gettext("第%(n)s次协商会议纪要") % {"n": rnd.number},
    ))


# --- the sample agreement (tests/documents, bench/pdf_bench.py) ----------------------------------
WORKSHOPS = ["液态奶车间", "酸奶车间", "奶粉车间", "冷链仓储", "包装车间", "质检中心", "动力车间", "设备维修", "物流配送", "原奶收购站"]
SHIFTS = [("早班", "06:00", "14:00"), ("中班", "14:00", "22:00"), ("夜班", "22:00", "06:00"), ("常日班", "08:30", "17:00")]
GRADES = ["一级操作工", "二级操作工", "三级操作工", "班组长", "技术员", "助理工程师", "工程师", "仓储管理员", "质检员", "叉车司机"]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def sample_terms(workshops: int = 3) -> list[tuple[str, str, dict, str]]:
    """(kind, title, data, text) for a realistic special contract; `workshops` scales the tables."""
    names = [WORKSHOPS[i % len(WORKSHOPS)] + (f"{i // len(WORKSHOPS) + 1}" if i >= len(WORKSHOPS) else "") for i in range(workshops)]
    shift_groups = [
        {"name": f"{w}{s[0]}", "start_time": s[1], "end_time": s[2], "weekdays": [1, 2, 3, 4, 5] if s[0] == "常日班" else [1, 2, 3, 4, 5, 6], "headcount": 12 + (i * 7 + j * 3) % 30}
        for i, w in enumerate(names)
        for j, s in enumerate(SHIFTS)
    ]
    for g in shift_groups:  # six-day shifts are 6 h, so the week stays within 40 h
        if len(g["weekdays"]) == 6:
            h = int(g["start_time"][:2])
            g["end_time"] = f"{(h + 6) % 24:02d}:00"
    pay_groups = [
        {"name": f"{w}{g}", "headcount": 5 + (i * 11 + j * 5) % 25, "base_pay": 3200 + j * 450 + i * 30, "adjust_percent": -10 if j < 5 else -15}
        for i, w in enumerate(names)
        for j, g in enumerate(GRADES)
    ]
    rotation_groups = [{"name": f"{w}", "headcount": 20 + i * 3, "base_pay": 4100 + i * 50, "new_pay": 3900 + i * 50} for i, w in enumerate(names)]
    standby_groups = [{"name": f"{w}待岗人员", "headcount": 3 + i, "base_pay": 3800, "standby_pay": 1600} for i, w in enumerate(names)]
    period = {"start": "2026-03-01", "end": "2026-08-31"}
    return [
        ("staggered", "错时上下班", {**period, "groups": shift_groups},
         "为减少人员聚集，各车间实行错时上下班，各班次交接时间错开不少于三十分钟。"),
        ("pay", "阶段性调整薪酬", {**period, "groups": pay_groups},
         "生产经营困难期间，经协商一致阶段性调整岗位工资，调整后工资不低于当地最低工资标准；经营状况好转后恢复原工资标准并优先补发。"),
        ("rotation", "轮岗轮休", {**period, "days_on": 5, "days_off": 2, "groups": rotation_groups},
         "订单不足期间实行轮岗轮休，轮休期间视为正常出勤，按约定标准发放工资。"),
        ("short_hours", "缩短工时", {**period, "daily_hours": 6, "weekly_hours": 30, "pay_rule": "按实际工作时间折算，不低于当地最低工资标准。", "groups": rotation_groups},
         "缩短工时期间，职工可申请参加企业组织的技能培训。"),
        ("standby", "待岗安排", {**period, "works_during_standby": False, "first_cycle_full_pay": True, "groups": standby_groups},
         "待岗职工名单经工会审核后公示；职工协商代表在任期内不列入待岗名单。"),
        ("deferred", "延期支付工资", {"original_date": "2026-03-15", "deferred_date": "2026-04-10", "headcount": 860},
         "三月份工资延期至四月十日前足额支付，延期期间不影响职工社会保险缴纳。"),
        ("article", "劳动安全卫生", {"text": "甲方为职工提供符合国家标准的劳动防护用品，每年组织一次职业健康检查。"},
         "甲方为职工提供符合国家标准的劳动防护用品，每年组织一次职业健康检查。"),
        ("article", "争议处理", {"text": "履行本合同发生争议，双方应协商解决；协商不成的，可依法申请劳动争议仲裁。"},
         "履行本合同发生争议，双方应协商解决；协商不成的，可依法申请劳动争议仲裁。"),
    ]


def build_sample_negotiation(*, employer, union, workshops: int = 3, state: str = "under_review", title: str = "阶段性稳定就业专项集体协商"):
    """A complete negotiation (reps, terms with two versions, two rounds, vote, signing, filing)."""
    from .models import CongressVote, Negotiation, Representative, Round, Term, TermVersion

    signed_on = dt.date(2026, 2, 20)
    neg = Negotiation.objects.create(
        title=title, employer=employer, union=union, state=state, is_special=True, headcount=employer.headcount or 860,
        proposed_at=_at(dt.date(2026, 1, 5)), response_due=dt.date(2026, 1, 26),
        responded_at=_at(dt.date(2026, 1, 12)), response_decision="agree", response_text="同意就阶段性稳定就业事项进行协商。",
        term_start=dt.date(2026, 3, 1), term_end=dt.date(2027, 2, 28),
        signed_on=signed_on, filing_due=dt.date(2026, 3, 2), filed_on=dt.date(2026, 2, 25),
        receipt_number="呼人社集备〔2026〕第018号", review_ends=dt.date(2026, 3, 12),
    )
    people = [
        ("union", "李秀英", "工会主席", True), ("union", "张伟", "液态奶车间职工", False), ("union", "王芳", "质检中心职工", False),
        ("employer", "王建国", "董事长", True), ("employer", "赵敏", "人力资源部经理", False), ("employer", "孙强", "财务部经理", False),
    ]
    # The chiefs by office (集体合同规定 arts. 20–21): the union chair, the legal representative.
    basis = {"union": "union_chair", "employer": "legal_rep"}
    for side, name, position, chief in people:
        Representative.objects.create(negotiation=neg, side=side, name=name, position=position, is_chief=chief,
                                      chief_basis=basis[side] if chief else "")
    for number, (kind, title_, data, text) in enumerate(sample_terms(workshops), 1):
        term = Term.objects.create(negotiation=neg, number=number, kind=kind, title=title_)
        v1 = TermVersion.objects.create(term=term, number=1, side="union", data=data, text=text, note="要约")
        TermVersion.objects.filter(pk=v1.pk).update(created_at=_at(dt.date(2026, 1, 5)))
        current = v1
        if kind == "pay":
            data2 = {**data, "groups": [{**g, "adjust_percent": g["adjust_percent"] + 5} for g in data["groups"]]}
            current = TermVersion.objects.create(term=term, number=2, side="employer", data=data2, text=text, note="应约修改")
            TermVersion.objects.filter(pk=current.pk).update(created_at=_at(dt.date(2026, 1, 12), 9))
        term.current = current
        term.save(update_fields=["current"])
    Round.objects.create(
        negotiation=neg, number=1, held_on=dt.date(2026, 1, 20), location="公司三楼会议室", chair_side="union",
        attendees="职工方：李秀英、张伟、王芳\n用人单位方：王建国、赵敏、孙强", recorder="周丽",
        minutes="双方就错时上下班班次安排、阶段性调整薪酬比例交换意见。用人单位方提出调整比例为百分之十五，职工方提出不超过百分之十。\n双方同意下次会议继续协商调整比例。",
        union_chief_signed=True, employer_chief_signed=True,
    )
    Round.objects.create(
        negotiation=neg, number=2, held_on=dt.date(2026, 1, 27), location="公司三楼会议室", chair_side="employer",
        attendees="职工方：李秀英、张伟、王芳\n用人单位方：王建国、赵敏、孙强", recorder="周丽",
        minutes="双方就调整比例达成一致：一至五级岗位下调百分之五，其余岗位下调百分之十，经营好转后恢复并补发。形成合同草案，提交职工代表大会审议。",
        union_chief_signed=True, employer_chief_signed=True,
    )
    CongressVote.objects.create(
        negotiation=neg, held_on=dt.date(2026, 2, 15), body="congress", total=120, present=96,
        votes_for=81, votes_against=9, votes_abstain=6, passed=True,
        explanation="应到120人，实到96人，达到三分之二以上（需至少80人）；赞成81票，达到全体人员半数以上（需至少60票）。依据集体合同规定第36条及民法典第1259条（“以上”包括本数），表决通过。",
    )
    return neg
