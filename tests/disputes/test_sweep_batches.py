"""The dispute sweep as one set-based pass per rule, rows changed in batches through the runner (issue 14).

A hand-built set of cases, each due or not due on 10 Mar 2027 by the rule it tests, with the sweep's full
result written out by hand: which rows changed, the audit events, the notifications (kind, title, body,
recipients). Then: a second run changes nothing; a batch boundary changes nothing; the query count is a
constant plus a fixed number of writes per due row, for two sizes.
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
from disputes import rules, services
from disputes.models import DisputeCase, State
from notifications.models import Notification

D = dt.date
TODAY = D(2027, 3, 10)
pytestmark = pytest.mark.django_db

def _now(day=TODAY):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9))


def case(world, ref, *, employer=None, **fields):
    """A case written as the earlier stages left it (dates given here are what their rules computed)."""
    employer = employer or world.emp_a
    values = dict(reference=ref, title=f"案件{ref}", employer=employer, region=employer.region, facts="事实",
                  known_on=D(2026, 9, 1), filed_on=D(2026, 11, 2), limitation_due=D(2027, 9, 1),
                  limitation_explanation="一年（第27条）", created_by=world.users.staff_hh)
    values.update(fields)
    return DisputeCase.objects.create(**values)


@pytest.fixture
def hand_built(world):
    """Owed a change on 10 Mar 2027 (ten) or not (six), each with the rule that decides it."""
    c = {}
    # Art. 14: mediation 15 days, due 9 Mar → over on the 10th: mediation failed; then its limitation governs.
    c["M1"] = case(world, "M1", state=State.MEDIATION, mediation_applied_on=D(2027, 2, 22), mediation_due=D(2027, 3, 9),
                   next_due=D(2027, 3, 9))
    # ... due on the 10th itself: the last day still counts, not failed yet; 0 days left is within the
    # default 5 days' lead → one warning.
    c["M0"] = case(world, "M0", state=State.MEDIATION, mediation_applied_on=D(2027, 2, 23), mediation_due=D(2027, 3, 10),
                   next_due=D(2027, 3, 10))
    # Art. 50: a non-final award's 15 days to sue ended 9 Mar → effective; nothing governs afterwards.
    c["A1"] = case(world, "A1", state=State.AWARDED, award_received_on=D(2027, 2, 22), award_final=False,
                   appeal_due=D(2027, 3, 9), next_due=D(2027, 3, 9))
    # Art. 48/47: a final award, the worker's 15 days over → effective; the employer's 30 days (art. 49, to
    # 1 Apr) now govern: 22 days away, beyond the 5 days' warning lead.
    c["A2"] = case(world, "A2", state=State.AWARDED, award_received_on=D(2027, 2, 22), award_final=True,
                   appeal_due=D(2027, 3, 9), set_aside_due=D(2027, 4, 1), next_due=D(2027, 3, 9))
    # ... appeal window to 20 Mar: 10 days away, nothing (not even a warning: lead 5 days).
    c["A0"] = case(world, "A0", state=State.AWARDED, award_received_on=D(2027, 3, 5), award_final=False,
                   appeal_due=D(2027, 3, 20), next_due=D(2027, 3, 20))
    # Art. 49: a final award's 30 days to apply to set it aside ended 9 Mar, no application → lapse recorded.
    c["S1"] = case(world, "S1", state=State.EFFECTIVE, award_received_on=D(2027, 2, 7), award_final=True,
                   effective_on=D(2027, 2, 23), set_aside_due=D(2027, 3, 9), next_due=D(2027, 3, 9), employer=world.emp_b)
    # ... the lapse already recorded by an earlier sweep: nothing.
    c["S0"] = case(world, "S0", state=State.EFFECTIVE, award_received_on=D(2027, 2, 7), award_final=True,
                   effective_on=D(2027, 2, 23), set_aside_due=D(2027, 3, 9), set_aside_lapsed_on=D(2027, 3, 10))
    # Art. 27: the limitation ended 9 Mar → overdue flag (emailed).
    c["O1"] = case(world, "O1", limitation_due=D(2027, 3, 9), next_due=D(2027, 3, 9))
    # ... already flagged: no second flag, no second notification.
    c["O0"] = case(world, "O0", limitation_due=D(2027, 3, 9), next_due=D(2027, 3, 9), is_overdue=True)
    # A flag left from before the date was extended to 1 Jun: cleared (83 days away: no warning either).
    c["C1"] = case(world, "C1", limitation_due=D(2027, 6, 1), next_due=D(2027, 6, 1), is_overdue=True)
    # Limitation warning lead is 30 days (rules.WARN_DAYS): 9 Apr is exactly 30 days away → warned ...
    c["W1"] = case(world, "W1", limitation_due=D(2027, 4, 9), next_due=D(2027, 4, 9))
    # ... 10 Apr is 31 days away → not yet.
    c["W0"] = case(world, "W0", limitation_due=D(2027, 4, 10), next_due=D(2027, 4, 10))
    # ... 9 Apr, but this warning was already given.
    c["W3"] = case(world, "W3", limitation_due=D(2027, 4, 9), next_due=D(2027, 4, 9),
                   last_warning_key="limitation_due:2027-04-09")
    # Art. 43: the award due 15 Mar, 5 days away, the default lead (5) → warned (Baotou's employer).
    c["W2"] = case(world, "W2", state=State.ACCEPTED, accepted_on=D(2027, 1, 14), award_due=D(2027, 3, 15),
                   next_due=D(2027, 3, 15), employer=world.emp_b)
    # Closed: past dates mean nothing any more.
    c["X0"] = case(world, "X0", state=State.CLOSED, closed_on=D(2027, 3, 1), outcome="recovered",
                   limitation_due=D(2027, 3, 1), next_due=D(2027, 3, 1))
    # Withdrawn with a stale flag: cleared (the flag only means something on an open case).
    c["X1"] = case(world, "X1", state=State.WITHDRAWN, withdrawn_on=D(2027, 3, 1), withdrawn_reason="和解",
                   next_due=D(2027, 3, 1), is_overdue=True)
    return c


def _snapshot():
    return {r["reference"]: r for r in DisputeCase.objects.values(
        "reference", "state", "is_overdue", "last_warning_key", "next_due", "set_aside_lapsed_on", "mediation_failed_on",
        "effective_on", "updated_at")}


def test_the_sweep_changes_exactly_the_due_rows_with_their_audit_events_and_notifications(world, hand_built):
    before = _snapshot()
    Notification.objects.all().delete()
    audit_before = AuditEvent.objects.count()

    counts = services.sweep(_now())

    assert counts == {"mediation_failed": 1, "award_effective": 2, "set_aside_lapsed": 1, "overdue": 1, "warned": 3}
    after = _snapshot()
    changed = {ref for ref in after if after[ref] != before[ref]}
    assert changed == {"M1", "M0", "A1", "A2", "S1", "O1", "C1", "W1", "W2", "X1"}
    assert after["M1"]["state"] == State.MEDIATION_FAILED and after["M1"]["mediation_failed_on"] == TODAY
    assert after["M1"]["next_due"] == D(2027, 9, 1) and not after["M1"]["is_overdue"]  # the limitation governs again
    assert after["A1"]["state"] == State.EFFECTIVE and after["A1"]["effective_on"] == TODAY and after["A1"]["next_due"] is None
    assert after["A2"]["state"] == State.EFFECTIVE and after["A2"]["next_due"] == D(2027, 4, 1)
    assert after["S1"]["set_aside_lapsed_on"] == TODAY and after["S1"]["next_due"] is None
    assert after["O1"]["is_overdue"] and not after["C1"]["is_overdue"] and not after["X1"]["is_overdue"]
    assert after["M0"]["state"] == State.MEDIATION and after["M0"]["last_warning_key"] == "mediation_due:2027-03-10"
    assert after["W1"]["last_warning_key"] == "limitation_due:2027-04-09"
    assert after["W2"]["last_warning_key"] == "award_due:2027-03-15"
    ref_of = {str(c.pk): ref for ref, c in hand_built.items()}
    events = {(ref_of[e.object_id], e.action, e.from_state, e.to_state, e.reason, e.actor_id, e.actor_label)
              for e in AuditEvent.objects.order_by("pk")[audit_before:]}
    assert events == {
        ("M1", "fail_mediation", "mediation", "mediation_failed", rules.MEDIATION_LAPSED, None, "system"),
        ("A1", "make_effective", "awarded", "effective", rules.APPEAL_LAPSED, None, "system"),
        ("A2", "make_effective", "awarded", "effective", rules.FINAL_APPEAL_LAPSED, None, "system"),
        ("S1", "set_aside_lapse", "effective", "", rules.SET_ASIDE_LAPSED, None, "system"),
        ("O1", "flag_overdue", "filed", "", "", None, "system"),
        ("C1", "clear_overdue", "filed", "", "", None, "system"),
        ("X1", "clear_overdue", "withdrawn", "", "", None, "system"),
        ("M0", "warn_due", "mediation", "", "", None, "system"),
        ("W1", "warn_due", "filed", "", "", None, "system"),
        ("W2", "warn_due", "accepted", "", "", None, "system"),
    }
    assert AuditEvent.objects.count() == audit_before + 10

    u = world.users
    hohhot = {u.staff_nm.username, u.staff_hh.username, u.employer_a.username}  # staff above 150105, its employer
    baotou = {u.staff_nm.username, u.staff_bt.username, u.employer_b.username}
    expected = set()
    for who, kind, title, body in [
        (hohhot, "dispute.fail_mediation", "M1 阶段变更：调解不成", rules.MEDIATION_LAPSED),
        (hohhot, "dispute.make_effective", "A1 阶段变更：裁决已生效", rules.APPEAL_LAPSED),
        (hohhot, "dispute.make_effective", "A2 阶段变更：裁决已生效", rules.FINAL_APPEAL_LAPSED),
        (baotou, "dispute.set_aside_lapse", "S1 撤销裁决申请期限已于2027-03-09届满", rules.SET_ASIDE_LAPSED),
        (hohhot, "dispute.overdue", "O1 已逾期：已立案期限2027-03-09", rules.OVERDUE_HINTS["limitation_due"]),
        (hohhot, "dispute.due_soon", "M0 调解期限将于2027-03-10届满（剩0天）", ""),
        (hohhot, "dispute.due_soon", "W1 仲裁时效届满日将于2027-04-09届满（剩30天）", ""),
        (baotou, "dispute.due_soon", "W2 裁决期限将于2027-03-15届满（剩5天）", ""),
    ]:
        expected |= {(name, kind, title, body) for name in who}
    got = list(Notification.objects.values_list("recipient__username", "kind", "title", "body"))
    assert len(got) == len(expected) == 24 and set(got) == expected
    for n in Notification.objects.all():
        assert n.object_label == "disputes.disputecase" and n.url == f"/disputes/{n.object_id}/"


def test_the_sweep_is_idempotent(world, hand_built):
    services.sweep(_now())
    state, events, notes = _snapshot(), AuditEvent.objects.count(), Notification.objects.count()
    counts = services.sweep(_now())
    assert counts == {"mediation_failed": 0, "award_effective": 0, "set_aside_lapsed": 0, "overdue": 0, "warned": 0}
    assert _snapshot() == state and AuditEvent.objects.count() == events and Notification.objects.count() == notes


def test_batches_split_the_work_not_the_result(world, hand_built, monkeypatch):
    """Two rows per transaction: the same rows, events and notifications as one batch for everything."""
    monkeypatch.setattr(batch, "BATCH", 2)
    services.sweep(_now())
    ref_of = {str(c.pk): ref for ref, c in hand_built.items()}
    assert sorted(ref_of[e.object_id] for e in AuditEvent.objects.filter(actor_label="system")) == [
        "A1", "A2", "C1", "M0", "M1", "O1", "S1", "W1", "W2", "X1"]
    assert Notification.objects.count() == 24


def test_a_row_changed_by_someone_else_meanwhile_is_skipped_and_its_batch_goes_on(world, hand_built, monkeypatch):
    """The finding query saw O1 due; before its batch locked it a person changed it (here: the flag set by
    someone else). The runner re-checks under the lock: O1 is left alone, the others in its batch change.
    (Once the batch holds its rows' locks nobody else can change them until it commits.)"""
    o2 = case(world, "O2", limitation_due=D(2027, 3, 8), next_due=D(2027, 3, 8))
    real_batches = batch.in_batches

    def meanwhile(items, *args, **kw):
        items = list(items)
        if hand_built["O1"].pk in items:
            DisputeCase.objects.filter(pk=hand_built["O1"].pk).update(is_overdue=True)
        return real_batches(items, *args, **kw)

    monkeypatch.setattr(batch, "in_batches", meanwhile)
    counts = services.sweep(_now())
    assert counts["overdue"] == 1
    assert not AuditEvent.objects.filter(object_id=str(hand_built["O1"].pk), action="flag_overdue").exists()
    assert AuditEvent.objects.filter(object_id=str(o2.pk), action="flag_overdue").count() == 1
    assert not Notification.objects.filter(kind="dispute.overdue", title__startswith="O1").exists()
    assert Notification.objects.filter(kind="dispute.overdue", title__startswith="O2").count() == 3


def _overdue_cases(world, n, start):
    for i in range(n):
        case(world, f"Q{start + i}", limitation_due=D(2027, 3, 9), next_due=D(2027, 3, 9),
             employer=world.emp_a if i % 2 else world.emp_b)


def _sweep_queries():
    with CaptureQueriesContext(connection) as ctx:
        services.sweep(_now())
    return [q["sql"] for q in ctx.captured_queries]


def test_query_count_is_a_constant_plus_the_writes_of_each_due_row(world):
    """Nothing due: the six finding queries (one per rule). N due rows (overdue flags, Hohhot's and Baotou's
    employers): those six, a constant per batch, and one statement per row: its UPDATE (of the changed
    columns only). Per batch: its savepoint, one SELECT … FOR UPDATE locking all its rows, the regions, the
    union staff above each, the employers' representatives, one notification INSERT, one audit INSERT for
    all its events, the overview refresh of all its rows (savepoint, 5 statements), the release."""
    assert len(_sweep_queries()) == 6
    ContentType.objects.get_for_model(DisputeCase)  # the audit's content type, cached per process

    _overdue_cases(world, 3, 0)
    q3 = _sweep_queries()
    _overdue_cases(world, 6, 100)
    q6 = _sweep_queries()
    k = (len(q6) - len(q3)) // 3
    constant = len(q3) - 3 * k
    assert len(q3) == constant + 3 * k and len(q6) == constant + 6 * k
    assert k == 1 and constant == 6 + 16
    for qs, n in ((q3, 3), (q6, 6)):
        # Work is found once per rule, recipients once per batch (the staff above each of the two regions,
        # the employers' representatives), the notifications and the audit events in one INSERT each.
        assert sum(q.startswith('SELECT "accounts_user"."id"') for q in qs) == 3
        assert sum(q.startswith('INSERT INTO "notifications_notification"') for q in qs) == 1
        assert sum(q.startswith('INSERT INTO "core_auditevent"') for q in qs) == 1
        assert sum(q.startswith('UPDATE "disputes_disputecase"') for q in qs) == n
    assert AuditEvent.objects.filter(action="flag_overdue").count() == 9
    if connection.features.has_select_for_update:  # PostgreSQL: the batch's rows locked in one statement
        assert sum("FOR UPDATE" in q and 'FROM "disputes_disputecase"' in q for q in q6) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_publish_of_a_sweep_is_sent_after_its_batch_commits_on_one_event_loop(world, monkeypatch):
    """Committed for real (a transactional test): each change's event and each notification's event reach
    the channel layer once their batch has committed, all through one event loop (`batch.in_one_loop`),
    not a thread, a loop and a connection per message."""
    import asyncio

    from channels.layers import get_channel_layer

    from core import realtime

    for i in range(3):
        case(world, f"L{i}", limitation_due=D(2027, 3, 9), next_due=D(2027, 3, 9))
    layer = get_channel_layer()
    sent = []

    async def group_send(group, message):
        # the loop object itself is kept (not its id): a freed loop's id could be reused by the next one
        sent.append((group, message.get("event"), asyncio.get_running_loop(), message.get("count")))

    monkeypatch.setattr(layer, "group_send", group_send)
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)
    counts = services.sweep(_now())
    assert counts["overdue"] == 3
    changed = [s for s in sent if not s[0].startswith("user.") and s[1] == "changed"]
    told = [s for s in sent if s[0].startswith("user.") and s[1] == "notification"]
    # one event per person told (staff_nm, staff_hh, the employer's rep), saying how many are new: their page
    # re-fetches its unread count once, not once per case
    assert len(changed) == 3 and len(told) == 3 and len({s[0] for s in told}) == 3
    assert {s[3] for s in told} == {3}
    assert Notification.objects.filter(kind="dispute.overdue").count() == 3 * 3
    assert len({s[2] for s in sent}) == 1
