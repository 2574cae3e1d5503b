"""The transitions users can ask for: label, input form, service. Shared by pages and the API."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import forms as f
from . import services as s

ACTIONS = {
    "start_negotiation": (_("开始协商"), f.OnForm, s.dispute_start_negotiation),
    "apply_mediation": (_("申请调解"), f.MediationForm, s.dispute_apply_mediation),
    "record_mediation_agreement": (_("记录调解协议"), f.AgreementForm, s.dispute_record_mediation_agreement),
    "fail_mediation": (_("调解不成"), f.OptionalReasonOnForm, s.dispute_fail_mediation),
    "apply_arbitration": (_("申请仲裁"), f.ArbitrationForm, s.dispute_apply_arbitration),
    "accept": (_("仲裁受理"), f.OnForm, s.dispute_accept),
    "refuse_acceptance": (_("不予受理"), f.ReasonOnForm, s.dispute_refuse_acceptance),
    "start_hearing": (_("开庭审理"), f.OnForm, s.dispute_start_hearing),
    "extend_award": (_("延长裁决期限"), f.ExtendForm, s.dispute_extend_award),
    "issue_award": (_("记录裁决"), f.AwardForm, s.dispute_issue_award),
    "file_suit": (_("起诉"), f.SuitForm, s.dispute_file_suit),
    "close": (_("结案"), f.CloseForm, s.dispute_close),
    "withdraw": (_("撤回"), f.WithdrawForm, s.dispute_withdraw),
}


def available_actions(case) -> list[str]:
    names = {t.name for t in case.get_available_state_transitions()}
    return [name for name in ACTIONS if name in names]


def run_action(*, case, actor, name: str, cleaned: dict):
    _, _, service = ACTIONS[name]
    data = dict(cleaned)
    data["expected_state"] = data.get("expected_state") or None
    return service(case=case, actor=actor, **data)


def errors_onto_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for e in errs:
                for m in e.messages:
                    form.add_error(field if field in form.fields else None, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)
