"""Issue 12 item 7: the process as a labour-bureau reviewer would question it (DOMAIN.md §§2.2, 2.5).
Each side appoints its own representatives; a draft is agreed only when both chiefs confirm it; the vote
waits for the comment period (or the union's recorded early close); nobody withdraws a contract both
chiefs have signed, and a side that signed sees its sign button disabled with the reason."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core import workflow as registry
from core.models import AuditEvent
from negotiation import services as svc
from negotiation.models import Negotiation, State

from .conftest import EMPLOYER_REPS, PAY_TERM, UNION_REPS, walk

pytestmark = pytest.mark.django_db


def buttons(world, who, neg):
    return {b.name: b for b in registry.get("negotiation").buttons(getattr(world.users, who), neg)}


def events(neg, action):
    return AuditEvent.objects.filter(object_id=str(neg.pk), action=action)


# --- each side appoints its own representatives (arts. 20–21) ------------------------------------
def test_union_never_sets_the_employers_list_nor_the_employer_the_unions(world, client_for):
    u = world.users
    draft = walk(world, State.DRAFT)
    with pytest.raises(PermissionDenied, match="第21条"):
        svc.representatives_set(negotiation=draft, actor=u.negotiator_a, side="employer", people=EMPLOYER_REPS)
    assert not draft.representatives.filter(side="employer").exists()
    assert client_for(u.negotiator_a).get(reverse("negotiation:representatives", args=[draft.pk, "employer"])).status_code == 403
    # The proposal is served with the union's own list only (no employer list needed, none set by the union).
    neg = svc.proposal_submit(negotiation=draft, actor=u.negotiator_a)
    for state_neg in (neg, walk(world, State.IN_ROUNDS)):
        with pytest.raises(PermissionDenied):
            svc.representatives_set(negotiation=state_neg, actor=u.negotiator_a, side="employer", people=EMPLOYER_REPS)
        with pytest.raises(PermissionDenied, match="第20条"):
            svc.representatives_set(negotiation=state_neg, actor=u.employer_a, side="union", people=UNION_REPS)
    # Talks need the employer's list: until it appoints one, starting rounds is refused with art. 19.
    neg = svc.response_record(negotiation=neg, actor=u.employer_a, decision="agree")
    with pytest.raises(ValidationError, match="第19条"):
        svc.rounds_start(negotiation=neg, actor=u.employer_a)
    svc.representatives_set(negotiation=neg, actor=u.employer_a, side="employer", people=EMPLOYER_REPS)
    assert svc.rounds_start(negotiation=neg, actor=u.employer_a).state == State.IN_ROUNDS
    ev = events(neg, "representatives_set").latest("pk")
    assert ev.actor_id == u.employer_a.pk and ev.data["side"] == "employer"


def test_detail_page_offers_each_side_only_its_own_list(world, client_for):
    neg = walk(world, State.PROPOSED)
    url_u = reverse("negotiation:representatives", args=[neg.pk, "union"])
    url_e = reverse("negotiation:representatives", args=[neg.pk, "employer"])
    union_page = client_for(world.users.negotiator_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    employer_page = client_for(world.users.employer_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert url_u in union_page and url_e not in union_page
    assert url_e in employer_page and url_u not in employer_page


# --- a draft is agreed only when BOTH chiefs confirm -----------------------------------------------
def test_draft_agreed_only_on_the_second_chiefs_confirmation(world, client_for):
    u = world.users
    neg = walk(world, State.IN_ROUNDS)
    neg = svc.draft_agree(negotiation=neg, actor=u.negotiator_a)
    assert neg.state == State.IN_ROUNDS
    assert neg.union_draft_confirmed_by_id == u.negotiator_a.pk and neg.union_draft_confirmed_at
    assert not neg.employer_draft_confirmed_by_id
    ev = events(neg, "confirm_draft").get()
    assert ev.actor_id == u.negotiator_a.pk and ev.data["side"] == "union" and ev.data["chief"] == "李明"
    # The side that confirmed waits: its button is disabled with the reason, a second try refused.
    b = buttons(world, "negotiator_a", neg)["agree_draft"]
    assert not b.ok and "等待用人单位方" in b.reason
    assert buttons(world, "employer_a", neg)["agree_draft"].ok
    with pytest.raises(PermissionDenied, match="等待用人单位方"):
        svc.draft_agree(negotiation=neg, actor=u.negotiator_a)
    body = client_for(u.negotiator_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert "草案确认" in body and "职工方" in body and "用人单位方待确认" in body
    neg = svc.draft_agree(negotiation=neg, actor=u.employer_a)
    assert neg.state == State.DRAFT_AGREED
    assert neg.union_draft_confirmed_by_id == u.negotiator_a.pk and neg.employer_draft_confirmed_by_id == u.employer_a.pk
    ev = events(neg, "agree_draft").get()
    assert (ev.actor_id, ev.from_state, ev.to_state, ev.data["side"]) == (u.employer_a.pk, State.IN_ROUNDS, State.DRAFT_AGREED, "employer")


def test_a_term_changed_after_one_confirmation_needs_it_again(world):
    u = world.users
    neg = walk(world, State.IN_ROUNDS)
    svc.draft_agree(negotiation=neg, actor=u.employer_a)
    term = neg.terms.get(kind="pay")
    svc.term_revise(term=term, actor=u.negotiator_a, data={**PAY_TERM, "end": "2026-05-31"}, note="缩短执行期")
    neg.refresh_from_db()
    assert not neg.employer_draft_confirmed_by_id
    assert events(neg, "term_revise").latest("pk").data["draft_confirmations_cleared"] is True
    neg = svc.draft_agree(negotiation=neg, actor=u.negotiator_a)
    assert neg.state == State.IN_ROUNDS  # the employer's earlier confirmation was of another text


def test_a_failed_vote_returns_to_rounds_without_the_old_confirmations(world):
    neg = walk(world, State.VOTING)
    svc.vote_record(negotiation=neg, actor=world.users.negotiator_a, held_on=timezone.localdate(), total=60, present=39,
                    votes_for=39, votes_against=0, votes_abstain=0)
    neg = Negotiation.objects.get(pk=neg.pk)
    assert neg.state == State.IN_ROUNDS
    assert not (neg.union_draft_confirmed_by_id or neg.employer_draft_confirmed_by_id)


# --- the vote after the comment period, or the union's early close with a reason ---------------------
def test_vote_waits_for_the_comment_period_or_a_recorded_early_close(world):
    u = world.users
    neg = walk(world, State.COMMENTS)
    draft = neg.drafts.get()
    [(link, token)] = svc.links_issue(draft=draft, actor=u.negotiator_a, count=1)
    with pytest.raises(ValidationError, match="截止后方可提交职代会审议"):
        svc.vote_put(negotiation=neg, actor=u.negotiator_a)
    assert Negotiation.objects.get(pk=neg.pk).state == State.COMMENTS
    assert buttons(world, "negotiator_a", neg)["close_comments"].ok
    assert not buttons(world, "employer_a", neg)["close_comments"].ok
    with pytest.raises(PermissionDenied):
        svc.comments_close_early(negotiation=neg, actor=u.employer_a, reason="企业希望尽快表决")
    with pytest.raises(ValidationError, match="说明理由"):
        svc.comments_close_early(negotiation=neg, actor=u.negotiator_a, reason="  ")
    svc.comments_close_early(negotiation=neg, actor=u.negotiator_a, reason="全部班组已讨论完毕")
    draft.refresh_from_db()
    assert draft.closed_early_at and draft.closed_early_by_id == u.negotiator_a.pk and draft.closed_early_reason == "全部班组已讨论完毕"
    assert not draft.is_open
    ev = events(neg, "close_comments").get()
    assert ev.reason == "全部班组已讨论完毕" and ev.actor_id == u.negotiator_a.pk
    with pytest.raises(svc.LinkRefused, match="已结束"):
        svc.comments_submit(token=token, comments={draft.versions.first().pk: "晚到的意见"}, anonymous=True)
    neg.refresh_from_db()
    assert "close_comments" not in buttons(world, "negotiator_a", neg)  # closed once
    assert svc.vote_put(negotiation=neg, actor=u.negotiator_a).state == State.VOTING


def test_vote_after_the_published_period_has_run_out(world):
    neg = walk(world, State.COMMENTS)
    neg.drafts.update(comments_close=timezone.now() - dt.timedelta(minutes=1))
    assert "close_comments" not in buttons(world, "negotiator_a", neg)
    assert svc.vote_put(negotiation=neg, actor=world.users.negotiator_a).state == State.VOTING
    assert not events(neg, "close_comments").exists()


def test_no_vote_straight_from_the_agreed_draft(world):
    neg = walk(world, State.DRAFT_AGREED)
    assert "put_to_vote" not in buttons(world, "negotiator_a", neg)
    with pytest.raises(ValidationError):
        svc.vote_put(negotiation=neg, actor=world.users.negotiator_a)


def test_close_comments_through_page_and_api(world, client_for, api_for):
    neg = walk(world, State.COMMENTS)
    url = reverse("core:workflow-action", args=["negotiation", neg.pk, "close_comments"])
    c = client_for(world.users.negotiator_a)
    assert c.post(url, {"reason": "", "expected_state": "comments"}).status_code == 400
    assert c.post(url, {"reason": "意见已收齐", "expected_state": "comments"}).status_code == 302
    body = c.get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert "提前结束征求意见" in body and "意见已收齐" in body
    r = api_for(world.users.negotiator_a).post(f"/api/v1/negotiations/{neg.pk}/put-to-vote/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "voting"


# --- signing: no withdrawal once both signed; a side that signed waits, its button disabled ------------
def test_after_one_side_signed_that_side_sees_its_sign_button_disabled_with_the_reason(world, client_for):
    u = world.users
    neg = walk(world, State.APPROVED)
    assert buttons(world, "negotiator_a", neg)["sign"].ok and buttons(world, "employer_a", neg)["sign"].ok
    neg = svc.sign_record(negotiation=neg, actor=u.negotiator_a)
    b = buttons(world, "negotiator_a", neg)["sign"]
    assert not b.ok and b.reason == "职工方首席代表已签字，等待用人单位方签字。"
    assert buttons(world, "employer_a", neg)["sign"].ok
    body = client_for(u.negotiator_a).get(reverse("negotiation:detail", args=[neg.pk])).content.decode()
    assert "disabled" in body and "职工方首席代表已签字，等待用人单位方签字。" in body
    with pytest.raises(PermissionDenied, match="已签字"):
        svc.sign_record(negotiation=neg, actor=u.negotiator_a)
    # One signature alone: the union may still withdraw.
    assert buttons(world, "negotiator_a", neg)["withdraw"].ok
    neg = svc.sign_record(negotiation=neg, actor=u.employer_a)
    assert neg.state == State.SIGNED and neg.union_signed_by_id == u.negotiator_a.pk and neg.employer_signed_by_id == u.employer_a.pk


def test_withdraw_is_neither_offered_nor_possible_once_both_chiefs_signed(world, client_for, api_for):
    u = world.users
    neg = walk(world, State.SIGNED)
    for who in ("negotiator_a", "employer_a", "admin"):
        assert "withdraw" not in buttons(world, who, neg)
    before = AuditEvent.objects.filter(object_id=str(neg.pk)).count()
    with pytest.raises(ValidationError, match="当前状态"):
        svc.negotiation_withdraw(negotiation=neg, actor=u.negotiator_a, reason="不想要了")
    url = reverse("core:workflow-action", args=["negotiation", neg.pk, "withdraw"])
    assert client_for(u.negotiator_a).post(url, {"reason": "x", "expected_state": "signed"}).status_code == 400
    assert api_for(u.negotiator_a).post(f"/api/v1/negotiations/{neg.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 400
    assert Negotiation.objects.get(pk=neg.pk).state == State.SIGNED
    assert AuditEvent.objects.filter(object_id=str(neg.pk)).count() == before
    # What remains: filing (then objection or effect, then expiry).
    assert {"file"} <= set(buttons(world, "employer_a", neg))


def test_a_period_closed_early_gets_no_closing_reminder(world):
    neg = walk(world, State.COMMENTS)
    neg.drafts.update(comments_close=timezone.now() + dt.timedelta(hours=3))
    svc.comments_close_early(negotiation=neg, actor=world.users.negotiator_a, reason="意见已收齐")
    assert svc.sweep(timezone.now())["comments_closing"] == 0
    assert not events(neg, "comments_closing").exists()
