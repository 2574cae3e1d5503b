"""Who may do what to a dispute case: rules `(actor, case) -> Decision` with the reason shown on a
disabled button and in the 403. Scope (which rows an actor sees at all: 404 otherwise) is
`selectors.disputes_visible_to`; the workflow registry (`disputes/workflow.py`) names a rule per
action and the runner checks it again under the row lock."""
from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Role
from core.permissions import Decision


def _staff(actor) -> bool:
    return bool(actor.is_sysadmin or actor.role == Role.UNION_STAFF)


def can_open(actor) -> Decision:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Decision.deny(_("请先登录。"))
    if _staff(actor):
        return Decision.allow()
    return Decision.deny(_("只有工会工作人员可以登记劳动争议案件。"))


def can_manage(actor, case) -> Decision:
    """Recording stage changes (the union side keeps the case file); the case is already in scope."""
    if _staff(actor):
        return Decision.allow()
    if actor.role == Role.EMPLOYER_REP:
        return Decision.deny(_("用人单位只能查看案件并提交本单位的材料，不能变更案件阶段。"))
    return Decision.deny(_("只有工会工作人员可以办理劳动争议案件。"))


def can_upload(actor, case) -> Decision:
    if not case.is_open:
        return Decision.deny(_("案件已结案或撤回，不能再提交材料。"))
    if _staff(actor):
        return Decision.allow()
    if actor.role == Role.EMPLOYER_REP and actor.organisation_id == case.employer_id:
        return Decision.allow()
    return Decision.deny(_("您无权为该案件提交材料。"))


def can_recompute_limitation(actor, case) -> Decision:
    """Recomputing the limitation after a suspension is entered: administrators (and the system)."""
    if actor.is_sysadmin:
        return Decision.allow()
    return Decision.deny(_("只有系统管理员可以重新计算仲裁时效。"))


def can_refer_to_legal_aid(actor, case) -> Decision:
    if _staff(actor):
        return Decision.allow() if case.is_open else Decision.deny(_("案件已结案或撤回。"))
    return Decision.deny(_("只有工会工作人员可以转法律援助。"))
