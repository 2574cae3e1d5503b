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
