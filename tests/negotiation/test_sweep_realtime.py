"""Time-driven transitions through `sweep_deadlines`, and what is published to the negotiation's group."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from core import realtime
from negotiation import services as svc
from negotiation.models import Negotiation, State
from notifications.models import Notification

from .conftest import walk

pytestmark = pytest.mark.django_db


def test_sweep_command_marks_overdue_once(world, monkeypatch):
    neg = walk(world, State.PROPOSED)
    Negotiation.objects.filter(pk=neg.pk).update(response_due=timezone.localdate() - dt.timedelta(days=1))
    call_command("sweep_deadlines")
    call_command("sweep_deadlines")
    neg.refresh_from_db()
    assert neg.state == State.OVERDUE
    assert Notification.objects.filter(kind="negotiation.overdue").count() == 1


def test_sweep_leaves_open_review_alone_and_notifies_comment_closing(world):
    neg = walk(world, State.UNDER_REVIEW)
    assert svc.sweep(timezone.now())["effective"] == 0
    other = walk(world, State.COMMENTS)
    draft = other.drafts.get()
    draft.comments_close = timezone.now() + dt.timedelta(hours=5)
    draft.save()
    assert svc.sweep(timezone.now())["comments_closing"] == 1
    assert svc.sweep(timezone.now())["comments_closing"] == 0
    assert Notification.objects.filter(kind="negotiation.comments_closing", recipient=world.users.negotiator_a).count() == 1
    assert Negotiation.objects.get(pk=neg.pk).state == State.UNDER_REVIEW


def test_changes_publish_on_commit_with_version(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    # a write's events leave together after its commit (realtime.send_many), each a full message
    monkeypatch.setattr(realtime, "send_now", lambda group, event, payload: sent.append((group, event, payload)))
    monkeypatch.setattr(realtime, "send_many",
                        lambda messages: sent.extend((g, m["event"], m) for g, m in messages))
    neg = walk(world, State.IN_ROUNDS)
    group = realtime.group_for("negotiation", neg.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svc.round_record(negotiation=neg, actor=world.users.employer_a, held_on=timezone.localdate(), attendees="a", recorder="b", minutes="c")
    changed = [p for g, e, p in sent if g == group and e == "changed"]
    assert changed and changed[-1]["version"] == Negotiation.objects.get(pk=neg.pk).version
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.negotiation_suspend(negotiation=neg, actor=world.users.employer_a, next_date=timezone.localdate() + dt.timedelta(days=2))
    assert any(g == group and e == "transition" and p["state"] == State.SUSPENDED for g, e, p in sent)
