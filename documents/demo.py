"""Demo documents: `seed(base)` renders the documents each kind offers for the demo (its `demo_objects`).

Idempotent: an unchanged document keeps its verification code, so re-seeding adds nothing when a
finished row with that code exists. The documents app knows no workflow app: the kinds, registered by
the workflow apps, say which of their objects to render (negotiation: a few signed agreements).
"""
from __future__ import annotations


def seed(base) -> str:
    from . import registry, services
    from .models import GeneratedDocument

    made = 0
    for kind in registry.all_kinds():
        if kind.demo_objects is None:
            continue
        for obj in kind.demo_objects():
            if not kind.applies(obj):
                continue
            built, code, _html = services.build_html(kind=kind, obj=obj)
            if GeneratedDocument.objects.filter(code=code, status="done").exists():
                continue
            services.document_generate_now(kind=kind, obj=obj, actor=None)
            made += 1
    return f"documents: {made} rendered"
