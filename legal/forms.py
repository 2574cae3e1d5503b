from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region, Role, User
from accounts.scoping import employers_visible_to, regions_visible_to
from core.forms import DateBoundMixin
from core.validators import validate_id_number

from .models import Consultation, FirmProfile, LegalAidCase, Matter, Outcome, WorkLogEntry

DATE = forms.DateInput(attrs={"type": "date"})


class ConsultationForm(DateBoundMixin, forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["received_at", "channel", "caller_name", "caller_phone", "region", "topic", "summary", "advice", "follow_up", "follow_up_due"]
        widgets = {
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "follow_up_due": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "advice": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_visible_to(actor)


class ApplicationForm(DateBoundMixin, forms.ModelForm):
    class Meta:
        model = LegalAidCase
        fields = [
            "applicant_name", "id_number", "phone", "address", "applicant_region", "is_migrant_worker", "household_size",
            "household_monthly_income", "opposing_employer", "opposing_employer_name", "matter", "facts", "claims",
            "claim_amount", "summary_for_firms", "limitation_date", "received_on", "exemption_ground",
        ]
        widgets = {
            "limitation_date": DATE, "received_on": DATE,
            "facts": forms.Textarea(attrs={"rows": 4}), "claims": forms.Textarea(attrs={"rows": 3}),
            "summary_for_firms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "summary_for_firms": _("律所接案前只能看到此摘要，请勿填写姓名、身份证号、电话、住址。"),
            "limitation_date": _("距届满不足7日（按自然日计算，剩余7日不属紧急）的，系统标为紧急，可先行提供法律援助（《法律援助法》第44条）。"),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_region"].queryset = regions_visible_to(actor)
        self.fields["opposing_employer"].queryset = employers_visible_to(actor)
        self.fields["opposing_employer"].required = False

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        validate_id_number(value)
        return value


# --- one input form per workflow action (the API input is derived from it by core.workflow_api) ------
class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=[("approve", _("给予法律援助")), ("reject", _("不予法律援助"))])
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class RequestDocumentsForm(forms.Form):
    what = forms.CharField(label=_("需补充的材料"), widget=forms.Textarea(attrs={"rows": 2}))


class OverrideForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("指定律所"), queryset=Organisation.objects.filter(firm_profile__isnull=False),
                                  help_text=_("合作律所的单位编号"))
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    conflict_confirmed = forms.BooleanField(label=_("本所已完成利益冲突审查，未代理对方用人单位"), required=True)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    """The menu lists the firm's own lawyers; any lawyer id is parsed so that choosing another firm's lawyer
    is refused by the rule (403 with the reason), not reported as an unknown choice."""

    lawyer = forms.ModelChoiceField(label=_("承办律师"), queryset=User.objects.filter(role=Role.LAWYER, is_active=True))

    def __init__(self, *args, actor=None, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        if obj is not None and obj.assigned_firm_id:
            from .selectors import lawyers_of

            own = lawyers_of(obj.assigned_firm)
            self.fields["lawyer"].widget.choices = [("", "---------")] + [(u.pk, str(u)) for u in own]


class WorkLogForm(DateBoundMixin, forms.ModelForm):
    next_steps = forms.CharField(label=_("下一步工作"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = WorkLogEntry
        fields = ["date", "hours", "activity", "next_deadline", "next_deadline_note"]
        widgets = {"date": DATE, "next_deadline": DATE, "activity": forms.Textarea(attrs={"rows": 2})}


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG、PNG 或 DOCX；系统按内容识别类型。"))
    description = forms.CharField(label=_("说明"), required=False, max_length=200)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果"), choices=Outcome.choices)
    amount_recovered = forms.DecimalField(label=_("挽回金额（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)])
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class FirmProfileForm(forms.ModelForm):
    matters = forms.MultipleChoiceField(label=_("承办事项"), choices=Matter.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = FirmProfile
        fields = ["regions", "matters", "capacity", "is_active", "response_rule"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.all()
        self.fields["regions"].widget.attrs["size"] = 8


class SubjectAccessForm(forms.Form):
    id_number = forms.CharField(label=_("申请人身份证号码"), max_length=18,
                                help_text=_("导出本系统中与该申请人有关的全部信息（JSON），导出操作会记入审计记录。"))


class EngagementForm(forms.Form):
    employer = forms.ModelChoiceField(label=_("委托单位"), queryset=Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER))
    description = forms.CharField(label=_("事项"), required=False, max_length=200)
