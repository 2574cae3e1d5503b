"""Hotline consultations: union staff only, in their region subtree."""
from __future__ import annotations

from django.db import transaction

from core import audit

from ..models import Consultation
from ..permissions import can_record_consultation_in


@transaction.atomic
def consultation_create(*, actor, data: dict) -> Consultation:
    can_record_consultation_in(actor, data.get("region")).require()
    c = Consultation(**{k: v for k, v in data.items() if k != "handled_by"}, handled_by=actor)
    c.full_clean()
    c.save()
    audit.record(actor=actor, action="consultation_create", obj=c)
    return c
