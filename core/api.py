"""API plumbing: JSON errors with field messages, 409 for concurrent changes, permission classes, the
edge checks every endpoint shares (path ids, JSON text, pagination bounds) and the schema's error answers.

What a client sends is validated where it enters (serializers, `core.serializers`' bounded fields, the
checks here): bad input is a 400 naming the field. The exception handler maps only what is input by
definition (Django's ValidationError raised by services and forms for the caller's data, PermissionDenied,
the runner's Conflict); a ValueError or OverflowError anywhere else is a bug and stays a 500.
"""
from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination, permissions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .runner import Conflict
from .serializers import ID_MAX


def _validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, dict):
        # `raise ValidationError("…")` outside a field: the documented shape is always an object.
        exc = exceptions.ValidationError({"non_field_errors": exc.detail if isinstance(exc.detail, list) else [exc.detail]})
    return drf_exception_handler(exc, context)


class HasRole(permissions.BasePermission):
    """View-level role gate; views set `allowed_roles`. Object scope comes from get_queryset()."""

    message = "您的角色无权访问此接口。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        roles = getattr(view, "allowed_roles", None)
        return user.is_sysadmin or roles is None or user.role in roles


class BoundedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """limit at most 200; a limit or offset that is not a small non-negative integer is a 400 naming the
    parameter (an integer beyond 64 bits used to reach PostgreSQL and come back as a 500)."""

    max_limit = 200
    max_offset = 10_000_000

    def _bounded(self, request, name, default, upper):
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise exceptions.ValidationError({name: ["请输入整数。"]}) from None
        if value < 0 or value > upper:
            raise exceptions.ValidationError({name: [f"应在0至{upper}之间。"]})
        return value

    def get_limit(self, request):
        value = self._bounded(request, self.limit_query_param, self.default_limit, 10**9)
        return min(value, self.max_limit) if value else self.default_limit

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, self.max_offset)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            p["schema"]["minimum"] = 0
            p["schema"]["maximum"] = 10**9 if p["name"] == self.limit_query_param else self.max_offset
        return params


# --- path ids -------------------------------------------------------------------------------------------
ID_MESSAGE = "请输入有效的编号（正整数）。 Expected a positive integer id."


def check_path_id(name: str, raw) -> int:
    """A path id as an int. Anything that is not a positive whole number (text, a float, null, 0, -1) is a
    400 naming it; a whole number beyond the `bigint` key range is simply no such object: a 404, as the
    pages answer for the same address."""
    text = str(raw)
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise exceptions.ValidationError({name: [ID_MESSAGE]})
    if len(text) > 19 or int(text) > ID_MAX:
        raise exceptions.NotFound()
    return int(text)


class PathIdsMixin:
    """For views whose URL carries ids: the router passes any path segment (not only digits, which left
    `/cases/null,null/` to an HTML 404), and every id kwarg is checked after authentication and the role
    gate (an outsider learns nothing) and before any lookup: a 400 naming it when it is not an id."""

    lookup_value_regex = r"[^/]+"
    path_ids: tuple[str, ...] = ()  # more kwargs to check besides the lookup (e.g. "term_pk")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        names = {getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk"), *self.path_ids}
        for name in names:
            if name in self.kwargs:
                self.kwargs[name] = str(check_path_id("id" if name in ("pk", "id") else name, self.kwargs[name]))
