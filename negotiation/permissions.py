"""Object rules for negotiations: each returns a Decision with the reason shown on a disabled button.

The scope (who may see a negotiation at all) is `selectors.negotiations_visible_to`; these rules
decide who may act. Which rule guards which action is declared once, in `negotiation/workflow.py`;
the edits that are not registry actions (terms, representatives, rounds, comments) use the
`can_*` rules below. Sysadmins pass everything.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Role
from core.permissions import Decision

from .models import Negotiation, State


def _sysadmin(actor) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False) and actor.is_sysadmin)


def is_union_side(actor, negotiation: Negotiation) -> Decision:
    if _sysadmin(actor):
        return Decision.allow()
    if actor and actor.has_role(Role.UNION_NEGOTIATOR) and actor.organisation_id == negotiation.union_id:
        return Decision.allow()
    return Decision.deny(_("只有本协商的工会协商代表可以执行此操作。"))


def is_employer_side(actor, negotiation: Negotiation) -> Decision:
    if _sysadmin(actor):
        return Decision.allow()
    if actor and actor.has_role(Role.EMPLOYER_REP) and actor.organisation_id == negotiation.employer_id:
        return Decision.allow()
    return Decision.deny(_("只有本协商的用人单位协商代表可以执行此操作。"))


def is_either_side(actor, negotiation: Negotiation) -> Decision:
    if is_union_side(actor, negotiation) or is_employer_side(actor, negotiation):
        return Decision.allow()
    return Decision.deny(_("只有协商双方的代表可以执行此操作。"))


def is_bureau(actor, negotiation: Negotiation) -> Decision:
    if _sysadmin(actor):
        return Decision.allow()
    if not (actor and actor.has_role(Role.BUREAU_REVIEWER) and actor.organisation_id):
        return Decision.deny(_("只有劳动保障行政部门的审查员可以执行此操作。"))
    if negotiation.bureau_id and negotiation.bureau_id != actor.organisation_id:
        return Decision.deny(_("该集体合同报送的是其他劳动保障行政部门。"))
    if not negotiation.employer.region.path.startswith(actor.organisation.region.path):
        return Decision.deny(_("该用人单位不在本部门辖区内。"))
    return Decision.allow()


def can_edit_terms(actor, negotiation: Negotiation) -> Decision:
    if negotiation.state == State.DRAFT:
        return is_union_side(actor, negotiation)
    if negotiation.state in (State.PROPOSED, State.ACCEPTED, State.IN_ROUNDS):
        # Counter-proposals per term: the employer side while responding and both sides in rounds.
        if negotiation.state == State.PROPOSED:
            ok = is_employer_side(actor, negotiation)
            return ok if ok else Decision.deny(_("要约已发出，职工方不能再修改条款；请等待对方回应。"))
        return is_either_side(actor, negotiation)
    return Decision.deny(_("当前状态下不能修改条款。"))


REPRESENTATIVE_STATES = (State.DRAFT, State.PROPOSED, State.ACCEPTED, State.IN_ROUNDS, State.SUSPENDED)


def can_edit_representatives(actor, negotiation: Negotiation, side: str) -> Decision:
    """Each side appoints its own representatives (集体合同规定 arts. 20–21): the union its list and
    chief, the employer (its legal representative) its own, once the proposal has been served on it.
    Neither side ever edits the other's list."""
    if negotiation.state not in REPRESENTATIVE_STATES:
        return Decision.deny(_("当前状态下不能变更协商代表。"))
    if side == "union":
        if is_union_side(actor, negotiation):
            return Decision.allow()
        return Decision.deny(_("职工一方的协商代表由本单位工会选派，只有工会协商代表可以设置（集体合同规定第20条）。"))
    if negotiation.state == State.DRAFT and not _sysadmin(actor):
        return Decision.deny(_("用人单位一方的协商代表由用人单位法定代表人指派，要约送达后由用人单位自行设置（集体合同规定第21条）。"))
    if is_employer_side(actor, negotiation):
        return Decision.allow()
    return Decision.deny(_("用人单位一方的协商代表由用人单位法定代表人指派，只有用人单位协商代表可以设置（集体合同规定第21条）。"))


def _sides_of(actor, negotiation) -> list[str]:
    out = []
    if is_union_side(actor, negotiation):
        out.append("union")
    if is_employer_side(actor, negotiation):
        out.append("employer")
    return out


def can_confirm_draft(actor, negotiation: Negotiation) -> Decision:
    """Either side's chief confirms the draft once; a side that has confirmed waits for the other."""
    sides = _sides_of(actor, negotiation)
    if not sides:
        return Decision.deny(_("只有协商双方的代表可以确认草案。"))
    if any(not getattr(negotiation, f"{s}_draft_confirmed_by_id") for s in sides):
        return Decision.allow()
    if sides == ["union"]:
        return Decision.deny(_("职工方首席代表已确认草案，等待用人单位方首席代表确认。"))
    if sides == ["employer"]:
        return Decision.deny(_("用人单位方首席代表已确认草案，等待职工方首席代表确认。"))
    return Decision.deny(_("双方首席代表均已确认草案。"))


def can_sign(actor, negotiation: Negotiation) -> Decision:
    """Each side's chief signs once (art. 37); a side that has signed sees the button disabled."""
    sides = _sides_of(actor, negotiation)
    if not sides:
        return Decision.deny(_("只有协商双方的代表可以签字。"))
    if any(not getattr(negotiation, f"{s}_signed_by_id") for s in sides):
        return Decision.allow()
    if sides == ["union"]:
        return Decision.deny(_("职工方首席代表已签字，等待用人单位方签字。"))
    if sides == ["employer"]:
        return Decision.deny(_("用人单位方首席代表已签字，等待职工方签字。"))
    return Decision.deny(_("双方首席代表均已签字。"))


def can_record_round(actor, negotiation: Negotiation) -> Decision:
    if negotiation.state != State.IN_ROUNDS:
        return Decision.deny(_("只有在协商进行中才能记录协商会议。"))
    return is_either_side(actor, negotiation)


def can_manage_comments(actor, negotiation: Negotiation) -> Decision:
    return is_union_side(actor, negotiation)


def can_view_comments(actor, negotiation: Negotiation) -> Decision:
    """Employees' comments: the union side, and union staff whose scope includes the negotiation."""
    if is_union_side(actor, negotiation) or (actor and actor.has_role(Role.UNION_STAFF)):
        return Decision.allow()
    return Decision.deny(_("只有工会方可以查看职工意见。"))
