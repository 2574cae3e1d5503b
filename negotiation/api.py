"""API under /api/v1/negotiations/: the same services as the pages.

Every registry action (negotiation/workflow.py) is `POST …/{id}/<action-slug>/`, added by
`core.workflow_api.add_actions` with its input derived from the action's one form; the endpoints
here are reading and the edits of child rows (terms, representatives, rounds, comments)."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import Role
from core.api import HasRole, PathIdsMixin
from core.workflow_api import add_actions

from . import permissions as perms
from . import selectors as sel
from . import serializers as s
from . import services as svc
from .models import Negotiation, State, Term

ROLES = [Role.UNION_STAFF, Role.UNION_NEGOTIATOR, Role.EMPLOYER_REP, Role.BUREAU_REVIEWER]


def present(neg, user) -> dict:
    """The negotiation as the API shows it to `user`: a union's unserved draft content is withheld
    (decided by `selectors.draft_content_visible`, not here)."""
    data = s.NegotiationSerializer(neg).data
    if not sel.draft_content_visible(user, neg):
        data["terms"], data["representatives"] = [], []
    return data


LIST_PARAMS = [
    OpenApiParameter("state", OpenApiTypes.STR, enum=State.values, description="only negotiations in this state"),
    OpenApiParameter("overdue", OpenApiTypes.STR, enum=["1", "true", "0", "false"], description="1: only overdue ones"),
    OpenApiParameter("due_week", OpenApiTypes.STR, enum=["1", "true", "0", "false"], description="1: only those due within 7 days"),
]


class NegotiationViewSet(PathIdsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Negotiations visible to the caller (others are 404). Writes go through negotiation.services."""

    path_ids = ("term_pk", "draft_pk")
    may_conflict = True  # every write goes through the runner: a stale version or state, a repeated key
    permission_classes = [HasRole]
    allowed_roles = ROLES
    permission_rule = "roles: staff, negotiator, employer rep, bureau; rows via negotiations_visible_to; actions by the workflow registry's rules"
    serializer_class = s.NegotiationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Negotiation.objects.none()
        if self.action == "list":
            q = self.request.query_params
            return sel.negotiation_list(self.request.user, state=q.get("state") or None,
                                        overdue=q.get("overdue") in ("1", "true"), due_week=q.get("due_week") in ("1", "true"))
        return sel.negotiations_visible_to(self.request.user).select_related("employer", "union").prefetch_related(
            "terms__current", "representatives", "rounds", "votes")

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
        return present(neg, self.request.user)

    @extend_schema(parameters=LIST_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

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
        union = d.get("union")
        if union is None and request.user.organisation_id is None:  # the system administrator acts for a union
            raise ValidationError({"union": ["请指定发起协商的基层工会。 Name the proposing union."]})
        neg = svc.negotiation_create(actor=request.user, employer=d["employer"], title=d["title"], headcount=d.get("headcount"),
                                     term_start=d.get("term_start"), term_end=d.get("term_end"),
                                     submission_key=d.get("submission_key") or None, **({"union": union} if union else {}))
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
    @action(detail=True, methods=["post"], url_path=r"terms/(?P<term_pk>[^/]+)/revise")
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
    @action(detail=True, methods=["get"], url_path=r"drafts/(?P<draft_pk>[^/]+)/comments")
    def comments(self, request, pk=None, draft_pk=None):
        """Employees' comments on a published draft, grouped by term, with the participation rate (union side)."""
        from .models import PublishedDraft

        neg = self._obj()
        draft = PublishedDraft.objects.filter(negotiation=neg, pk=draft_pk).first()
        if draft is None:
            raise Http404
        perms.can_view_comments(request.user, neg).require()
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


add_actions(NegotiationViewSet, "negotiation", present=lambda view, request, obj, result: present(obj, request.user),
            response=s.NegotiationSerializer, fields={"respond": {"counter_terms": s.CounterTermsField()}})
