"""Demo negotiations in several states, built through the real services (so the timeline, due dates
and notifications are what a user would see). Idempotent: a negotiation that exists by title is skipped."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation

from . import services as svc
from .models import Negotiation

K = Organisation.Kind


def _reps(chief_u, chief_e, employer=None):
    """Each side's list; the chiefs with their basis (集体合同规定 arts. 20–21): the union chair, and a
    manager the employer's legal representative authorised in writing."""
    union = [{"name": chief_u, "is_chief": True, "position": "工会主席", "chief_basis": "union_chair"},
             {"name": "职工代表甲", "position": "一线班组长"}, {"name": "职工代表乙", "position": "技术员"}]
    legal = (employer.legal_representative if employer is not None else "") or "法定代表人"
    employer = [{"name": chief_e, "is_chief": True, "position": "人力资源总监", "chief_basis": "authorised_manager",
                 "designated_by": legal, "designated_on": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
                 "designation_document": "法定代表人授权委托书"},
                {"name": "财务经理", "position": "财务部"}, {"name": "外聘顾问", "position": "律师", "is_outsider": True}]
    return union, employer


def _start(users, neg_user, employer, title, chiefs, terms, *, term_years=2):
    """The union's draft with its own list; the employer appoints its own once served (`_served`)."""
    today = timezone.localdate()
    neg = svc.negotiation_create(
        actor=neg_user, employer=employer, title=title, headcount=employer.headcount,
        term_start=today.replace(day=1), term_end=today.replace(day=1).replace(year=today.year + term_years) - dt.timedelta(days=1),
    )
    union, _emp = _reps(*chiefs, employer)
    svc.representatives_set(negotiation=neg, actor=neg_user, side="union", people=union)
    for kind, t, data in terms:
        svc.term_add(negotiation=neg, actor=neg_user, kind=kind, title=t, data=data)
    neg.refresh_from_db()
    neg.demo_chiefs = chiefs
    return neg


def _served(neg, neg_user, emp_user):
    """Propose, then the employer appoints its own representatives (art. 21)."""
    chiefs = neg.demo_chiefs
    neg = svc.proposal_submit(negotiation=neg, actor=neg_user)
    _u, emp = _reps(*chiefs, neg.employer)
    svc.representatives_set(negotiation=neg, actor=emp_user, side="employer", people=emp)
    neg.refresh_from_db()
    return neg


def _agree(neg, neg_user, emp_user):
    """Both chiefs confirm the draft (the second confirmation agrees it)."""
    svc.draft_agree(negotiation=neg, actor=neg_user)
    return svc.draft_agree(negotiation=neg, actor=emp_user)


def _period(days=180):
    today = timezone.localdate()
    return {"start": today.isoformat(), "end": (today + dt.timedelta(days=days)).isoformat()}


def _terms_dairy():
    return [
        ("staggered", "错时上下班", {**_period(120), "groups": [
            {"name": "早班", "headcount": 120, "start_time": "06:00", "end_time": "14:30", "weekdays": [1, 2, 3, 4, 5], "break_minutes": 30},
            {"name": "中班", "headcount": 110, "start_time": "14:00", "end_time": "22:30", "weekdays": [1, 2, 3, 4, 5], "break_minutes": 30},
            {"name": "常日班", "headcount": 60, "start_time": "08:00", "end_time": "17:00", "weekdays": [1, 2, 3, 4, 5], "break_minutes": 60},
        ]}),
        ("pay", "疫情期间工资调整", {**_period(180), "groups": [
            {"name": "生产一线", "headcount": 600, "base_pay": "4300", "adjust_percent": "-5"},
            {"name": "中层管理", "headcount": 60, "base_pay": "9000", "adjust_percent": "-15"},
        ]}),
        ("article", "职工培训", {"text": "停产期间企业组织线上技能培训，培训期间视同出勤。"}),
    ]


def _terms_energy():
    return [
        ("rotation", "轮岗轮休", {**_period(90), "days_on": 5, "days_off": 2, "groups": [
            {"name": "检修班组", "headcount": 300, "base_pay": "5200", "new_pay": "5000"}]}),
        ("standby", "部分岗位待岗", {**_period(60), "works_during_standby": False, "groups": [
            {"name": "辅助岗位", "headcount": 80, "base_pay": "3800", "standby_pay": "1400"}]}),
        ("deferred", "延期支付三月工资", {"original_date": timezone.localdate().isoformat(),
                                           "deferred_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(), "headcount": 2400}),
    ]


def _terms_logistics():
    return [
        ("short_hours", "缩短工时", {**_period(90), "daily_hours": "6", "weekly_hours": "30", "pay_rule": "按实际工时折算，不低于最低工资",
                                    "groups": [{"name": "驾驶员", "headcount": 90, "base_pay": "5000", "new_pay": "4000"}]}),
        ("pay", "管理人员降薪", {**_period(90), "groups": [{"name": "管理人员", "headcount": 20, "base_pay": "7000", "adjust_amount": "-700"}]}),
    ]


@transaction.atomic
def seed(base) -> str:
    users = base["users"]
    if Negotiation.objects.filter(title__startswith="【示例】").exists():
        return "negotiation: demo negotiations already present"
    orgs = {o.name: o for o in Organisation.objects.filter(kind__in=[K.EMPLOYER, K.LABOUR_BUREAU])}
    dairy, energy, logistics = (orgs["呼和浩特草原乳业有限公司"], orgs["包头北方能源集团有限公司"], orgs["鄂尔多斯金桥物流有限公司"])
    bureau_hh = orgs["呼和浩特市人力资源和社会保障局"]
    n_dairy, e_dairy = users["negotiator"], users["employer"]
    n_energy, e_energy = users["negotiator_energy"], users["employer_energy"]
    n_log, e_log = users["negotiator_logistics"], users["employer_logistics"]
    today = timezone.localdate()
    lines = []

    # 1. Draft (dairy).
    d1 = _start(users, n_dairy, dairy, "【示例】2026年女职工权益保护专项集体合同", ("陈红", "孙立"),
                [("article", "女职工特殊保护", {"text": "孕期、产期、哺乳期女职工不安排待岗。"})])
    lines.append(f"draft #{d1.pk}")

    # 2. Proposed, with a response due date; the employer has appointed its representatives (dairy).
    d2 = _start(users, n_dairy, dairy, "【示例】疫情期间错时上下班与工资调整专项集体合同", ("陈红", "孙立"), _terms_dairy())
    _served(d2, n_dairy, e_dairy)
    lines.append(f"proposed #{d2.pk}")

    # 2b. Refused, coordination applied for and accepted by the bureau: art. 52's 30 days from acceptance (dairy).
    c = _start(users, n_dairy, dairy, "【示例】2026年高温津贴专项集体合同（协调处理中）", ("陈红", "孙立"),
               [("article", "高温津贴", {"text": "高温作业岗位每月发放高温津贴。"})])
    c = svc.proposal_submit(negotiation=c, actor=n_dairy)
    c = svc.response_record(negotiation=c, actor=e_dairy, decision="refuse", reason="本年度已按地方标准发放，不再另行协商。")
    c = svc.coordination_request(negotiation=c, actor=n_dairy)
    c = svc.coordination_accept(negotiation=c, actor=users["bureau"])
    lines.append(f"coordination #{c.pk} (due {c.coordination_due})")

    # 3. In rounds with a counter-proposal and two rounds (energy).
    d3 = _start(users, n_energy, energy, "【示例】轮岗轮休与待岗安排专项集体合同", ("马骏", "郭伟"), _terms_energy())
    d3 = _served(d3, n_energy, e_energy)
    rot = d3.terms.get(kind="rotation")
    counter = {**rot.current.data, "groups": [{"name": "检修班组", "headcount": 300, "base_pay": "5200", "new_pay": "4800"}]}
    d3 = svc.response_record(negotiation=d3, actor=e_energy, decision="agree", text="同意协商，对轮岗工资提出修改。",
                             counter_terms={rot.pk: {"data": counter}})
    d3 = svc.rounds_start(negotiation=d3, actor=e_energy)
    svc.round_record(negotiation=d3, actor=n_energy, held_on=today, attendees="双方全体协商代表", recorder="刘记录（中立）",
                     minutes="第一次会议：双方就轮岗期间工资交换意见，企业方提出4800元，职工方坚持5000元。", chair_side="union",
                     union_chief_signed=True, employer_chief_signed=True)
    svc.round_record(negotiation=d3, actor=e_energy, held_on=today, attendees="双方全体协商代表", recorder="刘记录（中立）",
                     minutes="第二次会议：待岗生活费按最低工资的70%发放，双方无异议。", chair_side="employer")
    lines.append(f"in rounds #{d3.pk}")

    # 4. Out for employees' comments, with one link printed below (logistics).
    d4 = _start(users, n_log, logistics, "【示例】缩短工时专项集体合同", ("白雪", "何芳"), _terms_logistics())
    d4 = _served(d4, n_log, e_log)
    d4 = svc.response_record(negotiation=d4, actor=e_log, decision="agree", text="同意")
    d4 = svc.rounds_start(negotiation=d4, actor=n_log)
    svc.round_record(negotiation=d4, actor=n_log, held_on=today, attendees="双方代表", recorder="王记录", minutes="达成一致。")
    d4.refresh_from_db()
    d4 = _agree(d4, n_log, e_log)
    draft = svc.draft_publish(negotiation=d4, actor=n_log, comments_close=timezone.now() + dt.timedelta(days=7), employee_count=145)
    pairs = svc.links_issue(draft=draft, actor=n_log, labels=["调度室-01", "车队-02", "车队-03"])
    vid = draft.versions.first().pk
    svc.comments_submit(token=pairs[1][1], comments={vid: "希望缩短工时期间保留全勤奖。"}, anonymous=True)
    site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    lines.append(f"comments #{d4.pk}; try the employee link: {site}{reverse('negotiation:public_comment', args=[d4.pk, pairs[0][1]])}")

    # 5. Signed and filed, review period running (dairy), and 6. effective (dairy).
    for title, effective in (("【示例】2026年工资集体协商（已报送审查）", False), ("【示例】2025年劳动定额专项集体合同（已生效）", True)):
        n = _start(users, n_dairy, dairy, title, ("陈红", "孙立"), [("article", "劳动定额", {"text": "劳动定额以同行业中等水平确定。"})])
        n = _served(n, n_dairy, e_dairy)
        n = svc.response_record(negotiation=n, actor=e_dairy, decision="agree")
        n = svc.rounds_start(negotiation=n, actor=n_dairy)
        svc.round_record(negotiation=n, actor=n_dairy, held_on=today, attendees="双方代表", recorder="赵记录", minutes="一致通过。")
        n.refresh_from_db()
        n = _agree(n, n_dairy, e_dairy)
        svc.draft_publish(negotiation=n, actor=n_dairy, comments_close=timezone.now() + dt.timedelta(days=5), employee_count=dairy.headcount or 100)
        n.refresh_from_db()
        svc.comments_close_early(negotiation=n, actor=n_dairy, reason="全体职工已在班组会上逐条讨论草案，意见已收齐。")
        n = svc.vote_put(negotiation=n, actor=n_dairy)
        svc.vote_record(negotiation=n, actor=n_dairy, held_on=today, total=90, present=80, votes_for=70, votes_against=6, votes_abstain=4)
        n.refresh_from_db()
        signed = today - dt.timedelta(days=25) if effective else today
        svc.sign_record(negotiation=n, actor=n_dairy, today=signed)
        n = svc.sign_record(negotiation=n, actor=e_dairy, today=signed)
        n = svc.filing_record(negotiation=n, actor=e_dairy, filed_on=signed + dt.timedelta(days=3 if effective else 0),
                              receipt_number=f"呼人社集备〔{today.year}〕{n.pk:03d}号", bureau=bureau_hh)
        if effective:
            # Demo history: the effective contract was proposed and answered weeks before it was signed.
            type(n).objects.filter(pk=n.pk).update(
                proposed_at=timezone.now() - dt.timedelta(days=60), responded_at=timezone.now() - dt.timedelta(days=50)
            )
        lines.append(f"{'effective' if effective else 'under review'} #{n.pk}")
    svc.sweep(timezone.now())  # review over → effective
    return "negotiation: " + "; ".join(lines)
