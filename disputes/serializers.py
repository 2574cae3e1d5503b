from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation
from accounts.scoping import employers_visible_to
from core.serializers import BoundedDateField, InputModelSerializer

from .models import DisputeCase, DisputeClaim, DisputeWorker, Evidence


class WorkerSerializer(InputModelSerializer):
    class Meta:
        model = DisputeWorker
        fields = ["id", "name", "phone", "position", "is_migrant_worker"]
        read_only_fields = ["id"]


class ClaimSerializer(InputModelSerializer):
    class Meta:
        model = DisputeClaim
        fields = ["id", "kind", "amount", "period_start", "period_end", "description", "awarded_amount"]
        read_only_fields = ["id", "awarded_amount"]


class EvidenceSerializer(serializers.ModelSerializer):
    stage = serializers.CharField(read_only=True, help_text="the case's state when the file was added")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "title", "stage", "side", "original_name", "content_type", "size", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("disputes:evidence_download", args=[obj.case_id, obj.pk])


class DueSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    explanation = serializers.CharField()


DUE_PAIRS = [
    ("limitation_due", "limitation_explanation"),
    ("mediation_due", "mediation_explanation"),
    ("acceptance_due", "acceptance_explanation"),
    ("award_due", "award_explanation"),
    ("appeal_due", "appeal_explanation"),
    ("set_aside_due", "set_aside_explanation"),  # issue 15: art. 49
    ("set_aside_suit_due", "set_aside_suit_explanation"),  # issue 15: art. 49 para. 2
]


class DisputeListSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = DisputeCase
        fields = [
            "id", "reference", "title", "state", "state_label", "employer", "employer_name", "region", "is_collective",
            "filed_on", "limitation_due", "mediation_due", "acceptance_due", "award_due", "appeal_due", "next_due",
            "is_overdue",
        ]


class DisputeSerializer(DisputeListSerializer):
    workers = WorkerSerializer(many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    dues = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(DisputeListSerializer.Meta):
        fields = DisputeListSerializer.Meta.fields + [
            "representative", "facts", "known_on", "employment_ended_on", "collective_contract", "union",
            "negotiation_started_on", "mediation_applied_on", "mediation_body", "mediation_agreement_on",
            "mediation_terms", "mediation_failed_on", "arbitration_applied_on", "arbitration_commission", "accepted_on",
            "not_accepted_on", "not_accepted_reason", "hearing_on", "award_extended", "award_extension_reason",
            "award_received_on", "award_amount", "award_final", "award_finality_reason", "effective_on",
            "court_filed_on", "court_name", "court_filed_by", "closed_on", "outcome", "amount_recovered",
            "outcome_note", "withdrawn_on", "withdrawn_reason", "workers", "claims", "evidence", "dues",
            "available_actions",
            # issue 15: payment order (art. 16), setting a final award aside (art. 49)
            "mediation_performance_due", "payment_order_on", "payment_order_court", "set_aside_due",
            "set_aside_applied_on", "set_aside_court", "set_aside_ruling", "set_aside_ruling_on", "set_aside_lapsed_on",
            "set_aside_suit_due",
        ]

    def to_representation(self, obj):
        data = super().to_representation(obj)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.role == "employer_rep" and not user.is_sysadmin:
            # The employer sees the case, not the workers' contact details or the union's evidence file.
            data["workers"] = [{**w, "phone": ""} for w in data["workers"]]
            data["evidence"] = [e for e in data["evidence"] if e["side"] == "employer"]
        return data

    @extend_schema_field(DueSerializer(many=True))
    def get_dues(self, obj):
        return [
            {"field": f, "label": str(obj._meta.get_field(f).verbose_name), "due": getattr(obj, f), "explanation": getattr(obj, e)}
            for f, e in DUE_PAIRS if getattr(obj, f) or getattr(obj, e)
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, obj):
        from core import workflow

        request = self.context.get("request")
        if request is None:
            return []
        return [b.name for b in workflow.get("disputes").buttons(request.user, obj) if b.ok]


class DisputeCreateSerializer(serializers.Serializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    title = serializers.CharField(max_length=200)
    facts = serializers.CharField()
    known_on = BoundedDateField()
    employment_ended_on = BoundedDateField(required=False, allow_null=True)
    is_collective = serializers.BooleanField(default=False)
    representative = serializers.CharField(required=False, allow_blank=True, default="")
    workers = WorkerSerializer(many=True, max_length=1000)
    claims = ClaimSerializer(many=True, max_length=100)
    collective_contract = serializers.PrimaryKeyRelatedField(queryset=DisputeCase._meta.get_field("collective_contract").related_model.objects.none(), required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["employer"].queryset = employers_visible_to(request.user)
            from negotiation.selectors import negotiations_visible_to

            self.fields["collective_contract"].queryset = negotiations_visible_to(request.user)


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, default="")

