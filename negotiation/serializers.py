"""API shapes. Serializers only parse and present; services decide."""
from __future__ import annotations

from rest_framework import serializers

from accounts.models import Organisation
from core.serializers import (
    BoundedDateField,
    DateTextField,
    InputModelSerializer,
    IntField,
    NumberField,
    WholeNumberField,
    check_no_nul,
    enum_text,
)

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


class RepresentativeSerializer(InputModelSerializer):
    side = enum_text(SIDES, required=False)
    # Issue 15 (集体合同规定 arts. 20–21): the chief's basis and written designation.
    chief_basis = enum_text(ChiefBasis.values, required=False, allow_blank=True)

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
    union = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.UNION), required=False, allow_null=True,
        help_text="the proposing union; a negotiator's own union when omitted (the system administrator names it)",
    )
    headcount = IntField(min_value=1, required=False, allow_null=True)
    term_start = BoundedDateField(required=False, allow_null=True)
    term_end = BoundedDateField(required=False, allow_null=True)
    submission_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


# --- a term's structured content ----------------------------------------------------------------------
# The services check what the content means (negotiation/rules.py, citing the articles); these check its
# shape first: a value where the rules expect one, a list of groups, weekdays 1–7. Values keep the type
# the client sent ("4200" or 4200); keys not named here pass through unchanged.
class TermGroupSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    headcount = WholeNumberField(required=False, allow_null=True)
    start_time = serializers.RegexField(r"^([01]?\d|2[0-4]):[0-5]\d$", required=False, allow_blank=True, help_text="HH:MM")
    end_time = serializers.RegexField(r"^([01]?\d|2[0-4]):[0-5]\d$", required=False, allow_blank=True, help_text="HH:MM")
    break_minutes = WholeNumberField(required=False, allow_null=True)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), max_length=7, required=False,
                                     help_text="1 = Monday … 7 = Sunday")
    base_pay = NumberField(required=False, allow_null=True)
    adjust_percent = NumberField(required=False, allow_null=True)
    adjust_amount = NumberField(required=False, allow_null=True)
    standby_pay = NumberField(required=False, allow_null=True)
    new_pay = NumberField(required=False, allow_null=True)


class TermDataSerializer(serializers.Serializer):
    """A term's content. Which keys a kind needs: staggered, pay, rotation, short_hours, standby — start, end,
    groups; rotation — days_on, days_off; short_hours — daily_hours, weekly_hours, pay_rule; standby —
    works_during_standby; deferred — original_date, deferred_date, headcount; article — text."""

    start = DateTextField(required=False, allow_null=True)
    end = DateTextField(required=False, allow_null=True)
    groups = TermGroupSerializer(many=True, required=False, max_length=200)
    daily_hours = NumberField(required=False, allow_null=True)
    weekly_hours = NumberField(required=False, allow_null=True)
    overtime_daily = NumberField(required=False, allow_null=True)
    overtime_monthly = NumberField(required=False, allow_null=True)
    overtime_special_reason = serializers.BooleanField(required=False)
    approval_number = serializers.CharField(required=False, allow_blank=True, max_length=120)
    pay_rule = serializers.CharField(required=False, allow_blank=True)
    days_on = WholeNumberField(required=False, allow_null=True)
    days_off = WholeNumberField(required=False, allow_null=True)
    works_during_standby = serializers.BooleanField(required=False)
    first_cycle_full_pay = serializers.BooleanField(required=False)
    original_date = DateTextField(required=False, allow_null=True)
    deferred_date = DateTextField(required=False, allow_null=True)
    headcount = WholeNumberField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)  # a JSON object with these keys in shape, or a 400
        check_no_nul(data)
        out = {**data, **validated}
        if "groups" in validated:
            out["groups"] = [{**raw, **dict(g)} for raw, g in zip(data["groups"], validated["groups"])]
        return out


class TermInputSerializer(serializers.Serializer):
    kind = enum_text(TermKind.values)
    title = serializers.CharField(max_length=120)
    data = TermDataSerializer()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    submission_key = serializers.CharField(max_length=64, required=False, allow_blank=True)
    expected_version = IntField(min_value=0, required=False)


class TermReviseSerializer(serializers.Serializer):
    data = TermDataSerializer()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    expected_version = IntField(min_value=0, required=False)


class CounterTermSerializer(serializers.Serializer):
    data = TermDataSerializer()
    text = serializers.CharField(required=False, allow_blank=True, default="")


class CounterTermsField(serializers.DictField):
    """The `respond` action's counter-proposals: term id (as text) → {data, text}."""

    default_error_messages = {"bad_key": "条款编号应为整数。 Term ids must be integers."}

    def __init__(self, **kwargs):
        kwargs.setdefault("child", CounterTermSerializer())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "term id → {\"data\": the term's content, \"text\": its wording}")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if any(not str(k).isdigit() or len(str(k)) > 18 for k in value):
            self.fail("bad_key")
        return {str(k): {"data": v["data"], "text": v.get("text", "")} for k, v in value.items()}


class RepresentativesInputSerializer(serializers.Serializer):
    side = enum_text(SIDES)
    people = RepresentativeSerializer(many=True, max_length=100)
    expected_version = IntField(min_value=0, required=False)


class RoundInputSerializer(InputModelSerializer):
    chair_side = enum_text(SIDES)
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
