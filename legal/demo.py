"""Demo data for legal aid: partner firms, hotline consultations and cases at every stage for two firms.

Idempotent: cases carry fixed demo numbers and are only built when missing; they are built through the
services, so their history, due dates and routing explanations are real.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, Region
from core.validators import id_check_char

from . import services
from .models import Consultation, FirmProfile, LegalAidCase, Matter

K = Organisation.Kind


def _id(region_code: str, birth: str, seq: int) -> str:
    body = f"{region_code}{birth}{seq:03d}"
    return body + id_check_char(body)


def _profile(org, regions, matters, capacity):
    profile, _ = FirmProfile.objects.get_or_create(organisation=org, defaults={"capacity": capacity, "matters": matters})
    profile.matters, profile.capacity, profile.is_active = matters, capacity, True
    profile.save()
    profile.regions.set(Region.objects.filter(code__in=regions))
    return profile


LABOUR = [Matter.EMPLOYMENT_RELATIONSHIP, Matter.PAY, Matter.WORK_INJURY, Matter.SOCIAL_INSURANCE]


def seed(base) -> str:
    users = base["users"]
    staff_hh, staff_bt = users["staff_hohhot"], users["staff_baotou"]
    firm_a = Organisation.objects.get(kind=K.LAW_FIRM, name="内蒙古青城律师事务所")
    firm_b = Organisation.objects.get(kind=K.LAW_FIRM, name="内蒙古鹿城律师事务所")
    firm_c = Organisation.objects.get(kind=K.LAW_FIRM, name="内蒙古鄂尔多斯草原律师事务所")
    dairy = Organisation.objects.get(kind=K.EMPLOYER, name="呼和浩特草原乳业有限公司")
    energy = Organisation.objects.get(kind=K.EMPLOYER, name="包头北方能源集团有限公司")
    logistics = Organisation.objects.get(kind=K.EMPLOYER, name="鄂尔多斯金桥物流有限公司")
    _profile(firm_a, ["150100"], LABOUR, 8)
    _profile(firm_b, ["150200"], LABOUR, 6)
    _profile(firm_c, ["150600"], [Matter.PAY, Matter.WORK_INJURY], 4)

    today = timezone.localdate()
    hh, saihan, kundulun = (Region.objects.get(code=c) for c in ("150100", "150105", "150203"))
    consultations = [
        (Consultation.Channel.PHONE, "刘女士", saihan, Matter.PAY, "在乳业公司做包装工，8月起工资迟发，询问如何维权。",
         "建议先与工会沟通，保留工资条和考勤记录，可申请法律援助。", "三日后回访"),
        (Consultation.Channel.WECHAT, "马先生", kundulun, Matter.WORK_INJURY, "在车间受伤，单位未申报工伤认定。",
         "告知工伤认定申请期限为事故发生之日起1年，可由本人或近亲属申请。", ""),
        (Consultation.Channel.WALK_IN, "", hh, Matter.EMPLOYMENT_RELATIONSHIP, "劳务派遣人员询问与用工单位是否存在劳动关系。",
         "解释派遣协议与劳动合同的区别。", ""),
    ]
    for channel, caller, region, topic, summary, advice, follow in consultations:
        Consultation.objects.get_or_create(
            summary=summary,
            defaults=dict(channel=channel, caller_name=caller, region=region, topic=topic, advice=advice, follow_up=follow,
                          handled_by=staff_hh, received_at=timezone.now() - dt.timedelta(days=3)),
        )

    def case(number, staff, region, employer, matter, name, seq, stage, firm_users=None, **extra):
        if LegalAidCase.objects.filter(number=number).exists():
            return None
        data = dict(
            applicant_name=name, id_number=_id(region.code, "19880512", seq), phone=f"1380471{seq:04d}",
            address=f"{region.name}示例路{seq}号", applicant_region=region, is_migrant_worker=True, household_size=3,
            household_monthly_income=Decimal("4200"), opposing_employer=employer, matter=matter,
            facts="2026年7月至9月工资未足额发放，经工会协调未果。", claims="支付拖欠工资及经济补偿。",
            claim_amount=Decimal("18600"), summary_for_firms="拖欠工资三个月，约1.86万元，证据为工资条和考勤记录。",
            received_on=today - dt.timedelta(days=2),
        )
        data.update(extra)
        c = services.case_create(actor=staff, data=data, extra={"number": number})
        if stage == "submitted":
            return c
        if stage == "awaiting_documents":
            return services.case_request_documents(actor=staff, case=c.pk, what="请补充劳动合同和工资流水")
        if stage == "rejected":
            return services.case_decide(actor=staff, case=c.pk, approve=False, reason="家庭收入高于当地经济困难标准，且不属于免审情形")
        c = services.case_decide(actor=staff, case=c.pk, approve=True, reason="进城务工人员追索劳动报酬，免予经济困难审查")
        if stage in ("offered", "approved"):
            return c
        admin, lawyer = firm_users
        c = services.case_accept(actor=admin, case=c.pk, conflict_confirmed=True)
        if stage == "accepted":
            return c
        c = services.case_assign_lawyer(actor=admin, case=c.pk, lawyer=lawyer)
        services.worklog_add(actor=lawyer, case=c.pk, data={"date": today, "hours": Decimal("2"), "activity": "会见申请人，核对工资条与考勤记录",
                                                              "next_deadline": today + dt.timedelta(days=10), "next_deadline_note": "提交仲裁申请",
                                                              "next_steps": "准备仲裁申请书"})
        if stage == "in_progress":
            return c
        c = services.case_close(actor=lawyer, case=c.pk, outcome="mediated", amount_recovered=Decimal("16000"))
        return services.case_record_satisfaction(actor=staff, case=c.pk, score=5, note="对律师工作满意")

    a_users = (users["firm_admin"], users["lawyer"])
    b_users = (users["firm_admin_b"], users["lawyer_b"])
    made = [
        case("FYDEMO01", staff_hh, saihan, dairy, Matter.PAY, "王丽", 1, "submitted"),
        case("FYDEMO02", staff_hh, saihan, dairy, Matter.WORK_INJURY, "赵刚", 2, "awaiting_documents"),
        case("FYDEMO03", staff_hh, saihan, dairy, Matter.EMPLOYMENT_RELATIONSHIP, "钱明", 3, "rejected",
             is_migrant_worker=False, household_size=1, household_monthly_income=Decimal("9000")),
        case("FYDEMO04", staff_hh, saihan, dairy, Matter.PAY, "孙芳", 4, "offered"),
        case("FYDEMO05", staff_hh, saihan, dairy, Matter.PAY, "李强", 5, "accepted", a_users),
        case("FYDEMO06", staff_hh, saihan, dairy, Matter.WORK_INJURY, "周杰", 6, "in_progress", a_users),
        case("FYDEMO07", staff_hh, saihan, dairy, Matter.PAY, "吴敏", 7, "closed", a_users),
        case("FYDEMO08", staff_bt, kundulun, energy, Matter.PAY, "郑华", 8, "offered"),
        case("FYDEMO09", staff_bt, kundulun, energy, Matter.SOCIAL_INSURANCE, "冯磊", 9, "accepted", b_users),
        case("FYDEMO10", staff_bt, kundulun, energy, Matter.PAY, "陈静", 10, "in_progress", b_users),
        case("FYDEMO11", staff_bt, kundulun, energy, Matter.WORK_INJURY, "褚勇", 11, "closed", b_users),
        # no partner firm covers this matter in Ordos: staff are alerted and the case waits for a manual choice
        case("FYDEMO12", users["staff_nm"], Region.objects.get(code="150602"), logistics, Matter.SOCIAL_INSURANCE, "卫东", 12, "approved"),
    ]
    n = sum(1 for m in made if m is not None)
    return f"3 firms, {Consultation.objects.count()} consultations, {n} new demo cases ({LegalAidCase.objects.count()} in all)"
