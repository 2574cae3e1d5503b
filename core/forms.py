import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DeadlineRule
from .serializers import DATE_MAX, DATE_MIN


def validate_date_in_range(value) -> None:
    """The API's bound (core.serializers.DATE_MIN..DATE_MAX) for page forms: deadlines are computed from
    dates, and a year such as 9999 overflows them."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _("日期超出范围（%(min)s至%(max)s）。"), code="out_of_range",
            params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        )


def bound_dates(form):
    """Give every date and date-time field of `form` the API's date bound (once per field). Returns the form."""
    for field in form.fields.values():
        if isinstance(field, (forms.DateField, forms.DateTimeField)) and validate_date_in_range not in field.validators:
            field.validators.append(validate_date_in_range)
    return form


class DateBoundMixin:
    """For page forms with dates: every date field refuses a date outside DATE_MIN..DATE_MAX with
    "date out of range" on the field, as the API does. Forms of workflow actions get it from
    core.workflow_views.build_form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)


class DeadlineForm(DateBoundMixin, forms.Form):
    rule = forms.ModelChoiceField(label=_("期限规则"), queryset=DeadlineRule.objects.all())
    start = forms.DateField(
        label=_("起算事件日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效日期，格式为 YYYY-MM-DD。")},
    )
