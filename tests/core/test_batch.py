"""core.batch: work deferred to the end of a batch runs once, with every item, only when the batch
succeeds; events published inside a batch are sent after its commit, in order per group, once."""
import pytest
from django.db import transaction

from core import batch, realtime

pytestmark = pytest.mark.django_db


def test_deferred_work_runs_once_per_key_with_every_item_at_the_end():
    ran = []
    with batch.deferring():
        assert batch.defer("k", 1, ran.append)
        assert batch.defer("k", 2, lambda items: ran.append(("second flush never used", items)))
        assert batch.defer("other", "x", ran.append)
        assert ran == []  # nothing yet
    assert ran == [[1, 2], ["x"]]


def test_outside_a_batch_the_caller_does_the_work_now():
    assert batch.defer("k", 1, lambda items: None) is False


def test_nothing_deferred_runs_when_the_batch_fails():
    ran = []
    with pytest.raises(RuntimeError):
        with batch.deferring():
            batch.defer("k", 1, ran.append)
            raise RuntimeError("boom")
    assert ran == []


def test_nested_blocks_join_the_outer_one():
    ran = []
    with batch.deferring():
        with batch.deferring():
            batch.defer("k", 1, ran.append)
        assert ran == []
        batch.defer("k", 2, ran.append)
    assert ran == [[1, 2]]


def test_a_batch_sends_its_events_after_the_commit_in_order_and_drops_rolled_back_ones(
        django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(realtime, "send_many", lambda messages: sent.append(list(messages)))
    with django_capture_on_commit_callbacks(execute=True):
        with realtime.outbox():
            realtime.publish("negotiation.1", "transition", id=1, n=1)
            try:
                with transaction.atomic():
                    realtime.publish("negotiation.2", "transition", id=2)
                    raise ValueError
            except ValueError:
                pass
            realtime.publish("negotiation.1", "transition", id=1, n=2)
    assert len(sent) == 1
    groups = [(g, m["n"]) for g, m in sent[0]]
    assert groups == [("negotiation.1", 1), ("negotiation.1", 2)]


def test_send_many_sends_the_objects_groups_before_peoples_and_keeps_each_groups_order(monkeypatch):
    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message["n"]))

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: Layer())
    realtime.send_many([("user.1", {"n": 1}), ("negotiation.5", {"n": 2}), ("user.1", {"n": 3}),
                        ("user.2", {"n": 4}), ("negotiation.5", {"n": 5})])
    assert sent[:2] == [("negotiation.5", 2), ("negotiation.5", 5)]
    assert [n for g, n in sent if g == "user.1"] == [1, 3] and len(sent) == 5


def test_one_runner_write_sends_its_event_and_its_notifications_together_after_commit(
        world, django_capture_on_commit_callbacks, monkeypatch):
    """A suspension tells the other side (worklist.receivers): the page's own event and those notifications
    leave in one send_many after the commit, the negotiation's group first."""
    import datetime as dt

    from negotiation import services as ns
    from negotiation.models import State
    from tests.negotiation.conftest import walk

    batches = []
    monkeypatch.setattr(realtime, "send_many", lambda messages: batches.append(list(messages)))
    neg = walk(world, State.IN_ROUNDS)
    batches.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ns.negotiation_suspend(negotiation=neg, actor=world.users.negotiator_a, reason="疫情防控",
                               next_date=dt.date.today() + dt.timedelta(days=30))
    assert len(batches) == 1
    groups = [g for g, _m in batches[0]]
    assert f"negotiation.{neg.pk}" in groups and any(g.startswith("user.") for g in groups)
