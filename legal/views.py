"""Pages for legal aid. Views parse input, call a service, render; every lookup goes through a scoped selector."""
from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Organisation, Role
from core import uploads
from core import workflow as registry
from core.permissions import role_required
from core.runner import Conflict
from core.audit import history
from core.views import label_events
from core.workflow_views import apply_errors, conflict_response

from . import forms, services
from .models import CaseDocument, CaseState, FirmProfile, RoutingAttempt
from .models import LegalAidCase
from .permissions import case_history_visible_to
from .selectors import (
    cases_visible_to,
    consultations_visible_to,
    firm_load,
    firms_visible_to,
    is_firm_user,
    personal_data_visible,
)

S, FA, L = Role.UNION_STAFF, Role.FIRM_ADMIN, Role.LAWYER


@role_required(S, description="union staff: consultations in their region subtree")
def consultation_list(request):
    form = forms.ConsultationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("咨询已记录。"))
            return redirect("legal:consultation_list")
    items = consultations_visible_to(request.user).annotate(n_cases=Count("cases"))[:200]
    return render(request, "legal/consultation_list.html", {"form": form, "items": items})


@role_required(S, description="union staff: one consultation in their region subtree (404 otherwise); the full phone number is audited")
@require_GET
def consultation_detail(request, pk):
    consultation = get_object_or_404(consultations_visible_to(request.user), pk=pk)
    full = services.disclose_consultation(actor=request.user, consultation=consultation, what="consultation_page")
    return render(request, "legal/consultation_detail.html", {
        "c": consultation, "full_personal": full, "cases": cases_visible_to(request.user).filter(consultation=consultation),
    })


@role_required(S, FA, L, description="union staff: cases in their region subtree; firm admin: cases routed to the firm; lawyer: cases the firm accepted")
@require_GET
def case_list(request):
    qs = cases_visible_to(request.user)
    state = request.GET.get("state")
    if state in CaseState.values:
        qs = qs.filter(state=state)
    firm_view = is_firm_user(request.user)
    return render(request, "legal/case_list.html", {"cases": qs[:300], "firm_view": firm_view, "states": CaseState.choices, "state": state})


@role_required(FA, description="firm admin: cases routed to their own firm, summary only until accepted")
@require_GET
def inbox(request):
    org = request.user.organisation
    qs = cases_visible_to(request.user)
    offered = qs.filter(state=CaseState.OFFERED)
    due = {a.case_id: a for a in RoutingAttempt.objects.filter(case__in=offered, firm=org, outcome=RoutingAttempt.Result.PENDING)}
    rows = [(c, due.get(c.pk)) for c in offered]
    active = qs.filter(state__in=[CaseState.ACCEPTED, CaseState.IN_PROGRESS])
    return render(request, "legal/inbox.html", {"offered": rows, "active": active, "load": firm_load(org) if org else None})


def _prefill_from_consultation(request, initial):
    cid = request.GET.get("consultation")
    if not cid:
        return None
    consultation = get_object_or_404(consultations_visible_to(request.user), pk=cid)
    if request.method == "GET":  # the form shows the caller's phone number in full
        services.disclose_consultation(actor=request.user, consultation=consultation, what="application_prefill")
    initial.update(
        applicant_name=consultation.caller_name, phone=consultation.caller_phone, applicant_region=consultation.region_id,
        matter=consultation.topic, facts=consultation.summary,
    )
    return consultation


def _application_page(request, initial, consultation=None, extra=None, source=None, more=None):
    form = forms.ApplicationForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(actor=request.user, data=form.cleaned_data, consultation=consultation, extra=extra)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("法律援助申请已登记：%(n)s") % {"n": case.number})
            return redirect("legal:case_detail", pk=case.pk)
    return render(request, "legal/case_form.html", {"form": form, "consultation": consultation, "source": source, **(more or {})})


@role_required(S, description="union staff: new application (optionally from a consultation in their region)")
def case_create(request):
    initial = {}
    consultation = _prefill_from_consultation(request, initial)
    return _application_page(request, initial, consultation)


@role_required(S, description="union staff: application pre-filled from a dispute case in their region (404 otherwise)")
def application_from_dispute(request, dispute_pk):
    from accounts.scoping import scope
    from disputes.models import DisputeCase

    qs = scope(request.user, DisputeCase.objects.select_related("employer", "region"), region="region", employer="employer", union="union")
    dispute = get_object_or_404(qs, pk=dispute_pk)
    workers = list(dispute.workers.all())
    worker = next((w for w in workers if str(w.pk) == request.GET.get("worker")), workers[0] if workers else None)
    initial = dispute_initial(dispute, worker)
    return _application_page(request, initial, extra={"dispute": dispute}, source=dispute,
                             more={"workers": workers, "worker": worker})


# Dispute claim kinds → the art. 31 matter of the application.
CLAIM_TO_MATTER = {
    "wage_arrears": "pay", "standby_pay": "pay", "pay_cut": "pay", "compensation": "pay",
    "work_injury": "work_injury", "social_insurance": "social_insurance",
}


def dispute_initial(dispute, worker=None) -> dict:
    claims = list(dispute.claims.all())
    amounts = [c.amount for c in claims if c.amount is not None]
    matters = [CLAIM_TO_MATTER.get(c.kind, "other") for c in claims]
    matter = next((m for m in ("pay", "work_injury", "social_insurance") if m in matters), "other")
    lines = [str(c.get_kind_display())
             + (_("：%(amount)s 元") % {"amount": c.amount} if c.amount is not None else "")
             + (_("（%(description)s）") % {"description": c.description} if c.description else "")
             for c in claims]
    initial = {
        "opposing_employer": dispute.employer_id, "applicant_region": dispute.region_id, "matter": matter,
        "facts": dispute.facts, "claims": "\n".join(lines), "claim_amount": sum(amounts) if amounts else None,
        "limitation_date": getattr(dispute, "limitation_due", None),
        "summary_for_firms": _("%(title)s（%(employer)s）") % {"title": dispute.title, "employer": dispute.employer},
    }
    if worker is not None:
        initial.update(applicant_name=worker.name, phone=worker.phone, is_migrant_worker=worker.is_migrant_worker)
    return initial


@role_required(S, FA, L, description="visible case only (404 otherwise); firm users get a summary until their firm accepts")
@require_GET
def case_detail(request, pk):
    wf = registry.get("legal")
    case = wf.get(request.user, pk)
    user = request.user
    attempts = case.attempts.select_related("firm")
    if not personal_data_visible(user, case):
        # Pre-acceptance: a separate template that never receives the case, only the summary.
        summary = {
            "number": case.number, "state": case.get_state_display(), "matter": case.get_matter_display(),
            "region": case.applicant_region.name, "employer": case.employer_label, "claim_amount": case.claim_amount,
            "summary": case.summary_for_firms, "urgent": case.urgent, "limitation_date": case.limitation_date,
        }
        pending = next((a for a in attempts if a.firm_id == user.organisation_id and a.outcome == RoutingAttempt.Result.PENDING), None)
        may_answer = bool(wf.action("accept").check(user, case)) and case.state == CaseState.OFFERED
        return render(request, "legal/case_summary.html", {
            "summary": summary, "pk": case.pk, "attempt": pending, "may_answer": may_answer, "expected_state": case.state,
            "accept_form": forms.AcceptForm(), "decline_form": forms.DeclineForm(),
        })
    full = services.disclose_case(actor=user, case=case, what="case_page")
    history_visible = case_history_visible_to(user).filter(pk=case.pk).exists()
    return render(request, "legal/case_detail.html", {
        "case": case, "attempts": attempts, "workflow": wf, "full_personal": full,
        "urgency_explanation": services.urgency_explanation(case),
        "is_staff": user.is_sysadmin or user.role == S,
        "buttons": wf.buttons(user, case),
        "may_edit": bool(wf.action("case_update").check(user, case)) and wf.action("case_update").is_available(case),
        "documents": case.documents.select_related("uploaded_by"),
        "work_log": case.work_log.select_related("lawyer"),
        # Recent actions on the case; the (many) audited views of personal data stay on the full history page.
        "events": label_events(case, history(case).exclude(action="view_personal_data")[:12]) if history_visible else None,
    })


@role_required(S, description="union staff: edit an application in their region before the decision (the action's rule)")
def case_edit(request, pk):
    wf = registry.get("legal")
    case = wf.get(request.user, pk)
    act = wf.action("case_update")
    if not act.is_available(case):
        raise PermissionDenied(_("审查决定作出后不能修改申请。"))
    act.check(request.user, case).require()
    form = forms.ApplicationForm(request.POST or None, instance=LegalAidCase.objects.get(pk=case.pk), actor=request.user)
    if request.method == "GET":  # the form shows the applicant's data in full
        services.record_personal_view(actor=request.user, case=case, what="case_edit")
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=request.user, case=case, data=form.cleaned_data, expected_state=case.state)
        except Conflict as exc:
            return conflict_response(request, wf, case, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("legal:case_detail", pk=pk)
    return render(request, "legal/case_form.html", {"form": form, "case": case})


@role_required(S, FA, L, description="document of a visible case; firm users only after their firm accepted (404 otherwise)")
@require_GET
def document_download(request, pk, doc_pk):
    case = registry.get("legal").get(request.user, pk)
    if not personal_data_visible(request.user, case):
        raise Http404
    doc = get_object_or_404(CaseDocument, pk=doc_pk, case=case)
    if not doc.file:  # removed when the case was anonymised (retention period over)
        raise Http404
    services.record_personal_view(actor=request.user, case=case, what=f"document:{doc.pk}")
    return uploads.download(doc.file, filename=doc.original_name, content_type=doc.content_type)


@role_required(S, description="union staff: subject-access export (PIPL art. 45) of the records in their scope, audited")
def subject_access(request):
    form = forms.SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = services.subject_access_export(actor=request.user, id_number=form.cleaned_data["id_number"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            resp = HttpResponse(body, content_type="application/json; charset=utf-8")
            resp["Content-Disposition"] = 'attachment; filename="subject-access.json"'
            resp["Cache-Control"] = "no-store"
            return resp
    return render(request, "legal/subject_access.html", {"form": form})


@role_required(S, description="union staff: partner firms and their load")
@require_GET
def firm_list(request):
    # open_cases is the profile's counter, moved with every offer and closing (legal/services/load.py);
    # annotating a count under the same name was a 500 once the counter became a field.
    firms = firms_visible_to(request.user)
    unconfigured = Organisation.objects.filter(kind__in=["law_firm", "legal_aid_centre"], firm_profile__isnull=True)
    return render(request, "legal/firm_list.html", {"firms": firms, "unconfigured": unconfigured})


@role_required(S, description="union staff: manage a partner firm's routing data and conflicts")
def firm_edit(request, org_pk):
    org = get_object_or_404(Organisation, pk=org_pk, kind__in=["law_firm", "legal_aid_centre"])
    profile = FirmProfile.objects.filter(organisation=org).first()
    form = forms.FirmProfileForm(request.POST or None, instance=profile, prefix="p")
    eng_form = forms.EngagementForm(request.POST or None, prefix="e")
    if request.method == "POST":
        if "save_profile" in request.POST and form.is_valid():
            d = form.cleaned_data
            services.firm_profile_save(actor=request.user, organisation=org, regions=d["regions"], matters=d["matters"],
                                       capacity=d["capacity"], is_active=d["is_active"], response_rule=d["response_rule"])
            messages.success(request, _("已保存。"))
            return redirect("legal:firm_edit", org_pk=org.pk)
        if "add_engagement" in request.POST and eng_form.is_valid():
            services.engagement_add(actor=request.user, firm=org, **eng_form.cleaned_data)
            return redirect("legal:firm_edit", org_pk=org.pk)
        if "end_engagement" in request.POST:
            services.engagement_end(actor=request.user, firm=org, engagement_id=request.POST.get("end_engagement"))
            return redirect("legal:firm_edit", org_pk=org.pk)
    return render(request, "legal/firm_edit.html", {
        "org": org, "form": form, "eng_form": eng_form, "engagements": org.engagements.select_related("employer"),
        "lawyers": org.members.filter(role__in=[FA, L]), "load": firm_load(org),
    })

