"""API shapes of core (audit history, due dates), the input fields every app's API uses at its edge, and the
error bodies documented on every operation."""
import datetime as _dt
import re

from django.db import models
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="the action in the reader's language")
    from_label = serializers.CharField(read_only=True)
    to_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "action", "label", "from_state", "from_label", "to_state", "to_label",
                  "reason", "data", "request_id"]


class DueDateSerializer(serializers.Serializer):
    rule = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()
    start = serializers.DateField()
    due = serializers.DateField()
    unit = serializers.CharField()
    length = serializers.IntegerField()
    rolled_over = serializers.BooleanField()
    paused_days = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


# --- input fields for the API's edge -----------------------------------------------------------------
# Every value a client sends is checked here for type, shape and range before a service sees it: a
# date in year 9999 or an integer beyond the database's column is a 400 naming the field, never an
# overflow deep in a deadline calculation or the database (a 500).

DATE_MIN = _dt.date(1950, 1, 1)
DATE_MAX = _dt.date(2199, 12, 31)
INT_MAX = 2**31 - 1  # PostgreSQL `integer`: the narrowest integer column the models use
ID_MAX = 2**63 - 1  # `bigint` primary keys
OUT_OF_RANGE = f"日期超出范围（{DATE_MIN.isoformat()}至{DATE_MAX.isoformat()}）。 date out of range"
NUL_MESSAGE = "不能包含 NUL 字符。 NUL characters are not allowed."


class BoundedDateField(serializers.DateField):
    """A date between DATE_MIN and DATE_MAX (deadlines are computed from dates: year 9999 would overflow)."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not DATE_MIN <= value <= DATE_MAX:
            self.fail("out_of_range")
        return value


class BoundedDateTimeField(serializers.DateTimeField):
    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not DATE_MIN <= value.date() <= DATE_MAX:
            self.fail("out_of_range")
        return value


def IntField(**kwargs) -> serializers.IntegerField:  # noqa: N802 - a field factory reads like a field class
    """An integer that fits the database column (and the default 32-bit range unless told otherwise)."""
    kwargs.setdefault("min_value", -INT_MAX - 1)
    kwargs.setdefault("max_value", INT_MAX)
    return serializers.IntegerField(**kwargs)


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802
    """A row's id: a positive 64-bit integer."""
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def check_no_nul(value, path: str = "") -> None:
    """PostgreSQL refuses NUL in text and in jsonb: refuse it at the edge, naming where it was."""
    if isinstance(value, str):
        if "\x00" in value:
            raise serializers.ValidationError(f"{path}{NUL_MESSAGE}" if path else NUL_MESSAGE)
    elif isinstance(value, dict):
        for k, v in value.items():
            check_no_nul(k, path)
            check_no_nul(v, f"{path}{k}: ")
    elif isinstance(value, list):
        for v in value:
            check_no_nul(v, path)


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.JSONField):
    """A JSON object (not a list, string or number), without NUL characters anywhere."""

    default_error_messages = {"not_object": "应为 JSON 对象。 Expected a JSON object."}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            self.fail("not_object")
        check_no_nul(data)
        return data


class SafeJSONField(serializers.JSONField):
    """Any JSON value without NUL characters (PostgreSQL's jsonb cannot store them)."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        check_no_nul(data)
        return data


class ScalarField(serializers.Field):
    """One value as the client sent it: text, a number, true/false or null — never an object or a list.
    For loosely typed structured data (a term's content) whose meaning the service checks."""

    default_error_messages = {"not_scalar": "应为单个值（文字或数字），不能是对象或列表。 Expected a single value, not an object or a list."}

    def to_internal_value(self, data):
        if isinstance(data, (dict, list)):
            self.fail("not_scalar")
        check_no_nul(data)
        return data

    def to_representation(self, value):
        return value


NUMBER_TEXT = r"^(-?\d{1,10}(\.\d{1,4})?)?$"
WHOLE_TEXT = r"^(-?\d{1,10})?$"


@extend_schema_field({"oneOf": [{"type": "string", "pattern": NUMBER_TEXT},
                                {"type": "number", "minimum": -(10**10), "maximum": 10**10}]})
class NumberField(ScalarField):
    """A number, as a number or as numeric text ("4200", "-10", "7.5"; "" for none); kept as sent."""

    default_error_messages = {"not_number": "请输入数字。 Expected a number."}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data is None:
            return data
        if isinstance(data, str):
            if not re.match(NUMBER_TEXT, data):
                self.fail("not_number")
        elif isinstance(data, bool) or not isinstance(data, (int, float)) or not abs(data) <= 10**10:
            self.fail("not_number")  # also NaN, which no comparison holds for
        return data


@extend_schema_field({"oneOf": [{"type": "string", "pattern": WHOLE_TEXT},
                                {"type": "integer", "minimum": -INT_MAX, "maximum": INT_MAX}]})
class WholeNumberField(ScalarField):
    """An integer, as a number or as numeric text ("12"; "" for none); kept as sent."""

    default_error_messages = {"not_integer": "请输入整数。 Expected an integer."}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data is None:
            return data
        if isinstance(data, str):
            if not re.match(WHOLE_TEXT, data) or data and abs(int(data)) > INT_MAX:
                self.fail("not_integer")
        elif isinstance(data, bool) or not isinstance(data, int) or abs(data) > INT_MAX:
            self.fail("not_integer")
        return data


@extend_schema_field({"type": "string", "format": "date"})
class DateTextField(ScalarField):
    """A date as text (YYYY-MM-DD) within DATE_MIN..DATE_MAX, or empty; kept as text."""

    default_error_messages = {"not_date": "请输入有效日期（YYYY-MM-DD）。 Expected a date.", "out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data in (None, ""):
            return data
        if not isinstance(data, str):
            self.fail("not_date")
        try:
            d = _dt.date.fromisoformat(data.strip())
        except ValueError:
            self.fail("not_date")
        if not DATE_MIN <= d <= DATE_MAX:
            self.fail("out_of_range")
        return data


def enum_text(values, **kwargs) -> serializers.CharField:
    """A string that must be one of `values`, documented as a pattern: drf-spectacular turns every `enum`
    into a named component, and apps' `kind`/`side`/`state` would collide by name."""
    values = [str(v) for v in values]

    def check(value):
        if value not in values and not (value == "" and kwargs.get("allow_blank")):
            raise serializers.ValidationError(f"必须是 {', '.join(values)} 之一。")

    alternatives = "|".join(re.escape(v) for v in values)
    # With allow_blank, drf-spectacular adds the empty string as its own alternative (oneOf): the pattern must
    # not match it too, or "" would match both.
    schema = {"type": "string", "pattern": f"^({alternatives})$", "description": "one of: " + ", ".join(values)}
    # A class, not the instance: serializers deep-copy their fields, which rebuilds them from the class.
    cls = extend_schema_field(schema)(type("EnumTextField", (serializers.CharField,), {}))
    return cls(validators=[check], **kwargs)


class InputModelSerializer(serializers.ModelSerializer):
    # A ModelSerializer whose date, date-time and JSON fields are the bounded ones above (integer fields
    # already carry the column's range from the model's validators). A comment, not a docstring: the
    # schema would show it as every subclass's description.

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
        models.DateTimeField: BoundedDateTimeField,
        models.JSONField: SafeJSONField,
    }


# --- error shapes (documented on every operation by core.api.AutoSchema) ----------------------------------
@extend_schema_serializer(many=False)  # an error is one object, also on a list endpoint
class ErrorSerializer(serializers.Serializer):
    """403, 404, 409 (and 400 for a body that is not JSON): one message."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


@extend_schema_serializer(many=False)
class FieldErrorsSerializer(serializers.Serializer):
    """400: each field's name with its messages (nested inputs nest the same way), `non_field_errors` for the
    rest, or `detail` for a request that could not be read at all (malformed JSON, a NUL character)."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)
