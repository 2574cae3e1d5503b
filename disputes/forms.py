"""Forms parse input only; services decide. Field names match the services' keyword arguments."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.scoping import employers_visible_to
from core.forms import DateBoundMixin

from .models import ClaimKind, Outcome, State

DATE = forms.DateInput(attrs={"type": "date"})


def _negotiations_for(actor):
    try:
        from negotiation.selectors import negotiations_visible_to
    except ImportError:  # pragma: no cover - the negotiation app is part of the project
        return None
    return negotiations_visible_to(actor)


class DisputeOpenForm(DateBoundMixin, forms.Form):
    employer = forms.ModelChoiceField(label=_("用人单位"), queryset=None)
    title = forms.CharField(label=_("案由"), max_length=200)
    is_collective = forms.BooleanField(label=_("集体争议（十人以上，有共同请求）"), required=False)
    representative = forms.CharField(label=_("职工代表"), max_length=60, required=False,
                                     help_text=_("集体争议的职工可以推举代表参加调解、仲裁或者诉讼活动，也可以不推举（劳动争议调解仲裁法第7条）。"))
    workers = forms.CharField(
        label=_("职工"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一名：姓名 电话 岗位（电话、岗位可省略）；进城务工人员在行末加“*”。"),
    )
    known_on = forms.DateField(label=_("知道或应当知道权利被侵害之日"), widget=DATE)
    employment_ended_on = forms.DateField(label=_("劳动关系终止之日"), required=False, widget=DATE,
                                          help_text=_("劳动关系仍存续的留空（拖欠劳动报酬的时效规则不同）。"))
    facts = forms.CharField(label=_("事实与理由"), widget=forms.Textarea(attrs={"rows": 5}))
    collective_contract = forms.ModelChoiceField(label=_("所涉集体合同（可选）"), queryset=None, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers_visible_to(actor)
        negotiations = _negotiations_for(actor)
        if negotiations is None:
            del self.fields["collective_contract"]
        else:
            self.fields["collective_contract"].queryset = negotiations

    def clean_workers(self):
        rows = []
        for line in self.cleaned_data["workers"].splitlines():
            line = line.strip()
            if not line:
                continue
            migrant = line.endswith("*")
            parts = line.rstrip("*").split()
            if not parts:
                continue
            rows.append({
                "name": parts[0][:60],
                "phone": parts[1][:30] if len(parts) > 1 else "",
                "position": " ".join(parts[2:])[:60],
                "is_migrant_worker": migrant,
            })
        if not rows:
            raise forms.ValidationError(_("请至少填写一名职工。"))
        return rows


class ClaimForm(DateBoundMixin, forms.Form):
    kind = forms.ChoiceField(label=_("请求类型"), choices=[("", "—")] + list(ClaimKind.choices), required=False)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0, required=False)
    period_start = forms.DateField(label=_("期间起"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("期间止"), required=False, widget=DATE)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("期间止不能早于期间起。"))
        if not data.get("kind") and (data.get("amount") is not None or data.get("description")):
            self.add_error("kind", _("请选择请求类型。"))
        return data


ClaimFormSet = forms.formset_factory(ClaimForm, extra=3, max_num=20)


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("阶段"), choices=[("", _("全部"))] + list(State.choices), required=False)
    kind = forms.ChoiceField(label=_("请求类型"), choices=[("", _("全部"))] + list(ClaimKind.choices), required=False)
    employer = forms.ModelChoiceField(label=_("用人单位"), queryset=None, required=False, empty_label=_("全部"))
    collective = forms.ChoiceField(label=_("集体争议"), choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))], required=False)
    due_within = forms.IntegerField(label=_("期限在N日内"), min_value=0, max_value=3650, required=False)
    overdue = forms.BooleanField(label=_("仅看已逾期"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers_visible_to(actor)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=200, required=False)
    file = forms.FileField(
        label=_("文件"),
        # interpolated when rendered: `_() % {...}` here would fix the language at import time
        help_text=lazy(lambda: _("PDF、JPEG、PNG 或 DOCX，不超过 %(mb)s MB。") % {"mb": settings.UPLOAD_MAX_BYTES // 1048576}, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}),
    )


# --- one input form per action (disputes/workflow.py); fields are the service's keyword arguments; the
# API input of each action is derived from its form (core.workflow_api) ------------------------------


class _Base(DateBoundMixin, forms.Form):
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, obj=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = obj
        self.actor = actor


class OnForm(_Base):
    on = forms.DateField(label=_("日期"), widget=DATE, required=False, help_text=_("留空为今天。"))


class MediationForm(OnForm):
    body = forms.CharField(label=_("调解组织"), max_length=120)


class AgreementForm(OnForm):
    terms = forms.CharField(label=_("调解协议内容"), widget=forms.Textarea(attrs={"rows": 3}))
    performance_due = forms.DateField(label=_("约定履行期限"), widget=DATE, required=False,
                                      help_text=_("用人单位在此期限内不履行支付劳动报酬、工伤医疗费、经济补偿或者赔偿金的，"
                                                  "劳动者可以申请支付令（第16条）。"))


class PaymentOrderForm(OnForm):
    court = forms.CharField(label=_("受理支付令申请的法院"), max_length=120)
    performance_due = forms.DateField(label=_("约定履行期限"), widget=DATE, required=False,
                                      help_text=_("调解协议约定的履行期限；已随调解协议记录的可留空。"))


class ReasonOnForm(OnForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonOnForm(OnForm):
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ArbitrationForm(OnForm):
    commission = forms.CharField(label=_("仲裁委员会"), max_length=120)


class ExtendForm(_Base):
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AwardForm(_Base):
    """One field per claim on the page (`claim_<id>`); the API sends `awarded` ({claim id: amount}) instead."""

    received_on = forms.DateField(label=_("收到裁决书日期"), widget=DATE, required=False, help_text=_("留空为今天。"))
    amount = forms.DecimalField(label=_("裁决总金额（元）"), max_digits=12, decimal_places=2, min_value=0, required=False)
    awarded = forms.JSONField(label=_("各项请求的裁决金额"), required=False,
                              help_text=_("请求编号 → 裁决金额（元），例如 {\"12\": \"8000.00\"}。"))

    def __init__(self, *args, obj=None, actor=None, **kwargs):
        super().__init__(*args, obj=obj, actor=actor, **kwargs)
        if obj is not None:
            self.fields["awarded"].widget = forms.HiddenInput()
            for claim in obj.claims.all():
                self.fields[f"claim_{claim.pk}"] = forms.DecimalField(
                    label=_("裁决金额：%(claim)s") % {"claim": claim}, max_digits=12, decimal_places=2, min_value=0,
                    required=False,
                )

    def clean_awarded(self):
        value = self.cleaned_data.get("awarded") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("应为“请求编号 → 金额”的对象。"))
        return value

    def clean(self):
        data = super().clean()
        awarded = dict(data.get("awarded") or {})
        awarded.update({
            int(k.split("_", 1)[1]): v for k, v in list(data.items()) if k.startswith("claim_") and v is not None
        })
        for k in [k for k in data if k.startswith("claim_")]:
            data.pop(k)
        data["awarded"] = awarded
        return data


class SetAsideForm(OnForm):
    court = forms.CharField(label=_("受理撤销申请的中级人民法院"), max_length=120)


class RulingForm(_Base):
    on = forms.DateField(label=_("收到裁定书日期"), widget=DATE, required=False, help_text=_("留空为今天。"))


class SuitForm(OnForm):
    court = forms.CharField(label=_("受诉法院"), max_length=120)
    by = forms.ChoiceField(label=_("起诉方"), choices=[("worker", _("劳动者")), ("employer", _("用人单位"))])


class CloseForm(OnForm):
    outcome = forms.ChoiceField(label=_("结果"), choices=Outcome.choices)
    amount_recovered = forms.DecimalField(label=_("追回金额（元）"), max_digits=12, decimal_places=2, min_value=0, required=False)
    note = forms.CharField(label=_("结果说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WithdrawForm(OnForm):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 2}))
