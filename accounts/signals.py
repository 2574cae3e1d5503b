"""Push websocket revocations when what a user may see changes (issue 14, core/realtime.py).

Sockets check their permission at connect and then only when told. These receivers tell them, on
commit:
- a User saved with a change that can matter (any save, except one limited by `update_fields` to fields
  a permission never reads, such as the `last_login` of every login) or deleted: that user's sockets
  re-check (role removed, deactivated, moved to another organisation → closed with 4403);
- an Organisation saved (its kind, region, parent, enterprise, active flag): its members' sockets;
- a Region saved (its path): the sockets of members of organisations there.
A bulk `QuerySet.update()` sends no signal: call `realtime.recheck_users(pks)` after it.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from core import realtime

# User fields a permission or a scope reads (accounts.scoping, core.consumers._user_may_connect).
PERMISSION_FIELDS = frozenset({"role", "organisation", "organisation_id", "is_active", "is_superuser"})


def user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    if update_fields is not None and not (set(update_fields) & PERMISSION_FIELDS):
        return
    realtime.recheck_user(instance.pk)


def user_deleted(sender, instance, **kwargs):
    realtime.recheck_user(instance.pk)


def _recheck_members(**filters):
    """On commit: one query for the members, then one message per member."""

    def send():
        from .models import User

        realtime.send_recheck_users(User.objects.filter(**filters).values_list("pk", flat=True))

    transaction.on_commit(send)


def organisation_saved(sender, instance, created, **kwargs):
    if not created:
        _recheck_members(organisation_id=instance.pk)


def region_saved(sender, instance, created, **kwargs):
    if not created:
        _recheck_members(organisation__region_id=instance.pk)


def connect():
    from .models import Organisation, Region, User

    # The same dispatch_uid as the older receiver in notifications/apps.py (which re-checked on every save,
    # a login's `last_login` included): this one is connected first (accounts precedes notifications in
    # INSTALLED_APPS), so that one is not connected twice.
    post_save.connect(user_saved, sender=User, dispatch_uid="accounts.user_recheck", weak=False)
    post_delete.connect(user_deleted, sender=User, dispatch_uid="accounts.user_deleted_recheck", weak=False)
    post_save.connect(organisation_saved, sender=Organisation, dispatch_uid="accounts.organisation_recheck", weak=False)
    post_save.connect(region_saved, sender=Region, dispatch_uid="accounts.region_recheck", weak=False)
