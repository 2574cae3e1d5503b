"""Demo disputes in several stages, one a few days from its limitation date (idempotent: keyed by title)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation

from . import services
from .models import ClaimKind, DisputeCase, LimitationSuspension, Outcome

K = Organisation.Kind


def _workers(prefix: str, n: int, migrant=False):
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    return [{"name": f"{surnames[i % len(surnames)]}{prefix}{i + 1}", "phone": f"1394710{i:04d}", "is_migrant_worker": migrant}
            for i in range(n)]


def seed(base) -> str:
    staff = base["users"]["staff_nm"]
    today = timezone.localdate()
    LimitationSuspension.objects.get_or_create(
        name="新冠肺炎疫情防控期间仲裁时效中止",
        defaults={"start": dt.date(2020, 1, 24), "end": dt.date(2020, 4, 30),
                  "source": "人社厅明电〔2020〕5号（待核实：起止日期以各地通知为准）"},
    )
    dairy = Organisation.objects.get(kind=K.EMPLOYER, name="呼和浩特草原乳业有限公司")
    energy = Organisation.objects.get(kind=K.EMPLOYER, name="包头北方能源集团有限公司")
    logistics = Organisation.objects.get(kind=K.EMPLOYER, name="鄂尔多斯金桥物流有限公司")
    created = 0

    def case(title, **kwargs):
        nonlocal created
        existing = DisputeCase.objects.filter(title=title).first()
        if existing:
            return None
        created += 1
        return services.dispute_open(actor=staff, title=title, **kwargs)

    d = lambda n: today - dt.timedelta(days=n)  # noqa: E731

    # 1. Filed, a few days from its limitation date.
    case(
        "疫情期间解除劳动合同争议（时效将届满）", employer=dairy, known_on=d(360), filed_on=d(2),
        employment_ended_on=d(360), workers=[{"name": "乔海燕", "phone": "13947100001"}],
        claims=[{"kind": ClaimKind.DISMISSAL, "amount": Decimal("38600"), "description": "违法解除赔偿金"}],
        facts="公司以疫情停产为由口头通知解除劳动合同，未支付经济补偿。",
    )
    # 2. Collective standby pay, in mediation.
    c = case(
        "待岗期间生活费低于标准集体争议", employer=dairy, known_on=d(40), filed_on=d(10), is_collective=True,
        representative="王师傅1", workers=_workers("师傅", 12),
        claims=[{"kind": ClaimKind.STANDBY_PAY, "amount": Decimal("86400"), "period_start": d(150), "period_end": d(40),
                 "description": "停工超过一个工资支付周期后生活费低于规定比例"}],
        facts="2026年停产期间，公司按最低工资的50%发放生活费，低于自治区规定标准。",
    )
    if c:
        c = services.dispute_start_negotiation(case=c, actor=staff, on=d(9))
        services.dispute_apply_mediation(case=c, actor=staff, body="呼和浩特市赛罕区劳动争议调解委员会", on=d(3))
    # 3. Collective pay cut, arbitration accepted and in hearing.
    c = case(
        "降薪至最低工资以下集体争议", employer=energy, known_on=d(120), filed_on=d(60), is_collective=True,
        representative="马建军", workers=_workers("工", 15),
        claims=[{"kind": ClaimKind.PAY_CUT, "amount": Decimal("156000"), "period_start": d(200), "period_end": d(120)},
                {"kind": ClaimKind.HOURS, "description": "延长工作时间超过每月36小时"}],
        facts="公司单方面将一线职工工资下调30%，部分职工实发工资低于当地最低工资标准。",
    )
    if c:
        c = services.dispute_apply_mediation(case=c, actor=staff, body="北方能源劳动争议调解委员会", on=d(58))
        c = services.dispute_fail_mediation(case=c, actor=staff, on=d(42), reason="调解期满未达成协议")
        c = services.dispute_apply_arbitration(case=c, actor=staff, commission="包头市劳动人事争议仲裁委员会", on=d(40))
        c = services.dispute_accept(case=c, actor=staff, on=d(35))
        services.dispute_start_hearing(case=c, actor=staff, on=d(10))
    # 4. Wage arrears after termination, awarded (final), within the appeal window.
    c = case(
        "离职后追索拖欠工资", employer=logistics, known_on=d(200), filed_on=d(80), employment_ended_on=d(200),
        workers=[{"name": "白志刚", "phone": "13947100099", "is_migrant_worker": True}],
        claims=[{"kind": ClaimKind.WAGE_ARREARS, "amount": Decimal("12800"), "period_start": d(320), "period_end": d(200)}],
        facts="驾驶员离职时公司拖欠三个月工资，多次催要未果。",
    )
    if c:
        c = services.dispute_apply_arbitration(case=c, actor=staff, commission="鄂尔多斯市劳动人事争议仲裁委员会", on=d(70))
        c = services.dispute_accept(case=c, actor=staff, on=d(66))
        c = services.dispute_start_hearing(case=c, actor=staff, on=d(40))
        claim = c.claims.first()
        services.dispute_issue_award(case=c, actor=staff, received_on=d(5), awarded={claim.pk: Decimal("12800")})
    # 5. Breach of a collective contract, under negotiation.
    c = case(
        "违反集体合同夜班津贴条款", employer=energy, known_on=d(30), filed_on=d(20), is_collective=True,
        representative="刘卫东", workers=_workers("班", 10),
        claims=[{"kind": ClaimKind.CONTRACT_BREACH, "amount": Decimal("42000"), "description": "夜班津贴未按集体合同发放"}],
        facts="集体合同约定夜班津贴每班30元，公司自今年起停发。",
    )
    if c:
        services.dispute_start_negotiation(case=c, actor=staff, on=d(18))
    # 6. Social insurance, closed after mediation.
    c = case(
        "未缴纳社会保险争议", employer=logistics, known_on=d(150), filed_on=d(140),
        workers=[{"name": "何文静", "phone": "13947100123"}],
        claims=[{"kind": ClaimKind.SOCIAL_INSURANCE, "description": "补缴2025年养老保险"}],
        facts="入职一年未缴纳社会保险。",
    )
    if c:
        c = services.dispute_apply_mediation(case=c, actor=staff, body="东胜区劳动争议调解委员会", on=d(138))
        c = services.dispute_record_mediation_agreement(case=c, actor=staff, on=d(130), terms="公司于30日内补缴社会保险。")
        services.dispute_close(case=c, actor=staff, on=d(90), outcome=Outcome.OTHER, note="已补缴")
    total = DisputeCase.objects.count()
    return f"{created} new disputes ({total} in all)"
