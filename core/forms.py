from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DeadlineRule


class DeadlineForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("期限规则"), queryset=DeadlineRule.objects.all())
    start = forms.DateField(
        label=_("起算事件日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效日期，格式为 YYYY-MM-DD。")},
    )
