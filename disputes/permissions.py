"""Object rules for dispute cases. Scope (who sees which rows) is in selectors; these say who may act."""
from __future__ import annotations

from accounts.models import Role
from core.permissions import Decision


def can_open(actor) -> Decision:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Decision.deny("请先登录。")
    if actor.is_sysadmin or actor.role == Role.UNION_STAFF:
        return Decision.allow()
    return Decision.deny("只有工会工作人员可以登记劳动争议案件。")


def can_manage(actor, case) -> Decision:
    """Recording stage changes (the union side keeps the case file); the case must already be in scope."""
    if actor.is_sysadmin or actor.role == Role.UNION_STAFF:
        return Decision.allow()
    if actor.role == Role.EMPLOYER_REP:
        return Decision.deny("用人单位只能查看案件并提交本单位的材料，不能变更案件阶段。")
    return Decision.deny("只有工会工作人员可以办理劳动争议案件。")


def can_upload(actor, case) -> Decision:
    if not case.is_open:
        return Decision.deny("案件已结案或撤回，不能再提交材料。")
    if actor.is_sysadmin or actor.role == Role.UNION_STAFF:
        return Decision.allow()
    if actor.role == Role.EMPLOYER_REP and actor.organisation_id == case.employer_id:
        return Decision.allow()
    return Decision.deny("您无权为该案件提交材料。")


def can_refer_to_legal_aid(actor, case) -> Decision:
    if actor.is_sysadmin or actor.role == Role.UNION_STAFF:
        return Decision.allow() if case.is_open else Decision.deny("案件已结案或撤回。")
    return Decision.deny("只有工会工作人员可以转法律援助。")
