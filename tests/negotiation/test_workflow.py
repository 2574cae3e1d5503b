"""The negotiation workflow on the one mechanism: the registry entry, 审查无异议 end to end, every kind of
service refusing a wrong actor exactly as the page and the API do, audited sweeps, and the comment page's
CSRF with the headers a real browser sends."""
import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core import workflow as registry
from core.models import AuditEvent
from negotiation import rules
from negotiation import services as svc
from negotiation.models import Negotiation, State
from notifications.models import Notification
from tests.factories import BureauFactory, UserFactory, region

from .conftest import walk

pytestmark = pytest.mark.django_db
API = "/api/v1/negotiations/"


def page(neg, action):
    return reverse("core:workflow-action", args=["negotiation", neg.pk, action])


def audit_count(neg):
    return AuditEvent.objects.filter(object_id=str(neg.pk)).count()


@pytest.fixture
def bureau_bt(world):
    """A labour bureau of another region (Baotou) and its reviewer."""
    org = BureauFactory(name="包头测试人社局", region=region("150200"))
    return UserFactory(username="bureau_bt_t", role=Role.BUREAU_REVIEWER, organisation=org)


# --- the registry entry ----------------------------------------------------------------------
def test_registry_entry_and_state_groups():
    wf = registry.get("negotiation")
    assert wf.route == "negotiations" and wf.object_kw == "negotiation"
    assert set(wf.state_groups) >= {"open", "agreed", "effective", "overdue", "closed"}
    assert wf.states_in("closed") == {State.EXPIRED, State.CLOSED, State.WITHDRAWN}
    assert wf.states_in("open") | wf.states_in("closed") == set(State.values)
    assert not wf.states_in("open") & wf.states_in("closed")
    assert wf.states_in("agreed") == {State.APPROVED, State.SIGNED, State.UNDER_REVIEW, State.EFFECTIVE, State.EXPIRED}
    assert wf.states_in("effective") == {State.EFFECTIVE} and wf.states_in("overdue") == {State.OVERDUE}
    # every model transition a person runs is declared by exactly one action; the rest are the sweep's
    declared = [t for a in wf.actions.values() for t in a.transitions]
    assert len(declared) == len(set(declared))
    assert {"mark_overdue", "take_effect", "expire"}.isdisjoint(declared)


def test_buttons_follow_state_and_rule(world):
    neg = walk(world, State.COORDINATION)
    wf = registry.get("negotiation")
    by_name = {b.name: b for b in wf.buttons(world.users.bureau_hh, neg)}
    assert by_name["extend_coordination"].ok and by_name["finish_coordination"].ok
    assert not by_name["withdraw"].ok and by_name["withdraw"].reason  # the union's, shown with the reason
    svc.coordination_extend(negotiation=neg, actor=world.users.bureau_hh)
    neg.refresh_from_db()
    assert "extend_coordination" not in {b.name for b in wf.buttons(world.users.bureau_hh, neg)}  # once only


# --- 审查无异议 (DOMAIN.md §2.5) --------------------------------------------------------------------
def test_no_objection_service_makes_it_effective_today_audited_and_tells_both_sides(world):
    neg = walk(world, State.UNDER_REVIEW)
    before = audit_count(neg)
    neg = svc.review_no_objection(negotiation=neg, actor=world.users.bureau_hh)
    assert neg.state == State.EFFECTIVE and neg.effective_on == timezone.localdate()
    ev = AuditEvent.objects.filter(object_id=str(neg.pk)).latest("pk")
    assert (ev.action, ev.from_state, ev.to_state) == ("no_objection", State.UNDER_REVIEW, State.EFFECTIVE)
    assert audit_count(neg) == before + 1
    told = set(Notification.objects.filter(kind="negotiation.effective").values_list("recipient", flat=True))
    assert {world.users.negotiator_a.pk, world.users.employer_a.pk} <= told


def test_no_objection_through_the_page(world, client_for):
    neg = walk(world, State.UNDER_REVIEW)
    c = client_for(world.users.bureau_hh)
    body = c.get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert page(neg, "no_objection") in body and "审查无异议" in body
    r = c.post(page(neg, "no_objection"), {"expected_state": State.UNDER_REVIEW})
    assert r.status_code == 302
    assert Negotiation.objects.get(pk=neg.pk).state == State.EFFECTIVE
    assert "审查无异议" in c.get(reverse("negotiation:detail", args=[neg.pk])).content.decode()  # on the timeline
    # the employer sees the button disabled, and is refused with the reason
    e = client_for(world.users.employer_a)
    assert e.post(page(neg, "no_objection"), {}).status_code == 400  # no longer possible: effective


def test_no_objection_through_the_api(world, api_for):
    neg = walk(world, State.UNDER_REVIEW)
    r = api_for(world.users.employer_a).post(f"{API}{neg.pk}/no-objection/", {}, format="json")
    assert r.status_code == 403 and "审查员" in r.json()["detail"]
    r = api_for(world.users.bureau_hh).post(f"{API}{neg.pk}/no-objection/", {"expected_state": "signed"}, format="json")
    assert r.status_code == 409
    r = api_for(world.users.bureau_hh).post(f"{API}{neg.pk}/no-objection/", {"expected_state": "under_review"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "effective" and r.json()["effective_on"]


def test_no_objection_refused_for_other_regions_bureau_and_in_wrong_state(world, bureau_bt, client_for, api_for):
    neg = walk(world, State.UNDER_REVIEW)
    before = audit_count(neg)
    with pytest.raises(Http404):
        svc.review_no_objection(negotiation=neg, actor=bureau_bt)
    assert client_for(bureau_bt).post(page(neg, "no_objection"), {}).status_code == 404
    assert api_for(bureau_bt).post(f"{API}{neg.pk}/no-objection/", {}, format="json").status_code == 404
    signed = walk(world, State.SIGNED)
    with pytest.raises((ValidationError, PermissionDenied, Http404)):
        svc.review_no_objection(negotiation=signed, actor=world.users.bureau_hh)
    in_rounds = walk(world, State.IN_ROUNDS)
    with pytest.raises(ValidationError, match="当前状态"):
        svc.review_no_objection(negotiation=in_rounds, actor=world.users.admin)
    assert Negotiation.objects.get(pk=neg.pk).state == State.UNDER_REVIEW and audit_count(neg) == before


# --- wrong actors calling services directly: the same refusal as the page and API --------------------
def _nothing_written(neg, before_audit, before_version):
    fresh = Negotiation.objects.get(pk=neg.pk)
    assert audit_count(neg) == before_audit and fresh.version == before_version


WRONG = [
    # (state, actor, service call, expected exception) — one row per kind of service
    (State.IN_ROUNDS, "negotiator_b", lambda n, u, w: svc.negotiation_suspend(negotiation=n, actor=u, next_date=timezone.localdate() + dt.timedelta(days=3)), Http404),
    (State.PROPOSED, "employer_b", lambda n, u, w: svc.response_record(negotiation=n, actor=u, decision="agree"), Http404),
    (State.PROPOSED, "negotiator_a", lambda n, u, w: svc.response_record(negotiation=n, actor=u, decision="agree"), PermissionDenied),
    (State.COORDINATION, "staff_hh", lambda n, u, w: svc.coordination_finish(negotiation=n, actor=u, agreed=True, outcome="x"), PermissionDenied),
    (State.UNDER_REVIEW, "bureau_bt", lambda n, u, w: svc.objection_return(negotiation=n, actor=u, objection="x"), Http404),
    (State.APPROVED, "staff_hh", lambda n, u, w: svc.sign_record(negotiation=n, actor=u), PermissionDenied),
    (State.APPROVED, "employer_b", lambda n, u, w: svc.sign_record(negotiation=n, actor=u), Http404),
    (State.IN_ROUNDS, "negotiator_b", lambda n, u, w: svc.term_add(negotiation=n, actor=u, kind="article", title="x", data={"text": "x"}), Http404),
    (State.IN_ROUNDS, "staff_hh", lambda n, u, w: svc.term_revise(term=n.terms.first(), actor=u, data={"text": "y"}), PermissionDenied),
    (State.IN_ROUNDS, "employer_b", lambda n, u, w: svc.round_record(negotiation=n, actor=u, held_on=timezone.localdate(), attendees="a", recorder="b", minutes="c"), Http404),
    (State.IN_ROUNDS, "employer_a", lambda n, u, w: svc.representatives_set(negotiation=n, actor=u, side="union", people=[]), PermissionDenied),
    (State.IN_ROUNDS, "staff_hh", lambda n, u, w: svc.negotiation_update(negotiation=n, actor=u, title="x"), PermissionDenied),
    (State.IN_ROUNDS, "negotiator_b", lambda n, u, w: svc.negotiation_update(negotiation=n, actor=u, title="x"), Http404),
    (State.COMMENTS, "employer_a", lambda n, u, w: svc.links_issue(draft=n.drafts.get(), actor=u, count=1), PermissionDenied),
    (State.COMMENTS, "negotiator_b", lambda n, u, w: svc.links_issue(draft=n.drafts.get(), actor=u, count=1), Http404),
    (State.UNDER_REVIEW, "employer_a", lambda n, u, w: svc.review_no_objection(negotiation=n, actor=u), PermissionDenied),
]


@pytest.mark.parametrize("state,who,call,exc", WRONG, ids=[f"{i}-{r[1]}" for i, r in enumerate(WRONG)])
def test_service_called_directly_by_a_wrong_actor_is_refused_and_writes_nothing(world, bureau_bt, state, who, call, exc):
    neg = walk(world, state)
    user = bureau_bt if who == "bureau_bt" else getattr(world.users, who)
    before, version = audit_count(neg), Negotiation.objects.get(pk=neg.pk).version
    with pytest.raises(exc) as e:
        call(neg, user, world)
    if exc is PermissionDenied:
        assert str(e.value)  # the rule's reason, as on the page's 403 and the API's detail
    _nothing_written(neg, before, version)


def test_other_unions_negotiator_gets_404_not_400(world, client_for, api_for):
    """Scope before state: a negotiator of another union cannot learn the state of this negotiation
    (it used to answer 400 "not possible in this state" when the state did not fit)."""
    neg = walk(world, State.PROPOSED)
    with pytest.raises(Http404):
        svc.vote_put(negotiation=neg, actor=world.users.negotiator_b)
    assert client_for(world.users.negotiator_b).post(page(neg, "put_to_vote"), {}).status_code == 404
    assert api_for(world.users.negotiator_b).post(f"{API}{neg.pk}/put-to-vote/", {}, format="json").status_code == 404


def test_page_api_and_service_give_the_same_reason(world, client_for, api_for):
    neg = walk(world, State.PROPOSED)
    u = world.users.negotiator_a
    with pytest.raises(PermissionDenied) as e:
        svc.response_record(negotiation=neg, actor=u, decision="agree")
    reason = str(e.value)
    r = client_for(u).post(page(neg, "respond"), {"decision": "agree", "expected_state": "proposed"})
    assert r.status_code == 403
    api = api_for(u).post(f"{API}{neg.pk}/respond/", {"decision": "agree"}, format="json")
    assert api.status_code == 403 and api.json()["detail"] == reason


# --- sweeps: every write audited as the system ------------------------------------------------------
def test_every_sweep_write_leaves_an_audit_event(world):
    overdue = walk(world, State.PROPOSED)
    Negotiation.objects.filter(pk=overdue.pk).update(response_due=timezone.localdate() - dt.timedelta(days=1))
    review = walk(world, State.UNDER_REVIEW)
    comments = walk(world, State.COMMENTS)
    draft = comments.drafts.get()
    draft.comments_close = timezone.now() + dt.timedelta(hours=3)
    draft.save()
    later = timezone.now() + dt.timedelta(days=40)
    before = {n.pk: audit_count(n) for n in (overdue, review, comments)}
    counts = svc.sweep(later)
    assert counts["overdue"] >= 1 and counts["effective"] >= 1 and counts["comments_closing"] == 1
    for neg, action in ((overdue, "mark_overdue"), (review, "take_effect"), (comments, "comments_closing")):
        ev = AuditEvent.objects.filter(object_id=str(neg.pk), action=action).get()
        assert ev.actor_id is None and audit_count(neg) == before[neg.pk] + 1
    expired = svc.sweep(timezone.make_aware(dt.datetime(2028, 1, 2, 9)))["expired"]
    assert expired >= 1 and AuditEvent.objects.filter(object_id=str(review.pk), action="expire", actor__isnull=True).exists()
    # deadline warnings are emailed
    from notifications.models import Notification as N

    assert N.objects.filter(kind="negotiation.overdue").exists()


def test_deadline_warnings_pass_email(world, monkeypatch, django_capture_on_commit_callbacks):
    """The sweep's overdue notice and comment-closing reminder are e-mailed (notify(email=True) or
    notify_many with email set): the ids queued for mail are exactly those notifications."""
    from notifications.models import Notification

    queued = []
    monkeypatch.setattr("notifications.services._queue_email", lambda ids: queued.extend(ids))
    neg = walk(world, State.PROPOSED)
    Negotiation.objects.filter(pk=neg.pk).update(response_due=timezone.localdate() - dt.timedelta(days=1))
    other = walk(world, State.COMMENTS)
    d = other.drafts.get()
    d.comments_close = timezone.now() + dt.timedelta(hours=3)
    d.save()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.sweep(timezone.now())
    kinds = set(Notification.objects.filter(pk__in=queued).values_list("kind", flat=True))
    assert {"negotiation.overdue", "negotiation.comments_closing"} <= kinds


# --- rules in the right layer -----------------------------------------------------------------------
def test_representative_problems_carry_codes():
    class R:
        def __init__(self, side, name, chief=False, outsider=False):
            self.side, self.name, self.id_last4, self.is_chief, self.is_outsider = side, name, "", chief, outsider

    problems = rules.check_representatives([R("union", "甲", True), R("union", "乙"), R("employer", "甲", True)])
    codes = {p.code for p in problems}
    assert {rules.TOO_FEW, rules.UNEQUAL, rules.BOTH_SIDES} <= codes
    assert all(p.message and "第" in p.message for p in problems)
    assert {p.side for p in problems if p.code == rules.TOO_FEW} == {"union", "employer"}


def test_link_refusals_have_codes(world):
    with pytest.raises(svc.LinkRefused) as e:
        svc.link_lookup("nope" * 10)
    assert e.value.code == svc.LinkRefused.INVALID and e.value.is_guess


def test_employer_redaction_is_decided_by_the_selector(world, api_for):
    from negotiation import selectors as sel

    draft = walk(world, State.DRAFT)
    assert sel.draft_content_visible(world.users.negotiator_a, draft)
    assert not sel.draft_content_visible(world.users.employer_a, draft)
    assert api_for(world.users.negotiator_a).get(f"{API}{draft.pk}/").json()["terms"]


# --- issue 12 item 1: the comment page works in a real browser ---------------------------------------
def test_comment_page_referrer_policy_and_csrf_with_browser_headers(world, client_for, settings):
    from django.core.cache import cache

    cache.clear()  # the guess counter of other tests' client address
    neg = walk(world, State.COMMENTS)
    draft = neg.drafts.get()
    [(link, token)] = svc.links_issue(draft=draft, actor=world.users.negotiator_a, count=1)
    url = reverse("negotiation:public_comment", args=[neg.pk, token])
    c = Client(enforce_csrf_checks=True)
    r = c.get(url, HTTP_HOST="testserver")
    assert r.status_code == 200
    assert r["Referrer-Policy"] == "same-origin"
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
    vid = draft.versions.first().pk
    # What Chromium sends for a same-origin form post under Referrer-Policy: same-origin.
    r = c.post(url, {f"c{vid}": "同意", "csrfmiddlewaretoken": csrf}, HTTP_ORIGIN="http://testserver",
               HTTP_REFERER=f"http://testserver{url}", HTTP_HOST="testserver")
    assert r.status_code == 200 and "感谢" in r.content.decode()
    assert AuditEvent.objects.filter(object_id=str(neg.pk), action="comments_receive").exists()
