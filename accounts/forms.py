from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Region


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "region",
            "parent",
            "employer",
            "credit_code",
            "industry",
            "headcount",
            "is_small_micro",
            "address",
            "legal_representative",
            "phone",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .scoping import organisations_visible_to, regions_visible_to

        self.fields["region"].queryset = regions_visible_to(actor)
        self.fields["region"].error_messages["invalid_choice"] = _("未知地区，或不在您的管辖范围内。")
        visible = organisations_visible_to(actor)
        self.fields["parent"].queryset = visible.filter(kind=Organisation.Kind.FEDERATION)
        self.fields["employer"].queryset = visible.filter(kind=Organisation.Kind.EMPLOYER)
        self.fields["kind"].choices = [
            c for c in Organisation.Kind.choices if c[0] in ("union", "employer", "federation")
        ]

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_credit_code(self):
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        return code or None


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region):
        return f"{obj.code} {obj.name}"
