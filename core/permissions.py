"""Permission helpers shared by every app.

- `Decision`: a truthy/falsy answer that carries the reason, so pages can explain a disabled
  button and services can refuse with a clear message.
- `permission_rule` / `public` / `role_required`: every URL's view declares its rule; a test walks
  the URL patterns and fails when one has none.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok

    @classmethod
    def allow(cls) -> "Decision":
        return cls(True)

    @classmethod
    def deny(cls, reason: str) -> "Decision":
        return cls(False, str(reason))

    def require(self) -> None:
        if not self.ok:
            raise PermissionDenied(self.reason)


def permission_rule(description: str):
    """Mark a view (function or class) with the rule that guards it."""

    def mark(view):
        view.permission_rule = description
        return view

    return mark


def public(description: str):
    return permission_rule(f"public: {description}")


def role_required(*roles: str, description: str = ""):
    """Function-view decorator: logged in, active, and holding one of `roles` (sysadmins pass)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_sysadmin or (roles and user.has_role(*roles)) or (not roles and user.is_active and bool(user.role))):
                raise PermissionDenied(gettext("您的角色无权访问此页面。"))
            return view(request, *args, **kwargs)

        wrapped.permission_rule = description or ("roles: " + ",".join(roles) if roles else "authenticated")
        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based view equivalent of `role_required`."""

    roles: tuple[str, ...] = ()
    permission_rule = "authenticated (see roles)"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_sysadmin or (self.roles and user.has_role(*self.roles)) or (not self.roles and user.is_active and bool(user.role))):
            raise PermissionDenied(gettext("您的角色无权访问此页面。"))
        return super().dispatch(request, *args, **kwargs)
