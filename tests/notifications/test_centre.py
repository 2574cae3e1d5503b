"""Notification centre: page, API, mark read, email for deadline warnings, badge in the header."""
import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_active_recipient_and_publishes_on_commit(world, django_capture_on_commit_callbacks):
    u = world.users
    inactive = u.lawyer_b
    inactive.is_active = False
    inactive.save()
    with django_capture_on_commit_callbacks() as callbacks:
        rows = notify(recipients=[u.negotiator_a, u.negotiator_a, u.employer_a, inactive, None], kind="response", title="企业已应约")
    assert {r.recipient for r in rows} == {u.negotiator_a, u.employer_a}
    assert len(callbacks) == 2  # one websocket push per recipient, after commit; no email for this kind
    assert mail.outbox == []


@pytest.fixture
def eager():
    """Run Celery tasks in-process even when REDIS_URL is set (the real worker is tested in tests/realtime)."""
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def test_deadline_warning_is_emailed_once_on_commit(world, django_capture_on_commit_callbacks, eager):
    neg = world.users.negotiator_a
    neg.email = "neg@example.com"
    neg.save()
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notify(recipients=[neg], kind="deadline_approaching", title="应约期限将于3日后届满", url="/negotiations/1/",
                      email=True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neg@example.com"]
    assert "应约期限将于3日后届满" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/negotiations/1/" in mail.outbox[0].body
    n.refresh_from_db()
    assert n.emailed_at is not None
    from notifications.tasks import send_notification_emails

    assert send_notification_emails.delay([n.pk]).get() == 0  # never twice
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", [True, False])
def test_email_only_when_the_caller_asks(world, email, django_capture_on_commit_callbacks, eager):
    world.users.negotiator_a.email = "neg@example.com"
    world.users.negotiator_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.users.negotiator_a], kind="negotiation.response", title="回应", email=email)
    assert len(mail.outbox) == (1 if email else 0)


def test_page_lists_own_notifications_only_and_counts_unread(world, client_for, django_assert_max_num_queries):
    u = world.users
    for i in range(5):
        notify(recipients=[u.negotiator_a], kind="k", title=f"给甲的通知{i}")
    notify(recipients=[u.employer_b], kind="k", title="给乙的通知")
    c = client_for(u.negotiator_a)
    with django_assert_max_num_queries(8):
        r = c.get(reverse("notifications:list"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "给甲的通知4" in html and "给乙的通知" not in html
    assert 'id="notif-badge" data-count="5"' in html  # the header badge
    assert "js/live.js" in html


def test_mark_read_and_mark_all_read(world, client_for):
    u = world.users
    a, b, c_ = (notify(recipients=[u.negotiator_a], kind="k", title=f"n{i}")[0] for i in range(3))
    client = client_for(u.negotiator_a)
    r = client.post(reverse("notifications:read", args=[a.pk]), {"next": "/negotiations/1/"})
    assert r.status_code == 302 and r["Location"] == "/negotiations/1/"
    r = client.post(reverse("notifications:read", args=[b.pk]), {"next": "https://evil.example/"})
    assert r["Location"] == reverse("notifications:list")  # no open redirect
    assert Notification.objects.filter(recipient=u.negotiator_a, read_at__isnull=True).count() == 1
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(recipient=u.negotiator_a, read_at__isnull=True).count() == 0


def test_cannot_mark_someone_elses_notification(world, client_for):
    (n,) = notify(recipients=[world.users.employer_a], kind="k", title="x")
    r = client_for(world.users.employer_b).post(reverse("notifications:read", args=[n.pk]))
    assert r.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_page_needs_login_and_get_cannot_mark(world, client):
    assert client.get(reverse("notifications:list")).status_code == 302
    (n,) = notify(recipients=[world.users.employer_a], kind="k", title="x")
    client.force_login(world.users.employer_a)
    assert client.get(reverse("notifications:read", args=[n.pk])).status_code == 405


def test_api_list_count_read_and_read_all(world, api_for):
    u = world.users
    rows = [notify(recipients=[u.employer_a], kind="response", title=f"a{i}")[0] for i in range(3)]
    notify(recipients=[u.employer_b], kind="response", title="b")
    api = api_for(u.employer_a)
    r = api.get("/api/v1/notifications/")
    assert r.status_code == 200 and r.json()["count"] == 3
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}
    r = api.post(f"/api/v1/notifications/{rows[0].pk}/read/")
    assert r.json() == {"marked": 1, "unread": 2}
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 2
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 2, "unread": 0}
    other = Notification.objects.get(recipient=u.employer_b)
    assert api.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert api_for(None).get("/api/v1/notifications/").status_code in (401, 403)
