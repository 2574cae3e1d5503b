"""API plumbing: JSON errors with field messages, 409 for concurrent changes, permission classes."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination, permissions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .runner import Conflict


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
