"""Who may see and do what in legal aid: the scope of every read and the rule of every action.

Scope (`*_visible_to(actor)`) is used by every page, API, websocket and the runner (404 outside it);
object rules return a `Decision` with the reason shown on a disabled button and in the 403. The runner
checks the rule again inside the transaction, so a service called directly refuses a wrong actor the
same way the page and the API do.

- union staff: cases whose applicant lives in their region subtree; they review, decide, route;
- a firm admin: cases currently offered to or accepted by their firm (summary only until accepted);
  they accept or decline an offer and assign one of their lawyers;
- a lawyer: cases their firm accepted; they log work, upload material and close;
- employers, negotiators and labour-bureau reviewers: nothing.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scoping import regions_visible_to, scope
from core.permissions import Decision

from .models import DISCLOSED_STATES, CaseState, Consultation, FirmProfile, LegalAidCase

REVIEW_STATES = (CaseState.SUBMITTED, CaseState.AWAITING_DOCUMENTS)


# --- who is who ------------------------------------------------------------------------------------
def _active(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def is_staff(actor) -> bool:
    return _active(actor) and (actor.is_sysadmin or actor.role == Role.UNION_STAFF)


def is_firm_user(actor) -> bool:
    return bool(_active(actor) and not actor.is_sysadmin and actor.role in (Role.FIRM_ADMIN, Role.LAWYER))


def _covers_region(actor, region) -> bool:
    """Staff whose organisation's region is the applicant's region or one of its ancestors."""
    if actor.is_sysadmin:
        return True
    org = getattr(actor, "organisation", None)
    if org is None or org.region_id is None or region is None:
        return False
    return region.path.startswith(org.region.path)


# --- scope -----------------------------------------------------------------------------------------
def cases_visible_to(actor) -> QuerySet:
    """Staff: their region subtree (by the applicant's region). Firm admins: cases currently routed to their
    firm. Lawyers: cases their firm accepted. Employers, negotiators, bureau reviewers: nothing."""
    qs = LegalAidCase.objects.select_related("applicant_region", "opposing_employer", "assigned_firm", "assigned_lawyer")
    if not _active(actor):
        return qs.none()
    if actor.role in (Role.EMPLOYER_REP, Role.UNION_NEGOTIATOR, Role.BUREAU_REVIEWER) and not actor.is_sysadmin:
        return qs.none()
    qs = scope(actor, qs, region="applicant_region", employer=None, firm="assigned_firm")
    if actor.role == Role.LAWYER and not actor.is_sysadmin:
        qs = qs.filter(state__in=DISCLOSED_STATES)
    return qs


def case_history_visible_to(actor) -> QuerySet:
    """The case's audit history: the case's own scope, except that a firm sees it only once it accepted the
    case (the trail carries staff's reasons, which may describe the applicant)."""
    qs = cases_visible_to(actor)
    if is_firm_user(actor):
        qs = qs.filter(state__in=DISCLOSED_STATES)
    return qs


def consultations_visible_to(actor) -> QuerySet:
    qs = Consultation.objects.select_related("region", "handled_by")
    if not is_staff(actor):
        return qs.none()
    return scope(actor, qs, region="region")


def firms_visible_to(actor) -> QuerySet:
    qs = FirmProfile.objects.select_related("organisation", "organisation__region").prefetch_related("regions")
    if not _active(actor):
        return qs.none()
    if actor.is_sysadmin or actor.role == Role.UNION_STAFF:
        return qs
    if actor.role in (Role.FIRM_ADMIN, Role.LAWYER):
        return qs.filter(organisation_id=actor.organisation_id)
    return qs.none()


def personal_data_visible(actor, case: LegalAidCase) -> bool:
    """Firm users see the applicant's personal data only once their firm accepted the case."""
    if not is_firm_user(actor):
        return True
    return case.state in DISCLOSED_STATES and case.assigned_firm_id == actor.organisation_id


def needs_full_personal_data(actor, case: LegalAidCase) -> bool:
    """Who needs the applicant's ID and phone numbers in full (个人信息保护法 arts. 6, 28: no more than the
    purpose needs): the staff deciding the case (union staff of the applicant's region or above) and the firm
    that accepted it. Everyone else, and every list and summary, gets them masked (core.pii)."""
    if not personal_data_visible(actor, case):
        return False
    if is_staff(actor):
        return bool(staff_of_region(actor, case))
    return bool(lawyer_of_assigned_firm(actor, case))


def needs_full_caller_data(actor, consultation: Consultation) -> bool:
    """A hotline caller's phone in full: the region's staff who follow the call up (lists show it masked)."""
    return is_staff(actor) and (actor.is_sysadmin or consultations_visible_to(actor).filter(pk=consultation.pk).exists())


def may_export_subject_data(actor) -> Decision:
    """A subject-access export (个人信息保护法 arts. 45, 50): union staff, over the records in their scope."""
    if not is_staff(actor):
        return Decision.deny(_("只有工会工作人员可以导出个人信息。"))
    return Decision.allow()


# --- creation --------------------------------------------------------------------------------------
def can_create_consultation(actor) -> Decision:
    if not is_staff(actor):
        return Decision.deny(_("只有工会工作人员可以记录热线咨询。"))
    return Decision.allow()


def can_record_consultation_in(actor, region) -> Decision:
    d = can_create_consultation(actor)
    if not d:
        return d
    if region is not None and not regions_visible_to(actor).filter(pk=region.pk).exists():
        return Decision.deny(_("该地区不在您的管辖范围内。"))
    return Decision.allow()


def can_create_case(actor, data: dict) -> Decision:
    """Union staff of the applicant's region (or above) register an application; nobody else."""
    if not is_staff(actor):
        return Decision.deny(_("只有工会工作人员可以登记法律援助申请。"))
    region = data.get("applicant_region")
    if region is not None and not regions_visible_to(actor).filter(pk=region.pk).exists():
        return Decision.deny(_("申请人所在地区不在您的管辖范围内。"))
    employer = data.get("opposing_employer")
    if employer is not None:
        from accounts.scoping import employers_visible_to

        if not employers_visible_to(actor).filter(pk=employer.pk).exists():
            return Decision.deny(_("对方用人单位不在您的管辖范围内。"))
    return Decision.allow()


# --- object rules: (actor, case) -> Decision --------------------------------------------------------
def staff_of_region(actor, case) -> Decision:
    """Union staff of the applicant's region (or an ancestor region)."""
    if not is_staff(actor):
        return Decision.deny(_("只有申请人所在地区的工会工作人员可以执行此操作。"))
    if not _covers_region(actor, case.applicant_region):
        return Decision.deny(_("申请人所在地区不在您的管辖范围内。"))
    return Decision.allow()


def staff_before_decision(actor, case) -> Decision:
    d = staff_of_region(actor, case)
    if d and case.state not in REVIEW_STATES:
        return Decision.deny(_("审查决定作出后不能修改申请。"))
    return d


def firm_admin_of_offered_firm(actor, case) -> Decision:
    """The admin of the firm the case is offered to."""
    if not _active(actor):
        return Decision.deny(_("请先登录。"))
    if actor.is_sysadmin:
        return Decision.allow()
    if actor.role != Role.FIRM_ADMIN:
        return Decision.deny(_("只有被推送律所的管理员可以接受或拒绝案件。"))
    if case.assigned_firm_id is None or actor.organisation_id != case.assigned_firm_id:
        return Decision.deny(_("案件未推送给您的律所。"))
    return Decision.allow()


def firm_admin_of_assigned_firm(actor, case) -> Decision:
    """The admin of the firm that accepted the case."""
    if not _active(actor):
        return Decision.deny(_("请先登录。"))
    if actor.is_sysadmin:
        return Decision.allow()
    if actor.role != Role.FIRM_ADMIN:
        return Decision.deny(_("只有承办律所的管理员可以指派律师。"))
    if actor.organisation_id != case.assigned_firm_id:
        return Decision.deny(_("案件不由您的律所承办。"))
    return Decision.allow()


def lawyer_of_assigned_firm(actor, case) -> Decision:
    """The firm's lawyers (and its admin) once the firm accepted the case."""
    if not _active(actor):
        return Decision.deny(_("请先登录。"))
    if actor.is_sysadmin:
        return Decision.allow()
    if actor.role not in (Role.FIRM_ADMIN, Role.LAWYER):
        return Decision.deny(_("只有承办律所的律师可以执行此操作。"))
    if actor.organisation_id != case.assigned_firm_id or case.state not in DISCLOSED_STATES:
        return Decision.deny(_("案件不由您的律所承办。"))
    return Decision.allow()


def staff_or_assigned_firm(actor, case) -> Decision:
    """Region staff, or the firm that accepted the case."""
    if is_staff(actor):
        return staff_of_region(actor, case)
    return lawyer_of_assigned_firm(actor, case)


def may_add_document(actor, case) -> Decision:
    if is_firm_user(actor) and case.state not in (CaseState.ACCEPTED, CaseState.IN_PROGRESS):
        return Decision.deny(_("律所只能为已接受的案件上传材料。"))
    return staff_or_assigned_firm(actor, case)


def may_assign_lawyer(actor, case, lawyer=None) -> Decision:
    d = firm_admin_of_assigned_firm(actor, case)
    if d and lawyer is not None:
        from .selectors import lawyers_of

        if not lawyers_of(case.assigned_firm).filter(pk=lawyer.pk).exists():
            return Decision.deny(_("只能指派本所的律师。"))
    return d
