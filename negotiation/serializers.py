"""API shapes. Serializers only parse and present; services decide."""
from __future__ import annotations

from rest_framework import serializers

from accounts.models import Organisation

from .models import ChiefBasis, CongressVote, Negotiation, Representative, Round, Term, TermKind, TermVersion


# Choice fields are plain strings validated here, so the schema's enum names never collide with
# other apps' "state"/"kind"/"side" enums (ENUM_NAME_OVERRIDES lives in shared settings).
SIDES = ["union", "employer"]


def _one_of(values):
    def check(value):
        if value not in values:
            raise serializers.ValidationError(f"必须是 {', '.join(values)} 之一。")
    return check


class TermVersionSerializer(serializers.ModelSerializer):
    side = serializers.CharField(read_only=True)

    class Meta:
        model = TermVersion
        fields = ["id", "number", "side", "data", "text", "note", "created_at"]


class TermSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    current = TermVersionSerializer(read_only=True)

    class Meta:
        model = Term
        fields = ["id", "number", "kind", "title", "current"]


class RepresentativeSerializer(serializers.ModelSerializer):
    side = serializers.CharField(required=False, validators=[_one_of(SIDES)])
    # Issue 15 (集体合同规定 arts. 20–21): the chief's basis and written designation.
    chief_basis = serializers.CharField(required=False, allow_blank=True, validators=[_one_of([""] + list(ChiefBasis.values))])

    class Meta:
        model = Representative
        fields = ["id", "side", "name", "position", "is_chief", "is_outsider", "id_last4",
                  "chief_basis", "designated_by", "designated_on", "designation_document"]


class RoundSerializer(serializers.ModelSerializer):
    chair_side = serializers.CharField(validators=[_one_of(SIDES)])

    class Meta:
        model = Round
        fields = ["id", "number", "held_on", "location", "chair_side", "attendees", "recorder", "minutes",
                  "union_chief_signed", "employer_chief_signed"]
        read_only_fields = ["id", "number"]


class VoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CongressVote
        fields = ["id", "held_on", "body", "total", "present", "votes_for", "votes_against", "votes_abstain", "passed", "explanation"]
        read_only_fields = ["id", "passed", "explanation"]


class NegotiationListSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Negotiation
        fields = ["id", "title", "employer", "employer_name", "union", "union_name", "state", "state_label", "version",
                  "response_due", "filing_due", "review_ends", "term_start", "term_end", "updated_at"]


class NegotiationSerializer(NegotiationListSerializer):
    terms = TermSerializer(many=True, read_only=True)
    representatives = RepresentativeSerializer(many=True, read_only=True)
    rounds = RoundSerializer(many=True, read_only=True)
    votes = VoteSerializer(many=True, read_only=True, help_text="congress votes, latest first")

    class Meta(NegotiationListSerializer.Meta):
        fields = NegotiationListSerializer.Meta.fields + [
            "headcount", "response_due_explanation", "response_decision", "response_text", "refuse_reason",
            "coordination_due", "coordination_extended", "next_meeting_on", "signed_on", "filing_due_explanation",
            "filed_on", "receipt_number", "review_ends_explanation", "objection", "effective_on", "closed_reason",
            "terms", "representatives", "rounds", "votes",
        ]


class NegotiationCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    employer = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER))
    headcount = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField(required=False, allow_null=True)
    submission_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class TermInputSerializer(serializers.Serializer):
    kind = serializers.CharField(validators=[_one_of(TermKind.values)], help_text="staggered, pay, rotation, short_hours, standby, deferred, article")
    title = serializers.CharField(max_length=120)
    data = serializers.JSONField()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    submission_key = serializers.CharField(max_length=64, required=False, allow_blank=True)
    expected_version = serializers.IntegerField(required=False)


class TermReviseSerializer(serializers.Serializer):
    data = serializers.JSONField()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    expected_version = serializers.IntegerField(required=False)


class RepresentativesInputSerializer(serializers.Serializer):
    side = serializers.CharField(validators=[_one_of(SIDES)])
    people = RepresentativeSerializer(many=True)
    expected_version = serializers.IntegerField(required=False)


class RoundInputSerializer(serializers.ModelSerializer):
    chair_side = serializers.CharField(validators=[_one_of(SIDES)])
    submission_key = serializers.CharField(max_length=64, required=False, allow_blank=True)

    class Meta:
        model = Round
        fields = ["held_on", "location", "chair_side", "attendees", "recorder", "minutes", "union_chief_signed",
                  "employer_chief_signed", "submission_key"]


class TermCommentsSerializer(serializers.Serializer):
    term = serializers.CharField()
    term_version = serializers.IntegerField()
    count = serializers.IntegerField()
    comments = serializers.ListField(child=serializers.DictField())


class CommentSummarySerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    employee_count = serializers.IntegerField()
    issued = serializers.IntegerField()
    used = serializers.IntegerField()
    rate = serializers.FloatField(help_text="percent of employees who commented")
    terms = TermCommentsSerializer(many=True)
