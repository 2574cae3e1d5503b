"""Demo documents: `seed(base)` renders the documents each kind offers for the demo (its `demo_objects`).

Idempotent: an unchanged document (same fingerprint) already rendered is not rendered again. The documents app knows no workflow app: the kinds, registered by
the workflow apps, say which of their objects to render (negotiation: a few signed agreements).
"""
from __future__ import annotations


def seed(base) -> str:
    from . import registry, services

    made = 0
    for kind in registry.all_kinds():
        if kind.demo_objects is None:
            continue
        for obj in kind.demo_objects():
            if not kind.applies(obj):
                continue
            if services.current_document(kind=kind, obj=obj) is not None:  # unchanged since its render
                continue
            services.document_generate_now(kind=kind, obj=obj, actor=None)
            made += 1
    return f"documents: {made} rendered"
