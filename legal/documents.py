"""The legal-aid assignment letter (法律援助指派函), registered with documents.registry.

Deterministic: all dates come from the case rows. `parties` and `title` are public on the verification
page, so they name organisations only, never the applicant.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from core.permissions import Decision

from .models import CaseState, LegalAidCase
from .selectors import cases_visible_to

LETTER_STATES = (CaseState.IN_PROGRESS, CaseState.CLOSED)


def _sender(case: LegalAidCase) -> str:
    org = case.decided_by.organisation if case.decided_by_id and case.decided_by.organisation_id else None
    return org.name if org else "工会法律援助工作机构"


def build_assignment_letter(case: LegalAidCase):
    from documents import registry

    accepted_on = timezone.localtime(case.accepted_at).date() if case.accepted_at else case.received_on
    decided_on = timezone.localtime(case.decided_at).date() if case.decided_at else case.received_on
    paragraphs = [
        f"申请人{case.applicant_name}（身份证号码 {case.masked_id}）因与{case.employer_label}"
        f"{case.get_matter_display()}一事申请法律援助，经审查，本会于{decided_on:%Y年%m月%d日}决定给予法律援助。",
        f"根据《中华人民共和国法律援助法》第八条、第四十三条及本会与贵所的合作协议，现指派贵所承办该案，"
        f"贵所已于{accepted_on:%Y年%m月%d日}确认利益冲突审查并接受指派，由{case.assigned_lawyer}律师承办。",
        "请依法为受援人提供法律服务，及时记录办案情况，结案后报送结案材料。",
    ]
    items = [
        {"heading": "案件信息", "lines": [f"案件编号：{case.number}", f"援助事项：{case.get_matter_display()}",
                                      f"对方当事人：{case.employer_label}",
                                      f"请求金额：{case.claim_amount} 元" if case.claim_amount is not None else "请求金额：—"]},
    ]
    return registry.Built(
        template="pdf/letter.html",
        context={"number": case.number, "addressee": case.assigned_firm.name, "paragraphs": paragraphs, "items": items,
                 "sender": _sender(case), "signer": ""},
        title=f"法律援助指派函（{case.number}）",
        parties=[_sender(case), case.assigned_firm.name],
        doc_date=accepted_on,
    )


def audit_firm_download(actor, case) -> None:
    """The letter names the applicant: a firm user's download is a view of personal data. (It shows the ID
    number masked and no phone, so it is not a full view: staff downloads are not audited — issue 13.)"""
    from accounts.models import Role

    from .services import record_personal_view

    if actor.role in (Role.FIRM_ADMIN, Role.LAWYER):
        record_personal_view(actor=actor, case=case, what="assignment_letter")


def letter_visible_to(actor):
    # Only cases whose personal data the actor may see (a firm sees the letter only after it accepted).
    return cases_visible_to(actor).filter(state__in=LETTER_STATES)


def register():
    from documents import registry

    registry.register(registry.DocumentKind(
        key="assignment",
        label=_("法律援助指派函"),
        model="legal.legalaidcase",
        template_version="assignment-1",
        build=build_assignment_letter,
        visible_to=letter_visible_to,
        applies=lambda case: Decision(case.state in LETTER_STATES and case.assigned_lawyer_id is not None, gettext("尚未指派律师")),
        on_download=audit_firm_download,
        # The letter names the lawyer: final once one is assigned (and again when another is).
        render_on=lambda action, from_state, to_state: action == "assign_lawyer",
    ))
