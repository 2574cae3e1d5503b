"""Generic pages for every workflow action: one action page, one refusal, one 409, one error mapper.

`/do/<workflow>/<id>/<action>/`: GET shows the action's form (or a confirmation for an action
without input), POST runs it. The object is looked up through the workflow's scope (404), the action
must be possible in its state (400 with the state named) and allowed for this actor (403 with the
rule's reason); the form re-renders with field messages on bad input (400); a concurrent change is
409. Buttons on every detail page point here (`Workflow.buttons`).
"""
from __future__ import annotations

import inspect

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import workflow as registry
from .forms import bound_dates
from .permissions import role_required
from .runner import Conflict


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field messages on their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            target = name if name in form.fields else None
            for e in errs:
                for m in e.messages:
                    form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for v in exc.error_dict.values() for e in v for m in e.messages]
    return [str(m) for m in exc.messages]


def _accepts(fn, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class _Empty(forms.Form):
    pass


def build_form(action: registry.Action, *, data=None, files=None, actor=None, obj=None):
    """The action's form for this actor and object, with a hidden `expected_state` (stale page → 409)."""
    cls = action.form or _Empty
    kwargs = {}
    # Only parameters the form names: its **kwargs go on to forms.Form, which takes neither.
    params = inspect.signature(cls.__init__).parameters
    if "actor" in params:
        kwargs["actor"] = actor
    if "obj" in params:
        kwargs["obj"] = obj
    form = bound_dates(cls(data=data, files=files, **kwargs))  # dates within the API's bound (core.forms)
    if "expected_state" not in form.fields:
        form.fields["expected_state"] = forms.CharField(widget=forms.HiddenInput, required=False)
    if obj is not None:
        form.initial.setdefault("expected_state", obj.state)
    return form


def run_action(wf: registry.Workflow, action: registry.Action, obj, actor, cleaned: dict):
    """Call the action's service with the form's cleaned data. The stale-page check happens here first
    (cheap) and again inside the runner under the row lock when the service passes it on."""
    data = dict(cleaned)
    expected = data.pop("expected_state", "") or None
    if expected and expected != obj.state:
        raise Conflict(
            _("该记录的状态已由“%(a)s”变为“%(b)s”，请刷新页面后重试。")
            % {"a": wf.state_label(expected), "b": wf.state_label(obj.state)}
        )
    if expected and _accepts(action.service, "expected_state"):
        data["expected_state"] = expected
    return action.service(**{wf.object_kw: obj}, actor=actor, **data)


def conflict_response(request, wf, obj, exc: Conflict):
    return render(request, "core/conflict.html", {"object": obj, "detail_url": wf.detail_url(obj), "message": exc.message},
                  status=409)


@role_required(description="any active user with a role; the object through its workflow's scope (404); "
                           "the action's rule (403 with the reason)")
def action_view(request, workflow, pk, action):
    wf = registry.get(workflow)
    act = wf.action(action)
    if not act.page:
        raise Http404
    obj = wf.get(request.user, pk)
    ctx = {"object": obj, "workflow": wf, "action": act, "detail_url": wf.detail_url(obj)}
    if not act.is_available(obj):
        expected = request.POST.get("expected_state") if request.method == "POST" else None
        if expected and expected != obj.state:  # the page was stale: someone else moved it
            return conflict_response(request, wf, obj, Conflict(
                _("该记录的状态已由“%(a)s”变为“%(b)s”，请刷新页面后重试。")
                % {"a": wf.state_label(expected), "b": wf.state_label(obj.state)}))
        ctx["errors"] = [_("当前状态“%(s)s”下不能执行此操作。") % {"s": wf.state_label(obj.state)}]
        return render(request, "core/refused.html", ctx, status=400)
    decision = act.check(request.user, obj)
    if not decision:
        raise PermissionDenied(decision.reason)
    if request.method == "POST":
        form = build_form(act, data=request.POST, files=request.FILES, actor=request.user, obj=obj)
        if form.is_valid():
            try:
                run_action(wf, act, obj, request.user, form.cleaned_data)
            except Conflict as exc:
                return conflict_response(request, wf, obj, exc)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已完成：%(a)s") % {"a": act.label})
                if wf.visible(request.user).filter(pk=obj.pk).exists():
                    return redirect(wf.detail_url(obj))
                # e.g. a firm that declined a case no longer sees it
                return redirect(wf.list_url() if wf.list_url else "core:home")
        ctx["form"] = form
        return render(request, "core/action.html", ctx, status=400)
    ctx["form"] = build_form(act, actor=request.user, obj=obj)
    return render(request, "core/action.html", ctx)
