"""Demo documents, and the sample agreement used by tests and bench/pdf_bench.py.

`seed(base)` renders the documents of the demo negotiations (idempotent: an unchanged document
keeps its verification code, so re-seeding adds nothing when a finished row with that code exists).
`build_sample_negotiation(...)` creates a complete, filed special collective contract with realistic
shift and pay tables; `workshops` pads it (the benchmark uses it for a 10+ page agreement).
"""
from __future__ import annotations

import datetime as dt

WORKSHOPS = ["液态奶车间", "酸奶车间", "奶粉车间", "冷链仓储", "包装车间", "质检中心", "动力车间", "设备维修", "物流配送", "原奶收购站"]
SHIFTS = [("早班", "06:00", "14:00"), ("中班", "14:00", "22:00"), ("夜班", "22:00", "06:00"), ("常日班", "08:30", "17:00")]
GRADES = ["一级操作工", "二级操作工", "三级操作工", "班组长", "技术员", "助理工程师", "工程师", "仓储管理员", "质检员", "叉车司机"]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

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
    from negotiation.models import CongressVote, Negotiation, Representative, Round, Term, TermVersion

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
    for side, name, position, chief in people:
        Representative.objects.create(negotiation=neg, side=side, name=name, position=position, is_chief=chief)
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


def seed(base) -> str:
    """Render the agreement of demo negotiations that were signed (idempotent by verification code).

    Other documents are generated from each negotiation's page; seeding keeps to a few renders."""
    from . import registry, services
    from .models import GeneratedDocument

    try:
        from negotiation.models import Negotiation
    except ImportError:  # pragma: no cover
        return "documents: negotiation app missing"
    made = 0
    signed = Negotiation.objects.filter(terms__isnull=False, signed_on__isnull=False).distinct().order_by("pk")[:3]
    for neg in signed:
        for key in ("agreement",):
            kind = registry.get(key)
            if not kind.applies(neg):
                continue
            built, code, _html = services.build_html(kind=kind, obj=neg)
            if GeneratedDocument.objects.filter(code=code, status="done").exists():
                continue
            services.document_generate_now(kind=kind, obj=neg, actor=None)
            made += 1
    return f"documents: {made} rendered"
