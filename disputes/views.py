"""Pages for dispute cases: the list, opening a case, the case page (live), evidence.

Stage changes are not here: every action runs on the generic action page `/do/disputes/<id>/<action>/`
(core.workflow_views), whose buttons the case page shows from the workflow registry."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from core import audit
from core import workflow as registry
from core.deadlines import days_left
from core.permissions import role_required
from core.workflow_views import apply_errors

from . import rules, selectors, services
from .forms import ClaimFormSet, DisputeOpenForm, EvidenceForm, FilterForm
from .permissions import can_open, can_refer_to_legal_aid, can_upload

VIEWERS = (Role.UNION_STAFF, Role.EMPLOYER_REP, Role.UNION_NEGOTIATOR)
DUE_FIELDS = [
    ("limitation_due", "limitation_explanation"),
    ("mediation_due", "mediation_explanation"),
    ("acceptance_due", "acceptance_explanation"),
    ("award_due", "award_explanation"),
    ("appeal_due", "appeal_explanation"),
    ("set_aside_due", "set_aside_explanation"),
    ("set_aside_suit_due", "set_aside_suit_explanation"),
]
LIMITATION_WARN_DAYS = rules.WARN_DAYS["limitation_due"]


_PK = 2**31 - 1  # a placeholder id: reverse() once per page, not once per row


@role_required(*VIEWERS, description="union staff (region), employer reps (own enterprise), union negotiators (own union)")
@require_GET
def dispute_list(request):
    form = FilterForm(request.GET or None, actor=request.user)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "state": d["state"] or None,
            "kind": d["kind"] or None,
            "employer": d["employer"],
            "collective": {"1": True, "0": False}.get(d["collective"]),
            "due_within": d["due_within"],
            "overdue": d["overdue"],
        }
    page = selectors.dispute_list_page(request.user, after=request.GET.get("after"), before=request.GET.get("before"), **filters)
    today = timezone.localdate()
    # What each row shows, computed once per request rather than per row in the template: labels translated
    # once (get_FOO_display rebuilds the lazy choices on each call), the case URL from one reverse().
    states = {v: str(label) for v, label in form.fields["state"].choices}
    kinds = {v: str(label) for v, label in form.fields["kind"].choices}
    url_head, url_tail = reverse("disputes:detail", args=[_PK]).split(str(_PK))
    soon = today + dt.timedelta(days=7)
    rows = []
    for r in page:
        due = r["next_due"]
        rows.append({
            "url": f"{url_head}{r['id']}{url_tail}", "reference": r["reference"], "title": r["title"],
            "is_collective": r["is_collective"], "employer": r["employer__name"], "region": r["region__name"],
            "claims": [kinds.get(k, k) for k in r["claim_kinds"]], "state_label": states.get(r["state"], r["state"]),
            "due": due.isoformat() if due else "", "overdue": bool(due and due < today),
            "soon": bool(due and today <= due <= soon), "is_open": r["is_open"],
        })
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    # The filter form is written out in the template from these (widgets render every <option> through
    # the template engine); names, ids and errors are the form's.
    bound = {name: form[name] for name in form.fields}
    return render(request, "disputes/list.html", {
        "form": form, "page": page, "rows": rows, "today": today, "soon": soon, "query": query.urlencode(),
        "can_open": bool(can_open(request.user)),
        "choices": {name: [(str(v), str(label)) for v, label in form.fields[name].choices] for name in ("state", "kind", "collective")},
        "employer_choices": [(str(pk), name) for pk, name in form.fields["employer"].queryset.values_list("pk", "name")],
        "selected": {name: ("" if f.value() is None else f.value() if name == "overdue" else str(f.value())) for name, f in bound.items()},
        "errors": {name: f.errors for name, f in bound.items() if f.errors},
    })


@role_required(Role.UNION_STAFF, description="union staff: open a case for an employer in their region")
def dispute_open(request):
    form = DisputeOpenForm(request.POST or None, actor=request.user)
    claims = ClaimFormSet(request.POST or None, prefix="claims")
    if request.method == "POST" and form.is_valid() and claims.is_valid():
        rows = [
            {k: v for k, v in c.items() if v not in (None, "")}
            for c in claims.cleaned_data if c.get("kind")
        ]
        try:
            case = services.dispute_open(actor=request.user, claims=rows, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "claims" in exc.error_dict:
                for e in exc.error_dict.pop("claims"):
                    claims._non_form_errors = claims.error_class(e.messages)
            apply_errors(form, exc)
        else:
            messages.success(request, _("案件已登记：%(ref)s") % {"ref": case.reference})
            return redirect("disputes:detail", pk=case.pk)
    return render(request, "disputes/open.html", {"form": form, "claims": claims})


def _legal_aid_url(case):
    try:
        return reverse("legal:application_from_dispute", args=[case.pk])
    except NoReverseMatch:
        return None


STAGE_RECORD_FIELDS = [
    "negotiation_started_on", "mediation_applied_on", "mediation_body", "mediation_agreement_on", "mediation_terms",
    "mediation_performance_due", "payment_order_on", "payment_order_court",
    "mediation_failed_on", "arbitration_applied_on", "arbitration_commission", "accepted_on", "not_accepted_on",
    "not_accepted_reason", "hearing_on", "award_extension_reason", "award_received_on", "effective_on",
    "set_aside_applied_on", "set_aside_court", "set_aside_ruling", "set_aside_ruling_on", "set_aside_lapsed_on",
    "court_filed_on", "court_name", "closed_on", "outcome", "amount_recovered", "outcome_note", "withdrawn_on",
    "withdrawn_reason",
]


def _stage_records(case):
    rows = []
    for name in STAGE_RECORD_FIELDS:
        value = getattr(case, name)
        if value in (None, ""):
            continue
        field = case._meta.get_field(name)
        if field.choices:
            value = getattr(case, f"get_{name}_display")()
        rows.append((field.verbose_name, value))
    if case.court_filed_by:
        rows.append((case._meta.get_field("court_filed_by").verbose_name,
                     {"worker": _("劳动者"), "employer": _("用人单位")}.get(case.court_filed_by, case.court_filed_by)))
    return rows


def _workflow():
    return registry.get("disputes")


def _with_the_law(case, buttons, today, claims):
    """An action the actor may take but the law does not open today (a suit before the commission's or the
    tribunal's period has run, a set-aside application on a non-final award …) is shown disabled, with the
    article as the reason. The service checks the same law against the date entered."""
    out = []
    for b in buttons:
        why = services.law_refusal(case, b.name, on=today, claim_kinds=[c.kind for c in claims]) if b.ok else ""
        out.append(registry.Button(action=b.action, ok=False, reason=why, workflow=b.workflow, obj=b.obj) if why else b)
    return out


def _detail_context(request, case, evidence_form=None):
    user = request.user
    wf = _workflow()
    today = timezone.localdate()
    current_field = services.governing_due_field(case)
    claims = list(case.claims.all())
    dues = []
    for field, expl in DUE_FIELDS:
        value = getattr(case, field)
        explanation = getattr(case, expl)
        if value or explanation:
            dues.append({
                "label": case._meta.get_field(field).verbose_name, "due": value, "explanation": explanation,
                "left": days_left(value, today) if value else None, "current": field == current_field,
            })
    buttons = wf.buttons(user, case)
    # Someone who may do none of them (an employer, a negotiator) sees why once, not a row of disabled buttons.
    allowed = [b for b in buttons if b.ok]
    refused = [b.reason for b in buttons if not b.ok]
    limitation_left = days_left(case.limitation_due, today) if case.limitation_due else None
    refer = _legal_aid_url(case) if can_refer_to_legal_aid(user, case) else None
    return {
        "case": case,
        "claims": claims,
        "workers": case.workers.all(),
        "evidence": selectors.evidence_visible_to(user, case),
        "events": wf.labelled(audit.history(case)),
        "stage_records": _stage_records(case),
        "dues": dues,
        "buttons": _with_the_law(case, buttons, today, claims) if allowed else [],
        "manage_reason": "" if allowed else (refused[0] if refused else ""),
        "upload": can_upload(user, case),
        "evidence_form": evidence_form or EvidenceForm(),
        "limitation_left": limitation_left,
        "limitation_warn": case.is_open and limitation_left is not None and limitation_left <= LIMITATION_WARN_DAYS
        and case.state in rules.BEFORE_ARBITRATION,
        "legal_aid_url": refer,
        "overdue_hint": services.overdue_hint(case) if case.is_open and rules.is_overdue(case.next_due, today) else "",
        "today": today,
    }


def _case_for(request, pk):
    qs = selectors.disputes_visible_to(request.user).select_related("employer", "region", "union", "created_by", "collective_contract")
    return get_object_or_404(qs, pk=pk)


@role_required(*VIEWERS, description="visible case only (404 otherwise): staff in region, own employer, own union")
@require_GET
def dispute_detail(request, pk):
    case = _case_for(request, pk)
    return render(request, "disputes/detail.html", _detail_context(request, case))


@role_required(Role.UNION_STAFF, Role.EMPLOYER_REP, description="staff in region, or the employer named in the case")
@require_POST
def evidence_upload(request, pk):
    case = _case_for(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(case=case, actor=request.user, upload=form.cleaned_data["file"],
                                  title=form.cleaned_data["title"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("disputes:detail", pk=case.pk)
    return render(request, "disputes/detail.html", _detail_context(request, case, evidence_form=form), status=400)


@role_required(*VIEWERS, description="anyone who may see the case (404 otherwise)")
@require_GET
def evidence_download(request, pk, evidence_pk):
    case = _case_for(request, pk)
    ev = get_object_or_404(selectors.evidence_visible_to(request.user, case), pk=evidence_pk)
    return services.evidence_download(ev)
