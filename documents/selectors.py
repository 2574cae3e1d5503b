"""Reads for generated documents, always through the object's scope (documents.registry.scoped)."""
from __future__ import annotations

from . import registry
from .models import GeneratedDocument


def document_visible_to(actor, pk) -> GeneratedDocument:
    """The document `pk` if `actor` may see the object it is about (through the kind's scope, as the
    generate view does); Http404 otherwise. The object is attached as `doc.subject`."""
    doc = registry.get_or_404(GeneratedDocument.objects.all(), pk)
    kind = registry.get(doc.kind)
    doc.subject = registry.visible_object(kind, doc.object_id, actor)
    return doc


def panel_rows(owner_obj, actor) -> list[dict]:
    """For the panel on `owner_obj`'s page: one row per (kind, target) with its latest documents.

    Two queries for the documents whatever the number of kinds and targets.
    """
    label = owner_obj._meta.label_lower
    docs = list(GeneratedDocument.objects.filter(owner_label=label, owner_id=str(owner_obj.pk)).order_by("-pk")[:200])
    rows = []
    seen = set()
    for kind in registry.kinds_for_owner(owner_obj):
        try:
            targets = kind.targets_for(owner_obj)
        except Exception:  # a builder's lookup must never break the page that includes the panel
            targets = []
        for target in targets:
            key = (kind.key, target._meta.label_lower, str(target.pk))
            seen.add(key)
            mine = [d for d in docs if (d.kind, d.object_label, d.object_id) == key]
            latest_done = next((d for d in mine if d.status == GeneratedDocument.Status.DONE), None)
            latest = mine[0] if mine else None
            applies = kind.applies(target)
            can = applies and (actor is None or kind.may_generate(actor, target))
            rows.append(
                {
                    "kind": kind,
                    "label": kind.label_for(target),
                    "target": target,
                    "latest": latest,
                    "done": latest_done,
                    # pending/rendering only while a render really is queued or running (a lost one is
                    # "failed" once stale); a finished render is shown as done even if it is the newest row
                    "busy": bool(latest and latest.is_busy and not latest.is_stale),
                    "status": (latest.status if latest and latest.is_busy and not latest.is_stale else ""),
                    "failed": latest if latest and (latest.status == GeneratedDocument.Status.FAILED or latest.is_stale) else None,
                    "can_generate": bool(can),
                    "reason": "" if can else (getattr(applies, "reason", "") or getattr(can, "reason", "")),
                    "older": _distinct_older(mine, latest_done),
                }
            )
    return rows


def _distinct_older(mine, latest_done) -> list:
    """Earlier finished versions, one per distinct file (a reused render is not a version)."""
    seen = {latest_done.sha256} if latest_done else set()
    out = []
    for d in mine:
        if d.status == GeneratedDocument.Status.DONE and d.sha256 not in seen:
            seen.add(d.sha256)
            out.append(d)
    return out[:5]
