from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import audit, visibility
from . import workflow as registry
from .deadlines import compute_due
from .forms import DeadlineForm
from .permissions import permission_rule, public, role_required


@public("landing page; sends logged-in users to their workbench")
def index(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    return redirect("accounts:login")


@role_required(description="any active user with a role: their own workbench")
def home(request):
    return render(request, "core/home.html", {})


@role_required(description="any active user; the object must be visible to them (404 otherwise)")
@require_GET
def history(request, label, pk):
    obj = visibility.get_visible(label, pk, request.user)
    return render(request, "core/history.html", {"object": obj, "events": timeline(obj)})


@role_required(description="any active user: a calculator over the public rule table")
def deadline_calculator(request):
    result = None
    form = DeadlineForm(request.GET or None)
    if request.GET and form.is_valid():
        result = compute_due(form.cleaned_data["rule"], form.cleaned_data["start"])
    return render(request, "core/deadline_calculator.html", {"form": form, "result": result})


@permission_rule("public: health probe, reveals nothing")
def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"ok": True})




def timeline(obj, limit: int | None = None) -> list:
    """The object's audit events with human labels for actions and states (from its workflow)."""
    events = audit.history(obj)
    if limit:
        events = events[:limit]
    return label_events(obj, events)


def label_events(obj, events) -> list:
    wf = registry.for_model(obj)
    if wf is None:
        events = list(events)
        for e in events:
            e.label = registry.common_event_label(e.action)
            e.from_label, e.to_label = e.from_state, e.to_state
        return events
    return wf.labelled(events)
