from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import PERIODS, Filters, period_from, region_choices


class OverviewFilterForm(forms.Form):
    region = forms.TypedChoiceField(label=_("地区"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("期间"), choices=PERIODS, required=False, initial="all")
    start = forms.DateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, actor, **kwargs):
        super().__init__(data, **kwargs)
        self.actor = actor
        self.regions = {r.pk: r for r in region_choices(actor)}
        self.fields["region"].choices = [("", _("我的全部辖区"))] + [
            (r.pk, ("　" * (r.level - 1)) + r.name) for r in self.regions.values()
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> Filters:
        """Filters from valid input; invalid or missing input falls back to the actor's whole scope."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        region = self.regions.get(data.get("region")) if data.get("region") else None
        period = period_from(data.get("period"), start=data.get("start"), end=data.get("end"))
        if data.get("period") == "custom" and not (data.get("start") or data.get("end")):
            period = period_from("all")
        return Filters(self.actor, region=region, period=period)
