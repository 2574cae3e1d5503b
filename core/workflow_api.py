"""Generic API actions: `POST /api/v1/<things>/{id}/<action>/` for every registered Action.

`add_actions(ViewSet, "negotiation", present=…)` adds one DRF `@action` per registry entry, documented
in the OpenAPI schema with its input (derived from the action's one form), its response and every
status it can return (400 field errors, 403 with the rule's reason, 404 outside the scope, 409 for a
concurrent change). The input is checked twice: by the derived serializer for types and shapes (a
nested object where a string belongs is a 400, not a 500), then by the form itself, whose clean
methods and scoped choices are the same the page uses.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from . import workflow as registry
from .runner import Conflict
from .serializers import (
    INT_MAX,
    BoundedDateField,
    BoundedDateTimeField,
    ErrorSerializer,
    FieldErrorsSerializer,
    IdField,
    SafeJSONField,
)
from .workflow_views import build_form, run_action

__all__ = ["ErrorSerializer", "FieldErrorsSerializer", "add_actions", "serializer_for", "validated_form"]

_cache: dict[tuple, type] = {}


def _field(f: forms.Field) -> serializers.Field:
    """The API field for a form field: the same type, with the edge's bounds (dates within DATE_MIN..DATE_MAX,
    integers within the column, ids as positive 64-bit integers, JSON without NUL characters)."""
    common = {"required": f.required, "help_text": str(f.help_text or "") or None, "label": str(f.label or "") or None}
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(required=False, label=common["label"], help_text=common["help_text"])
    if isinstance(f, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=IdField(), max_length=1000, **common)
    if isinstance(f, forms.ModelChoiceField):
        return IdField(**common, allow_null=not f.required)
    if isinstance(f, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=list(f.choices)), **common)
    if isinstance(f, forms.ChoiceField):
        choices = [c for c in f.choices if c[0] not in ("", None)]
        return serializers.ChoiceField(choices=choices, allow_blank=not f.required, **common)
    if isinstance(f, forms.DateTimeField):
        return BoundedDateTimeField(**common, allow_null=not f.required)
    if isinstance(f, forms.DateField):
        return BoundedDateField(**common, allow_null=not f.required)
    if isinstance(f, forms.DecimalField):
        return serializers.DecimalField(max_digits=f.max_digits or 14, decimal_places=f.decimal_places or 2,
                                        allow_null=not f.required, coerce_to_string=False, **common)
    if isinstance(f, forms.IntegerField):
        bounds = {"min_value": -INT_MAX - 1 if f.min_value is None else f.min_value,
                  "max_value": INT_MAX if f.max_value is None else f.max_value}
        return serializers.IntegerField(**bounds, allow_null=not f.required, **common)
    if isinstance(f, forms.JSONField):
        return SafeJSONField(**common)
    if isinstance(f, forms.FileField):
        return serializers.FileField(**common)
    max_length = getattr(f, "max_length", None)
    return serializers.CharField(allow_blank=not f.required, max_length=max_length, **common)


def serializer_for(action: registry.Action, workflow: registry.Workflow,
                   fields: dict[str, serializers.Field] | None = None) -> type[serializers.Serializer]:
    """A DRF serializer mirroring the action's form (types and shapes for the schema and the first check).
    `fields` replaces derived fields where the form's type says too little for an API (a JSONField whose
    structure the app knows)."""
    form_class = action.form
    key = (form_class, workflow.name, action.name)
    if key in _cache:
        return _cache[key]
    derived = {}
    if form_class is not None:
        for name, f in form_class.base_fields.items():
            if isinstance(f.widget, forms.HiddenInput) and name != "expected_state":
                continue
            derived[name] = _field(f)
    derived.update(fields or {})
    derived["expected_state"] = serializers.CharField(
        required=False, allow_blank=True, max_length=40,
        help_text="the state the client saw; a different current state answers 409"
    )
    fields = derived
    name = "".join(p.capitalize() for p in f"{workflow.name}_{action.name}".split("_")) + "Input"
    cls = type(name, (serializers.Serializer,), fields)
    _cache[key] = cls
    return cls


def _form_data(validated: dict, raw) -> MultiValueDict | dict:
    data = MultiValueDict()
    for k, v in validated.items():
        if isinstance(v, list):
            data.setlist(k, [str(x) for x in v])
        elif isinstance(v, bool):
            data[k] = "on" if v else ""
        elif v is None:
            continue
        elif isinstance(v, (dict,)):
            data[k] = v
        else:
            data[k] = v if isinstance(v, str) else str(v)
    return data


def _form_errors(form) -> dict:
    return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()}


def validated_form(action: registry.Action, wf: registry.Workflow, request, obj, fields=None):
    """The action's form over the request's input, checked twice: the derived serializer for types, shapes and
    bounds, then the form (its clean methods and scoped choices, as on the page). Bad input raises a 400."""
    ser = serializer_for(action, wf, fields)(data=request.data)
    ser.is_valid(raise_exception=True)
    files = request.FILES if hasattr(request, "FILES") else None
    form = build_form(action, data=_form_data(ser.validated_data, request.data), files=files, actor=request.user, obj=obj)
    if not form.is_valid():
        raise serializers.ValidationError(_form_errors(form))
    return form


def _make(workflow_name: str, action: registry.Action, present, response, fields=None):
    wf = registry.get(workflow_name)
    input_cls = serializer_for(action, wf, fields)

    def handler(self, request, pk=None):
        obj = wf.get(request.user, pk)
        if not action.is_available(obj):
            expected = request.data.get("expected_state") if hasattr(request.data, "get") else None
            if isinstance(expected, str) and expected and expected != obj.state:  # stale client: 409
                raise Conflict(
                    "该记录的状态已由“%(a)s”变为“%(b)s”，请刷新页面后重试。"
                    % {"a": wf.state_label(expected), "b": wf.state_label(obj.state)}
                )
            raise ValidationError(
                "当前状态“%(s)s”下不能执行此操作。" % {"s": wf.state_label(obj.state)}, code="invalid_state"
            )
        decision = action.check(request.user, obj)
        if not decision:
            raise PermissionDenied(decision.reason)
        form = validated_form(action, wf, request, obj, fields)
        result = run_action(wf, action, obj, request.user, form.cleaned_data)
        obj = wf.get(request.user, obj.pk) if wf.visible(request.user).filter(pk=obj.pk).exists() else obj
        return Response(present(self, request, obj, result), status=action.api_status)

    handler.__name__ = action.name
    handler.__doc__ = str(action.label)
    # @action first, then extend_schema: @action resets the function's kwargs, dropping a schema set before it.
    handler = drf_action(detail=True, methods=["post"], url_path=action.slug, url_name=action.slug)(handler)
    return extend_schema(
        operation_id=f"{workflow_name}_{action.name}",
        summary=str(action.label),
        request=input_cls,
        responses={
            action.api_status: response,
            400: OpenApiResponse(FieldErrorsSerializer, description="bad input, or not possible in this state"),
            403: OpenApiResponse(ErrorSerializer, description="this actor may not do it (the reason)"),
            404: OpenApiResponse(ErrorSerializer, description="not visible to this actor"),
            409: OpenApiResponse(ErrorSerializer, description="changed by someone else meanwhile"),
        },
    )(handler)


def add_actions(viewset, workflow_name: str, *, present, response, fields=None):
    """Add every API-enabled action of the workflow to `viewset`. `present(view, request, obj, result)`
    returns the response body (usually the object's detail serializer data). `fields` maps an action's
    name to API fields that replace derived ones ({"respond": {"counter_terms": CounterTermsField()}})."""
    wf = registry.get(workflow_name)
    for a in wf.actions.values():
        if a.api:
            setattr(viewset, a.name, _make(workflow_name, a, present, response, (fields or {}).get(a.name)))
    return viewset
