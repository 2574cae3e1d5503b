"""Reads: every queryset a user sees of negotiations comes from here, scoped by accounts.scoping."""
from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import scope

from .models import Negotiation


def negotiations_visible_to(actor) -> QuerySet:
    """Staff/bureau: their region subtree (by the employer's region); employer reps: their enterprise;
    union negotiators: their union. Everyone else: nothing."""
    return scope(
        actor,
        Negotiation.objects.all(),
        region="employer__region",
        employer="employer_id",
        union="union_id",
    )
