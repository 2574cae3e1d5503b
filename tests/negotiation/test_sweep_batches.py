"""The negotiation sweep as one set-based pass per rule, rows changed in batches through the runner (issue 14).

A hand-built set of negotiations, each owed a change on 10 Mar 2027 (09:00) or not by the rule it tests,
with the sweep's whole result written out by hand: rows changed, audit events, notifications. Then: a
second run changes nothing, batches of two change the same, and the query count is a constant plus a
fixed number of statements per due row, for two sizes.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import batch
from core.models import AuditEvent
from negotiation import services as svc
from negotiation.models import Negotiation, PublishedDraft, State
from notifications.models import Notification

D = dt.date
TODAY = D(2027, 3, 10)
NOW = timezone.make_aware(dt.datetime(2027, 3, 10, 9))
pytestmark = pytest.mark.django_db


def neg(world, title, *, side="a", **fields):
    employer, union = (world.emp_a, world.union_a) if side == "a" else (world.emp_b, world.union_b)
    values = dict(title=title, employer=employer, union=union, term_start=D(2026, 1, 1), term_end=D(2027, 12, 31),
                  proposed_at=NOW - dt.timedelta(days=60))
    values.update(fields)
    return Negotiation.objects.create(**values)


def draft(n, *, closes, **fields):
    return PublishedDraft.objects.create(negotiation=n, number=1, comments_close=closes, **fields)


@pytest.fixture
def hand_built(world):
    n = {}
    # Art. 32: the employer answers within 20 days; response due 9 Mar → overdue on the 10th.
    n["P1"] = neg(world, "P1", state=State.PROPOSED, response_due=D(2027, 3, 9))
    # ... due the 10th itself: the last day still counts.
    n["P0"] = neg(world, "P0", state=State.PROPOSED, response_due=D(2027, 3, 10))
    # Art. 42: 15 days' review ended 9 Mar without objection → effective the day after (10 Mar) ...
    n["R1"] = neg(world, "R1", state=State.UNDER_REVIEW, review_ends=D(2027, 3, 9), term_start=D(2027, 1, 1))
    # ... or from the agreed start if later (Baotou's parties: 1 Apr).
    n["R2"] = neg(world, "R2", side="b", state=State.UNDER_REVIEW, review_ends=D(2027, 3, 5), term_start=D(2027, 4, 1),
                  term_end=D(2029, 3, 31))
    # ... review ends today: not yet.
    n["R0"] = neg(world, "R0", state=State.UNDER_REVIEW, review_ends=D(2027, 3, 10))
    # The term ended 9 Mar → expired; no one is notified.
    n["E1"] = neg(world, "E1", state=State.EFFECTIVE, effective_on=D(2026, 1, 1), term_end=D(2027, 3, 9))
    # ... the term's last day is today: still effective.
    n["E0"] = neg(world, "E0", state=State.EFFECTIVE, effective_on=D(2026, 1, 1), term_end=D(2027, 3, 10))
    # Comments close within a day (tomorrow 05:00) → the union told once.
    n["C1"] = neg(world, "C1", state=State.COMMENTS)
    draft(n["C1"], closes=NOW + dt.timedelta(hours=20))
    # ... in 30 hours: not yet; closed early by the union: never; already told: not again.
    n["C0"] = neg(world, "C0", state=State.COMMENTS)
    draft(n["C0"], closes=NOW + dt.timedelta(hours=30))
    n["C2"] = neg(world, "C2", state=State.COMMENTS)
    draft(n["C2"], closes=NOW + dt.timedelta(hours=5), closed_early_at=NOW - dt.timedelta(hours=1), closed_early_reason="已收集")
    n["C3"] = neg(world, "C3", state=State.COMMENTS)
    draft(n["C3"], closes=NOW + dt.timedelta(hours=5), closing_notified=True)
    return n


def _snapshot():
    return {r["title"]: r for r in Negotiation.objects.values("title", "state", "effective_on", "version")}


def test_the_sweep_changes_exactly_the_due_rows_with_their_audit_events_and_notifications(world, hand_built):
    before = _snapshot()
    audit_before = AuditEvent.objects.count()

    counts = svc.sweep(NOW)

    assert counts == {"overdue": 1, "effective": 2, "expired": 1, "comments_closing": 1}
    after = _snapshot()
    assert {t for t in after if after[t] != before[t]} == {"P1", "R1", "R2", "E1", "C1"}
    assert after["P1"]["state"] == State.OVERDUE
    assert (after["R1"]["state"], after["R1"]["effective_on"]) == (State.EFFECTIVE, D(2027, 3, 10))
    assert (after["R2"]["state"], after["R2"]["effective_on"]) == (State.EFFECTIVE, D(2027, 4, 1))
    assert after["E1"]["state"] == State.EXPIRED and after["C1"]["state"] == State.COMMENTS
    assert PublishedDraft.objects.get(negotiation=hand_built["C1"]).closing_notified
    assert not PublishedDraft.objects.get(negotiation=hand_built["C0"]).closing_notified

    title_of = {str(n.pk): t for t, n in hand_built.items()}
    events = {(title_of[e.object_id], e.action, e.from_state, e.to_state, e.actor_id, e.actor_label)
              for e in AuditEvent.objects.order_by("pk")[audit_before:]}
    assert events == {
        ("P1", "mark_overdue", "proposed", "overdue", None, "system"),
        ("R1", "take_effect", "under_review", "effective", None, "system"),
        ("R2", "take_effect", "under_review", "effective", None, "system"),
        ("E1", "expire", "effective", "expired", None, "system"),
        ("C1", "comments_closing", "comments", "", None, "system"),
    }
    assert AuditEvent.objects.count() == audit_before + 5

    u = world.users
    expected = {
        (u.negotiator_a.username, "negotiation.overdue", "要约逾期未获回应：P1，可申请劳动保障行政部门协调"),
        (u.negotiator_a.username, "negotiation.effective", "审查期届满无异议，集体合同已生效：R1"),
        (u.employer_a.username, "negotiation.effective", "审查期届满无异议，集体合同已生效：R1"),
        (u.negotiator_b.username, "negotiation.effective", "审查期届满无异议，集体合同已生效：R2"),
        (u.employer_b.username, "negotiation.effective", "审查期届满无异议，集体合同已生效：R2"),
        (u.negotiator_a.username, "negotiation.comments_closing", "职工意见征求将于2027-03-11 05:00截止：C1"),
    }
    got = list(Notification.objects.values_list("recipient__username", "kind", "title"))
    assert len(got) == len(expected) and set(got) == expected
    for n in Notification.objects.all():
        assert n.object_label == "negotiation.negotiation" and n.url == f"/negotiations/{n.object_id}/"


def test_the_sweep_is_idempotent(world, hand_built):
    svc.sweep(NOW)
    state, events, notes = _snapshot(), AuditEvent.objects.count(), Notification.objects.count()
    assert svc.sweep(NOW) == {"overdue": 0, "effective": 0, "expired": 0, "comments_closing": 0}
    assert _snapshot() == state and AuditEvent.objects.count() == events and Notification.objects.count() == notes


def test_batches_split_the_work_not_the_result(world, hand_built, monkeypatch):
    monkeypatch.setattr(batch, "BATCH", 2)
    assert svc.sweep(NOW) == {"overdue": 1, "effective": 2, "expired": 1, "comments_closing": 1}
    assert Notification.objects.count() == 6


def test_a_row_moved_on_meanwhile_is_skipped_and_its_batch_goes_on(world, hand_built, monkeypatch):
    """The finding query saw P1 due; before its batch locked it the employer answered (state accepted).
    Under the lock the expected state no longer holds (409): P1 is left alone, P2 still goes overdue.
    (Once the batch holds its rows' locks nobody else can change them until it commits.)"""
    p2 = neg(world, "P2", state=State.PROPOSED, response_due=D(2027, 3, 8))
    real = batch.in_batches

    def meanwhile(items, *args, **kw):
        items = list(items)
        if hand_built["P1"].pk in items:
            Negotiation.objects.filter(pk=hand_built["P1"].pk).update(state=State.ACCEPTED)
        return real(items, *args, **kw)

    monkeypatch.setattr(batch, "in_batches", meanwhile)
    assert svc.sweep(NOW)["overdue"] == 1
    assert Negotiation.objects.get(pk=hand_built["P1"].pk).state == State.ACCEPTED
    assert Negotiation.objects.get(pk=p2.pk).state == State.OVERDUE
    assert list(Notification.objects.filter(kind="negotiation.overdue").values_list("title", flat=True)) == [
        "要约逾期未获回应：P2，可申请劳动保障行政部门协调"]


def _sweep_queries():
    with CaptureQueriesContext(connection) as ctx:
        svc.sweep(NOW)
    return [q["sql"] for q in ctx.captured_queries]


def test_query_count_is_a_constant_plus_the_writes_of_each_due_row(world):
    """Nothing due: the four finding queries. N overdue proposals (both leagues): those four, a constant per
    batch and one statement per row, its UPDATE. Per batch: its savepoint, one SELECT … FOR UPDATE locking
    its rows (with their union and employer, which validation and the audit read), the unions' negotiators,
    the employers' representatives, one notification INSERT, one audit INSERT, the overview refresh of all
    its rows (savepoint, 5 statements), the release."""
    assert len(_sweep_queries()) == 4
    ContentType.objects.get_for_model(Negotiation)  # the audit's content type, cached per process
    for i in range(3):
        neg(world, f"Q{i}", side="ab"[i % 2], state=State.PROPOSED, response_due=D(2027, 3, 9))
    q3 = _sweep_queries()
    for i in range(6):
        neg(world, f"Q{10 + i}", side="ab"[i % 2], state=State.PROPOSED, response_due=D(2027, 3, 9))
    q6 = _sweep_queries()
    k = (len(q6) - len(q3)) // 3
    constant = len(q3) - 3 * k
    assert len(q3) == constant + 3 * k and len(q6) == constant + 6 * k
    assert k == 1 and constant == 4 + 14
    for qs, n in ((q3, 3), (q6, 6)):
        assert sum(q.startswith('SELECT "accounts_user"."id"') for q in qs) == 2
        assert sum(q.startswith('INSERT INTO "notifications_notification"') for q in qs) == 1
        assert sum(q.startswith('INSERT INTO "core_auditevent"') for q in qs) == 1
        assert sum(q.startswith('UPDATE "negotiation_negotiation"') for q in qs) == n
