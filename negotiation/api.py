"""API under /api/v1/negotiations/: the same services as the pages; transitions as POST …/{id}/<action>/."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from core.api import HasRole
from core.transitions import Conflict

from . import selectors as sel
from . import serializers as s
from . import services as svc
from .models import Negotiation, Term

ROLES = [Role.UNION_STAFF, Role.UNION_NEGOTIATOR, Role.EMPLOYER_REP, Role.BUREAU_REVIEWER]


def _check_expected(neg, data):
    expected = data.get("expected_state")
    if expected and expected != neg.state:
        raise Conflict(f"该协商的状态已变为“{neg.get_state_display()}”，请刷新后重试。")


class NegotiationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Negotiations visible to the caller (others are 404). Writes go through negotiation.services."""

    permission_classes = [HasRole]
    allowed_roles = ROLES
    permission_rule = "roles: staff, negotiator, employer rep, bureau; rows via negotiations_visible_to; actions checked by services"
    serializer_class = s.NegotiationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Negotiation.objects.none()
        if self.action == "list":
            q = self.request.query_params
            return sel.negotiation_list(self.request.user, state=q.get("state") or None,
                                        overdue=q.get("overdue") in ("1", "true"), due_week=q.get("due_week") in ("1", "true"))
        return sel.negotiations_visible_to(self.request.user).select_related("employer", "union").prefetch_related(
            "terms__current", "representatives", "rounds")

    def get_serializer_class(self):
        return s.NegotiationListSerializer if self.action == "list" else s.NegotiationSerializer

    def _obj(self) -> Negotiation:
        try:
            return sel.negotiation_detail(self.request.user, int(self.kwargs["pk"]))
        except (Negotiation.DoesNotExist, ValueError):
            raise Http404 from None

    def _done(self, neg, code=status.HTTP_200_OK):
        neg = sel.negotiation_detail(self.request.user, neg.pk)
        return Response(self._present(neg), status=code)

    def _present(self, neg):
        data = s.NegotiationSerializer(neg).data
        if not sel.draft_content_visible(self.request.user, neg):
            data["terms"], data["representatives"] = [], []
        return data

    @extend_schema(responses=s.NegotiationSerializer)
    def retrieve(self, request, pk=None):
        return Response(self._present(self.get_object()))

    def _input(self, serializer_class):
        ser = serializer_class(data=self.request.data)
        ser.is_valid(raise_exception=True)
        return ser.validated_data

    @extend_schema(request=s.NegotiationCreateSerializer, responses={201: s.NegotiationSerializer})
    def create(self, request):
        d = self._input(s.NegotiationCreateSerializer)
        neg = svc.negotiation_create(actor=request.user, employer=d["employer"], title=d["title"], headcount=d.get("headcount"),
                                     term_start=d.get("term_start"), term_end=d.get("term_end"),
                                     submission_key=d.get("submission_key") or None)
        return self._done(neg, status.HTTP_201_CREATED)

    @extend_schema(request=s.RepresentativesInputSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def representatives(self, request, pk=None):
        neg = self._obj()
        d = self._input(s.RepresentativesInputSerializer)
        svc.representatives_set(negotiation=neg, actor=request.user, side=d["side"], people=[dict(p) for p in d["people"]],
                                expected_version=d.get("expected_version"))
        return self._done(neg)

    @extend_schema(request=s.TermInputSerializer, responses={201: s.TermSerializer})
    @action(detail=True, methods=["post"])
    def terms(self, request, pk=None):
        neg = self._obj()
        d = self._input(s.TermInputSerializer)
        term = svc.term_add(negotiation=neg, actor=request.user, kind=d["kind"], title=d["title"], data=d["data"], text=d["text"],
                            submission_key=d.get("submission_key") or None, expected_version=d.get("expected_version"))
        term.refresh_from_db()
        return Response(s.TermSerializer(term).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TermReviseSerializer, responses={201: s.TermVersionSerializer})
    @action(detail=True, methods=["post"], url_path=r"terms/(?P<term_pk>\d+)/revise")
    def revise_term(self, request, pk=None, term_pk=None):
        neg = self._obj()
        term = Term.objects.filter(negotiation=neg, pk=term_pk).first()
        if term is None:
            raise Http404
        d = self._input(s.TermReviseSerializer)
        v = svc.term_revise(term=term, actor=request.user, data=d["data"], text=d["text"], note=d["note"],
                            expected_version=d.get("expected_version"))
        return Response(s.TermVersionSerializer(v).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RoundInputSerializer, responses={201: s.RoundSerializer})
    @action(detail=True, methods=["post"])
    def rounds(self, request, pk=None):
        neg = self._obj()
        d = self._input(s.RoundInputSerializer)
        key = d.pop("submission_key", None) or None
        r = svc.round_record(negotiation=neg, actor=request.user, submission_key=key, **d)
        return Response(s.RoundSerializer(r).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CommentSummarySerializer)
    @action(detail=True, methods=["get"], url_path=r"drafts/(?P<draft_pk>\d+)/comments")
    def comments(self, request, pk=None, draft_pk=None):
        """Employees' comments on a published draft, grouped by term, with the participation rate (union side)."""
        from django.core.exceptions import PermissionDenied

        from . import permissions as perms
        from .models import PublishedDraft

        neg = self._obj()
        draft = PublishedDraft.objects.filter(negotiation=neg, pk=draft_pk).first()
        if draft is None:
            raise Http404
        if not (perms.is_union_side(request.user, neg) or request.user.has_role(Role.UNION_STAFF)):
            raise PermissionDenied("只有工会方可以查看职工意见。")
        summ = sel.comment_summary(draft)
        data = {
            "draft": draft.pk, "employee_count": summ["employee_count"], "issued": summ["issued"], "used": summ["used"],
            "rate": summ["rate"],
            "terms": [{"term": str(v.term), "term_version": v.pk, "count": v.n,
                       "comments": [{"text": c.text, "submitted_on": c.submitted_on.isoformat(),
                                     "link_label": c.link.label if c.link else None} for c in comments]}
                      for v, comments in summ["versions"]],
        }
        return Response(s.CommentSummarySerializer(data).data)

    # --- transitions ---------------------------------------------------------------------------
    def _simple(self, fn, serializer_class=s.ExpectedStateSerializer):
        neg = self._obj()
        d = self._input(serializer_class)
        _check_expected(neg, d)
        fn(neg, d)
        return self._done(neg)

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._simple(lambda n, d: svc.proposal_submit(negotiation=n, actor=request.user))

    @extend_schema(request=s.ResponseSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._simple(lambda n, d: svc.response_record(
            negotiation=n, actor=request.user, decision=d["decision"], text=d["text"], reason=d["reason"],
            counter_terms={int(k): v for k, v in (d.get("counter_terms") or {}).items()}), s.ResponseSerializer)

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="request-coordination")
    def request_coordination(self, request, pk=None):
        return self._simple(lambda n, d: svc.coordination_request(negotiation=n, actor=request.user))

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="extend-coordination")
    def extend_coordination(self, request, pk=None):
        return self._simple(lambda n, d: svc.coordination_extend(negotiation=n, actor=request.user))

    @extend_schema(request=s.CoordinationSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="finish-coordination")
    def finish_coordination(self, request, pk=None):
        return self._simple(lambda n, d: svc.coordination_finish(negotiation=n, actor=request.user, agreed=d["agreed"], outcome=d["outcome"]),
                            s.CoordinationSerializer)

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="start-rounds")
    def start_rounds(self, request, pk=None):
        return self._simple(lambda n, d: svc.rounds_start(negotiation=n, actor=request.user))

    @extend_schema(request=s.SuspendSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._simple(lambda n, d: svc.negotiation_suspend(negotiation=n, actor=request.user, next_date=d["next_date"], reason=d["reason"]),
                            s.SuspendSerializer)

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._simple(lambda n, d: svc.negotiation_resume(negotiation=n, actor=request.user))

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="agree-draft")
    def agree_draft(self, request, pk=None):
        return self._simple(lambda n, d: svc.draft_agree(negotiation=n, actor=request.user))

    @extend_schema(request=s.PublishSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="publish-draft")
    def publish_draft(self, request, pk=None):
        return self._simple(lambda n, d: svc.draft_publish(negotiation=n, actor=request.user, comments_close=d["comments_close"],
                                                           employee_count=d["employee_count"]), s.PublishSerializer)

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"], url_path="put-to-vote")
    def put_to_vote(self, request, pk=None):
        return self._simple(lambda n, d: svc.vote_put(negotiation=n, actor=request.user))

    @extend_schema(request=s.VoteInputSerializer, responses={201: s.VoteSerializer})
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        neg = self._obj()
        d = self._input(s.VoteInputSerializer)
        _check_expected(neg, d)
        d.pop("expected_state", None)
        v = svc.vote_record(negotiation=neg, actor=request.user, **d)
        return Response(s.VoteSerializer(v).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ExpectedStateSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._simple(lambda n, d: svc.sign_record(negotiation=n, actor=request.user))

    @extend_schema(request=s.FilingSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        return self._simple(lambda n, d: svc.filing_record(negotiation=n, actor=request.user, filed_on=d["filed_on"],
                                                           receipt_number=d["receipt_number"], bureau=d["bureau"]), s.FilingSerializer)

    @extend_schema(request=s.ObjectionSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        return self._simple(lambda n, d: svc.objection_return(negotiation=n, actor=request.user, objection=d["objection"]),
                            s.ObjectionSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.NegotiationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._simple(lambda n, d: svc.negotiation_withdraw(negotiation=n, actor=request.user, reason=d["reason"]), s.ReasonSerializer)
