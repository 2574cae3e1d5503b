"""The workflow registry is complete: every action has a rule, labels in both languages, an input, an
audit name with a label, and an operation in the OpenAPI schema."""
from __future__ import annotations

import pytest
from django.utils import translation

from core import workflow as registry

EXPECTED = {"negotiation", "disputes", "legal"}


def _has_cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def test_every_workflow_registered():
    assert EXPECTED <= {wf.name for wf in registry.all_workflows()}


@pytest.mark.parametrize("wf", registry.all_workflows(), ids=lambda wf: wf.name)
def test_actions_complete(wf):
    assert wf.actions, f"{wf.name} declares no actions"
    for a in wf.actions.values():
        assert callable(a.rule), a.name
        assert callable(a.service), a.name
        with translation.override("zh-hans"):
            zh = str(a.label)
        with translation.override("en"):
            en = str(a.label)
        assert zh and _has_cjk(zh), f"{wf.name}.{a.name}: Chinese label missing"
        assert en and not _has_cjk(en), f"{wf.name}.{a.name}: English label missing ({en})"
        # every audit action it writes is labelled on the timeline, in both languages
        for w in a.writes:
            with translation.override("en"):
                label = wf.event_label(w)
            assert label != w and not _has_cjk(label), f"{wf.name}: audit action {w} has no label"
        for t in a.transitions:
            assert hasattr(wf.model, t), f"{wf.name}.{a.name}: no transition {t}"


@pytest.mark.parametrize("wf", registry.all_workflows(), ids=lambda wf: wf.name)
def test_event_labels_translated(wf):
    for name, label in wf.event_labels.items():
        with translation.override("en"):
            assert not _has_cjk(str(label)), f"{wf.name}: event {name} has no English label"
    for value, label in wf.model._meta.get_field("state").flatchoices:
        with translation.override("en"):
            assert not _has_cjk(str(label)), f"{wf.name}: state {value} has no English label"


def test_every_api_action_in_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = {op.get("operationId") for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)}
    missing = [f"{wf.name}_{a.name}" for wf in registry.all_workflows() for a in wf.actions.values()
               if a.api and f"{wf.name}_{a.name}" not in ops]
    assert missing == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_object_changed_is_sent_for_a_transition_and_not_kept_on_rollback(world):
    """Apps follow workflow objects through core.signals.object_changed, sent inside the writing
    transaction (documents and overview schedule their work on commit from it)."""
    import datetime as dt

    from django.db import transaction

    from core.signals import object_changed
    from negotiation import services as svc
    from negotiation.models import State
    from tests.negotiation.conftest import PAY_TERM, UNION_REPS

    seen = []

    def receiver(sender, obj, action, from_state, to_state, actor, **kw):
        seen.append((sender.__name__, action, from_state, to_state, actor))
        transaction.on_commit(lambda: seen.append("committed"))

    object_changed.connect(receiver)
    try:
        u = world.users
        neg = svc.negotiation_create(actor=u.negotiator_a, employer=world.emp_a, title="信号", headcount=10,
                                     term_start=dt.date(2027, 1, 1), term_end=dt.date(2027, 12, 31))
        svc.representatives_set(negotiation=neg, actor=u.negotiator_a, side="union", people=UNION_REPS)
        svc.term_add(negotiation=neg, actor=u.negotiator_a, kind="pay", title="工资", data=PAY_TERM)
        seen.clear()
        neg = svc.proposal_submit(negotiation=neg, actor=u.negotiator_a)
        assert ("Negotiation", "propose", State.DRAFT, State.PROPOSED, u.negotiator_a) in seen
        assert seen[-1] == "committed"
        seen.clear()
        with pytest.raises(RuntimeError), transaction.atomic():
            svc.negotiation_withdraw(negotiation=neg, actor=u.negotiator_a, reason="撤回")
            raise RuntimeError
        assert seen and "committed" not in seen  # sent, but the on-commit work died with the rollback
    finally:
        object_changed.disconnect(receiver)
