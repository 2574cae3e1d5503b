"""Notifications for work that reaches someone where the workflow's own service sends none (issue 12 item 6).

Every audited write sends core.signals.object_changed inside its transaction; the notification rows are
written in that same transaction (a rolled-back change tells nobody) and pushed on commit by
notifications.services.notify. Covered here:

- negotiation, one chief signed (`sign_side`): the other side's representatives, whose signature now waits;
- negotiation, both signed (`sign`): both sides, the filing due date and its article (集体合同规定 art. 42);
- negotiation, coordination finished (`coordination_agree` / `coordination_close`) or extended: both sides;
- negotiation, talks started, suspended or resumed by one side: the other side;
- legal aid, an application registered (not a runner write: Django's post_save on creation): the other
  union staff covering the applicant's region, with the decision due date (法律援助法 art. 43).

What the services already send (a proposal to the employer, a reply to the union, a filing or a coordination
request to the bureau, an offer to the firm, an assignment to the lawyer, every dispute stage to staff and
the employer) is not repeated.
"""
from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from core.signals import object_changed


def _notify(**kw):
    from notifications.services import notify

    return notify(**kw)


def _other_side(neg, actor):
    from negotiation.services import both_sides, employer_reps, union_negotiators

    if actor is None:
        return both_sides(neg)
    if actor.organisation_id == neg.union_id:
        return list(employer_reps(neg))
    if actor.organisation_id == neg.employer_id:
        return list(union_negotiators(neg))
    return both_sides(neg)


def _negotiation_changed(obj, action, actor):
    from negotiation.services import _url, both_sides

    url = _url(obj)
    if action == "sign_side":
        _notify(recipients=_other_side(obj, actor), kind="negotiation.sign_waiting", obj=obj, url=url,
                title=_("对方首席代表已在集体合同上签字，等待您方签字：%(t)s") % {"t": obj.title})
    elif action == "sign":
        _notify(recipients=both_sides(obj), kind="negotiation.filing_waiting", obj=obj, url=url,
                title=_("集体合同双方已签字，请于%(d)s前报送劳动保障行政部门：%(t)s")
                % {"d": obj.filing_due.isoformat() if obj.filing_due else "", "t": obj.title},
                body=obj.filing_due_explanation)
    elif action in ("coordination_agree", "coordination_close"):
        title = (_("协调处理完成，双方恢复协商：%(t)s") if action == "coordination_agree"
                 else _("协调处理终结：%(t)s")) % {"t": obj.title}
        _notify(recipients=both_sides(obj), kind="negotiation.coordination_result", obj=obj, url=url, title=title,
                body=obj.coordination_outcome or "")
    elif action == "extend_coordination":
        _notify(recipients=both_sides(obj), kind="negotiation.coordination", obj=obj, url=url,
                title=_("协调处理期限延长至%(d)s：%(t)s") % {"d": obj.coordination_due.isoformat() if obj.coordination_due else "",
                                                        "t": obj.title},
                body=obj.coordination_due_explanation)
    elif action in ("start_rounds", "suspend", "resume"):
        titles = {
            "start_rounds": _("对方已开始协商会议：%(t)s"),
            "suspend": _("对方已中止协商，约定%(d)s恢复：%(t)s"),
            "resume": _("对方已恢复协商：%(t)s"),
        }
        d = obj.next_meeting_on.isoformat() if obj.next_meeting_on else ""
        _notify(recipients=_other_side(obj, actor), kind=f"negotiation.{action}", obj=obj, url=url,
                title=titles[action] % {"t": obj.title, "d": d})


@receiver(object_changed, dispatch_uid="worklist.object_changed")
def tell_who_is_waited_for(sender, obj, action, from_state, to_state, actor, **kwargs):
    if sender._meta.label_lower == "negotiation.negotiation":
        _negotiation_changed(obj, action, actor)


def _legal_case_created(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from legal.selectors import staff_for_region
    from legal.services._common import case_url

    creator = instance.created_by_id
    staff = [u for u in staff_for_region(instance.applicant_region) if u.pk != creator]
    due = instance.decision_due.isoformat() if instance.decision_due else ""
    _notify(recipients=staff, kind="legal.submitted", obj=instance, url=case_url(instance),
            title=_("新的法律援助申请待审查：%(n)s，审查决定截止%(d)s") % {"n": instance.number, "d": due},
            body=instance.decision_due_explanation)


def connect():
    from django.apps import apps

    post_save.connect(_legal_case_created, sender=apps.get_model("legal", "LegalAidCase"),
                      dispatch_uid="worklist.legal_case_created")


connect()
