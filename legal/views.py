"""Pages for legal aid. Views parse input, call a service, render; every lookup goes through a scoped selector."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organisation, Role
from core.permissions import role_required
from core.transitions import Conflict

from . import forms, services
from .models import OPEN_FIRM_STATES, CaseDocument, CaseState, FirmProfile, RoutingAttempt
from .selectors import (
    cases_visible_to,
    consultations_visible_to,
    firm_load,
    firms_visible_to,
    is_firm_user,
    lawyers_of,
    personal_data_visible,
)

S, FA, L = Role.UNION_STAFF, Role.FIRM_ADMIN, Role.LAWYER


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e.messages[0] if hasattr(e, "messages") else str(e))
    else:
        for m in exc.messages:
            form.add_error(None, m)


@role_required(S, description="union staff: consultations in their region subtree")
def consultation_list(request):
    form = forms.ConsultationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        services.consultation_create(actor=request.user, data=form.cleaned_data)
        messages.success(request, _("咨询已记录。"))
        return redirect("legal:consultation_list")
    items = consultations_visible_to(request.user).annotate(n_cases=Count("cases"))[:200]
    return render(request, "legal/consultation_list.html", {"form": form, "items": items})


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
            _apply_errors(form, exc)
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
    lines = [f"{c.get_kind_display()}{'：' + str(c.amount) + '元' if c.amount is not None else ''}{'（' + c.description + '）' if c.description else ''}" for c in claims]
    initial = {
        "opposing_employer": dispute.employer_id, "applicant_region": dispute.region_id, "matter": matter,
        "facts": dispute.facts, "claims": "\n".join(lines), "claim_amount": sum(amounts) if amounts else None,
        "limitation_date": getattr(dispute, "limitation_due", None),
        "summary_for_firms": f"{dispute.title}（{dispute.employer}）",
    }
    if worker is not None:
        initial.update(applicant_name=worker.name, phone=worker.phone, is_migrant_worker=worker.is_migrant_worker)
    return initial


@role_required(S, FA, L, description="visible case only (404 otherwise); firm users get a summary until their firm accepts")
@require_GET
def case_detail(request, pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)
    user = request.user
    attempts = case.attempts.select_related("firm")
    ctx = {"case": case, "attempts": attempts}
    if not personal_data_visible(user, case):
        # Pre-acceptance: a separate template that never receives personal fields.
        ctx["accept_form"] = forms.AcceptForm()
        ctx["decline_form"] = forms.DeclineForm()
        summary = {
            "number": case.number, "state": case.get_state_display(), "matter": case.get_matter_display(),
            "region": case.applicant_region.name, "employer": case.employer_label, "claim_amount": case.claim_amount,
            "summary": case.summary_for_firms, "urgent": case.urgent, "limitation_date": case.limitation_date,
        }
        pending = next((a for a in attempts if a.firm_id == user.organisation_id and a.outcome == RoutingAttempt.Result.PENDING), None)
        return render(request, "legal/case_summary.html", {"summary": summary, "pk": case.pk, "attempt": pending,
                                                           "accept_form": ctx["accept_form"], "decline_form": ctx["decline_form"]})
    if is_firm_user(user):
        services.record_personal_view(actor=user, case=case, what="case_page")
    is_staff = user.is_sysadmin or user.role == S
    ctx.update(
        is_staff=is_staff,
        is_firm=is_firm_user(user),
        documents=case.documents.all(),
        work_log=case.work_log.select_related("lawyer"),
        decision_form=forms.DecisionForm(), documents_form=forms.RequestDocumentsForm(),
        override_form=forms.OverrideForm(),
        assign_form=forms.AssignForm(lawyers=lawyers_of(case.assigned_firm)) if case.assigned_firm_id else None,
        worklog_form=forms.WorkLogForm(), upload_form=forms.DocumentForm(), close_form=forms.CloseForm(),
        satisfaction_form=forms.SatisfactionForm(),
        can_firm_admin=user.is_sysadmin or (user.role == FA and user.organisation_id == case.assigned_firm_id),
        can_work=case.state == CaseState.IN_PROGRESS and (user.is_sysadmin or user.organisation_id == case.assigned_firm_id),
    )
    return render(request, "legal/case_detail.html", ctx)


@role_required(S, description="union staff: edit an application in their region before the decision")
def case_edit(request, pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)
    form = forms.ApplicationForm(request.POST or None, instance=case, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=request.user, case=case, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("legal:case_detail", pk=pk)
    return render(request, "legal/case_form.html", {"form": form, "case": case})


# action → (roles, form factory, service call)
def _act_request_documents(request, case, form, qs):
    services.case_request_documents(actor=request.user, case_id=case.pk, what=form.cleaned_data["what"], queryset=qs)


def _act_documents_received(request, case, form, qs):
    services.case_documents_received(actor=request.user, case_id=case.pk, queryset=qs)


def _act_decide(request, case, form, qs):
    services.case_decide(actor=request.user, case_id=case.pk, approve=form.cleaned_data["decision"] == "approve",
                         reason=form.cleaned_data["reason"], queryset=qs, expected_state=case.state)


def _act_route(request, case, form, qs):
    services.route(case_id=case.pk, actor=request.user)


def _act_override(request, case, form, qs):
    services.route_override(actor=request.user, case_id=case.pk, firm_org=form.cleaned_data["firm"], reason=form.cleaned_data["reason"], queryset=qs)


def _act_accept(request, case, form, qs):
    services.case_accept(actor=request.user, case_id=case.pk, conflict_confirmed=form.cleaned_data["conflict_confirmed"], queryset=qs)


def _act_decline(request, case, form, qs):
    services.case_decline(actor=request.user, case_id=case.pk, reason=form.cleaned_data["reason"], queryset=qs)


def _act_assign(request, case, form, qs):
    services.case_assign_lawyer(actor=request.user, case_id=case.pk, lawyer=form.cleaned_data["lawyer"], queryset=qs)


def _act_worklog(request, case, form, qs):
    services.worklog_add(actor=request.user, case_id=case.pk, data=dict(form.cleaned_data), queryset=qs)


def _act_upload(request, case, form, qs):
    services.document_add(actor=request.user, case_id=case.pk, upload=form.cleaned_data["file"], description=form.cleaned_data["description"], queryset=qs)


def _act_close(request, case, form, qs):
    services.case_close(actor=request.user, case_id=case.pk, outcome=form.cleaned_data["outcome"], amount_recovered=form.cleaned_data["amount_recovered"], queryset=qs)


def _act_satisfaction(request, case, form, qs):
    services.case_record_satisfaction(actor=request.user, case_id=case.pk, score=form.cleaned_data["score"], note=form.cleaned_data["note"], queryset=qs)


ACTIONS = {
    "request-documents": ((S,), lambda r, c: forms.RequestDocumentsForm(r.POST), _act_request_documents),
    "documents-received": ((S,), None, _act_documents_received),
    "decide": ((S,), lambda r, c: forms.DecisionForm(r.POST), _act_decide),
    "route": ((S,), None, _act_route),
    "override": ((S,), lambda r, c: forms.OverrideForm(r.POST), _act_override),
    "accept": ((FA,), lambda r, c: forms.AcceptForm(r.POST), _act_accept),
    "decline": ((FA,), lambda r, c: forms.DeclineForm(r.POST), _act_decline),
    "assign": ((FA,), lambda r, c: forms.AssignForm(r.POST, lawyers=lawyers_of(c.assigned_firm)), _act_assign),
    "worklog": ((FA, L), lambda r, c: forms.WorkLogForm(r.POST), _act_worklog),
    "upload": ((S, FA, L), lambda r, c: forms.DocumentForm(r.POST, r.FILES), _act_upload),
    "close": ((FA, L), lambda r, c: forms.CloseForm(r.POST), _act_close),
    "satisfaction": ((S, FA, L), lambda r, c: forms.SatisfactionForm(r.POST), _act_satisfaction),
}


@role_required(S, FA, L, description="visible case only (404); each action checks its own role and state in the service")
@require_POST
def case_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    qs = cases_visible_to(request.user)
    case = get_object_or_404(qs, pk=pk)
    roles, make_form, call = ACTIONS[action]
    if not (request.user.is_sysadmin or request.user.role in roles):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
    form = make_form(request, case) if make_form else None
    if form is not None and not form.is_valid():
        errors = "；".join(f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip() for f, e in form.errors.items())
        messages.error(request, errors)
        return redirect("legal:case_detail", pk=pk)
    try:
        call(request, case, form, qs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
        return render(request, "legal/conflict.html", {"message": exc.message, "pk": pk}, status=409)
    else:
        messages.success(request, _("已完成。"))
    # after a decline the case is no longer visible to the firm
    if not cases_visible_to(request.user).filter(pk=pk).exists():
        return redirect("legal:inbox" if request.user.role == FA else "legal:case_list")
    return redirect("legal:case_detail", pk=pk)


@role_required(S, FA, L, description="document of a visible case; firm users only after their firm accepted (404 otherwise)")
@require_GET
def document_download(request, pk, doc_pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)
    if not personal_data_visible(request.user, case):
        raise Http404
    doc = get_object_or_404(CaseDocument, pk=doc_pk, case=case)
    if is_firm_user(request.user):
        services.record_personal_view(actor=request.user, case=case, what=f"document:{doc.pk}")
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)


@role_required(S, description="union staff: partner firms and their load")
@require_GET
def firm_list(request):
    firms = firms_visible_to(request.user).annotate(
        open_cases=Count("organisation__legal_aid_cases", filter=Q(organisation__legal_aid_cases__state__in=OPEN_FIRM_STATES))
    )
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

