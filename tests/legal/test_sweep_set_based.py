"""Issue 14: the legal sweep is one query per rule; its cost grows with the number of due cases only by each
case's audited write (the runner) and its notification, never by a read per case."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from legal import services
from legal.models import LegalAidCase
from legal.services.sweep import sweep
from notifications.models import Notification

RECEIVED = dt.date(2026, 9, 1)
NOW = timezone.make_aware(dt.datetime(2026, 9, 20, 10))  # every case received on 1 Sept is overdue by now


def _sweep_queries():
    with CaptureQueriesContext(connection) as ctx:
        counts = sweep(NOW)
    return counts, len(ctx.captured_queries)


def test_sweep_queries_grow_only_by_the_per_case_writes(world, make_case):
    _counts, idle = _sweep_queries()  # nothing due: one query per rule (and the art. 44 window)

    measured = {}
    for n in (1, 2, 5):
        cases = [make_case(received_on=RECEIVED) for _ in range(n)]
        counts, queries = _sweep_queries()
        assert counts["decision_overdue"] == n
        assert LegalAidCase.objects.filter(pk__in=[c.pk for c in cases], decision_overdue=True).count() == n
        measured[n] = queries
    # One statement per due case: its UPDATE (the runner's system write of a row its batch locked: no
    # savepoint, no lock of its own, the audit event inserted with the batch's others). Fixed per batch:
    # its savepoint, the lock of all its rows, the region and its staff (once per region), one notification
    # INSERT per case (notify, per case here), one audit INSERT, the overview refresh, the release.
    per_case = measured[5] - measured[2]
    assert per_case == 3 * 2  # UPDATE + the case's notification INSERT, for 3 more cases
    assert measured[2] - measured[1] == 2
    fixed = measured[1] - idle - 2
    assert 0 < fixed <= 14

    # every change audited as the system, every one told to the region's staff
    assert AuditEvent.objects.filter(action="flag_decision_overdue", actor__isnull=True).count() == 1 + 2 + 5
    staff = Notification.objects.filter(kind="legal.decision_overdue")
    assert staff.filter(recipient=world.users.staff_hh).count() == 1 + 2 + 5
    assert sweep(NOW)["decision_overdue"] == 0  # idempotent


def test_a_flag_that_no_longer_holds_is_cleared_once_audited(world, make_case):
    case = make_case(received_on=RECEIVED)
    assert sweep(NOW)["decision_overdue"] == 1
    # documents requested: the case is no longer under review, the decision period pauses
    services.case_request_documents(actor=world.users.staff_hh, case=case.pk, what="劳动合同", on=dt.date(2026, 9, 20))
    counts = sweep(NOW)
    assert counts["decision_overdue"] == 0  # clearing is not a warning
    case.refresh_from_db()
    assert not case.decision_overdue
    cleared = AuditEvent.objects.filter(action="flag_decision_overdue", object_id=str(case.pk)).order_by("pk")
    assert [e.data["decision_overdue"] for e in cleared] == [True, False]
    sweep(NOW)
    assert cleared.count() == 2


def test_due_soon_is_the_decision_date_or_the_day_before(world, make_case):
    case = make_case(received_on=RECEIVED)
    due = case.decision_due
    at = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time(10)))  # noqa: E731
    assert sweep(at(due - dt.timedelta(days=2)))["decision_due_soon"] == 0
    assert sweep(at(due - dt.timedelta(days=1)))["decision_due_soon"] == 1
    assert sweep(at(due))["decision_due_soon"] == 0  # already flagged
    counts = sweep(at(due + dt.timedelta(days=1)))  # overdue now: soon cleared, overdue set
    assert counts["decision_overdue"] == 1
    case.refresh_from_db()
    assert case.decision_overdue and not case.decision_due_soon
