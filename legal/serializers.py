"""Two separate output shapes for a case: the summary (no personal field exists on it) and the full record."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.pii import mask_id_number, mask_phone
from core.serializers import InputModelSerializer
from core.validators import validate_id_number

from .models import (
    CaseState, Consultation, Eligibility, ExemptionGround, FirmProfile, LegalAidCase, Matter, Outcome, RoutingAttempt, WorkLogEntry,
)


def _choice_text(choices):
    """A plain string field documented with its allowed values (avoids enum-name collisions across apps)."""
    return serializers.CharField(read_only=True, help_text=", ".join(str(v) for v, _l in choices))


def _choice_in(choices, **kw):
    values = [v for v, _l in choices]

    def check(value):
        if value not in values:
            raise serializers.ValidationError(f"不是有效的选项：{value}")

    return serializers.CharField(validators=[check], help_text=", ".join(values), **kw)


def _view(kind: str, description: str):
    """A constant naming which of the case's shapes a body is: the schema's oneOf is then exclusive."""
    field_class = type(f"CaseView{kind.title()}Field", (serializers.Field,), {"to_representation": lambda self, obj: kind})
    field_class = extend_schema_field({"type": "string", "pattern": f"^{kind}$", "description": description})(field_class)
    return field_class(source="*", read_only=True)


class CaseSummarySerializer(serializers.ModelSerializer):
    """What a firm sees before accepting, and what every list returns. Never add personal fields here."""

    view = _view("summary", "summary: no personal data (a firm before accepting; every list)")
    state = _choice_text(CaseState.choices)
    matter = _choice_text(Matter.choices)

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    matter_label = serializers.CharField(source="get_matter_display", read_only=True)
    region = serializers.CharField(source="applicant_region.name", read_only=True)
    employer = serializers.CharField(source="employer_label", read_only=True)

    class Meta:
        model = LegalAidCase
        fields = [
            "view", "id", "number", "state", "state_label", "matter", "matter_label", "region", "employer", "claim_amount",
            "summary_for_firms", "urgent", "limitation_date", "assigned_firm",
        ]
        read_only_fields = fields


class RoutingAttemptSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    outcome = _choice_text(RoutingAttempt.Result.choices)

    class Meta:
        model = RoutingAttempt
        fields = ["id", "firm", "firm_name", "offered_at", "response_due", "response_due_explanation", "outcome", "responded_at",
                  "reason", "explanation", "override_reason"]
        read_only_fields = fields


class WorkLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkLogEntry
        fields = ["id", "lawyer", "date", "hours", "activity", "next_deadline", "next_deadline_note", "created_at"]
        read_only_fields = ["id", "lawyer", "created_at"]


class CaseDetailSerializer(CaseSummarySerializer):
    """ID and phone numbers are masked unless the caller passes context={"full_personal_data": True} (the view
    decides who needs them and audits that view: legal/services/privacy.py)."""

    view = _view("detail", "detail: the full record, for whoever may see personal data")
    outcome = _choice_text(Outcome.choices)
    eligibility_proposal = _choice_text(Eligibility.choices)
    exemption_ground = _choice_text(ExemptionGround.choices)
    attempts = RoutingAttemptSerializer(many=True, read_only=True)
    work_log = WorkLogSerializer(many=True, read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields = CaseSummarySerializer.Meta.fields + [
            "applicant_name", "id_number", "phone", "address", "applicant_region", "is_migrant_worker", "household_size",
            "household_monthly_income", "opposing_employer", "opposing_employer_name", "facts", "claims", "received_on",
            "decision_due", "decision_due_explanation", "decision_overdue", "eligibility_proposal", "eligibility_explanation",
            "decision_reason", "decided_at", "assignment_due", "assigned_lawyer", "no_firm_available", "accepted_at",
            "next_steps", "outcome", "amount_recovered", "closed_at", "satisfaction", "satisfaction_note", "dispute",
            "attempts", "work_log", "exemption_ground",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("full_personal_data"):
            data["id_number"], data["phone"] = mask_id_number(data.get("id_number")), mask_phone(data.get("phone"))
        return data


class CaseHiddenSerializer(serializers.Serializer):
    """After an action that takes the case out of the caller's sight (a firm that declined it): only its id."""

    view = _view("hidden", "hidden: the case is no longer visible to the caller")
    id = serializers.IntegerField(source="pk")
    state = serializers.CharField(default=None, allow_null=True, read_only=True, help_text="always null")


class CaseCreateSerializer(InputModelSerializer):
    matter = _choice_in(Matter.choices)
    exemption_ground = _choice_in(ExemptionGround.choices, required=False, allow_blank=True)
    class Meta:
        model = LegalAidCase
        fields = [
            "applicant_name", "id_number", "phone", "address", "applicant_region", "is_migrant_worker", "household_size",
            "household_monthly_income", "opposing_employer", "opposing_employer_name", "matter", "facts", "claims",
            "claim_amount", "summary_for_firms", "limitation_date", "received_on", "exemption_ground",
        ]

    def validate_id_number(self, value):
        value = (value or "").strip().upper()
        from django.core.exceptions import ValidationError

        try:
            validate_id_number(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value


class ConsultationSerializer(InputModelSerializer):
    topic = _choice_in(Matter.choices, required=False)
    channel = _choice_in(Consultation.Channel.choices, required=False)
    class Meta:
        model = Consultation
        fields = ["id", "received_at", "channel", "caller_name", "caller_phone", "region", "topic", "summary", "advice",
                  "follow_up", "follow_up_due", "handled_by"]
        read_only_fields = ["id", "handled_by"]

    def to_representation(self, instance):
        """The caller's phone masked unless context={"full_personal_data": True} (an audited detail view)."""
        data = super().to_representation(instance)
        if not self.context.get("full_personal_data"):
            data["caller_phone"] = mask_phone(data.get("caller_phone"))
        return data


class FirmSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)
    regions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    matters = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=", ".join(Matter.values))

    class Meta:
        model = FirmProfile
        fields = ["organisation", "name", "regions", "matters", "capacity", "is_active", "last_assigned_at"]
        read_only_fields = fields
