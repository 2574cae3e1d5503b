"""Registry of document kinds: what can be generated, from which object, for whom.

Every generated document goes through the same pipeline (documents.services → core.pdf.render_pdf);
a kind only says how to build its template context. Apps add kinds in their AppConfig.ready().

How to register a kind (example: the legal-aid assignment letter 指派函, for helper C)::

    # legal/apps.py
    class LegalConfig(AppConfig):
        def ready(self):
            from documents import registry
            from legal import documents as legal_documents   # your builder module
            registry.register(registry.DocumentKind(
                key="assignment_letter",
                label="法律援助指派函",
                model="legal.legalaidcase",              # the object the letter is about
                template_version="assignment-1",         # bump when the template's wording changes
                build=legal_documents.build_assignment_letter,
                visible_to=legal.selectors.cases_visible_to,   # actor -> QuerySet of that model
                applies=lambda case: registry.Decision(case.state in {"assigned", "closed"}, "尚未指派律师"),
            ))

    # legal/documents.py
    def build_assignment_letter(case) -> registry.Built:
        return registry.Built(
            template="pdf/assignment_letter.html",      # extends "pdf/base.html", block "body"
            context={"case": case, "firm": case.firm},  # plain objects; the template autoescapes
            title=f"法律援助指派函（{case.number}）",
            parties=[case.firm.name, case.applicant_display],   # shown publicly on the verify page:
                                                                # organisations, never private data
            doc_date=case.assigned_at.date(),          # a FIXED date from the data, never today()
        )

    # the case page, anywhere in its template:
    {% include "documents/_panel.html" with obj=case %}

Rules for builders:
- deterministic: the same data gives the same text (no now(), no random ids; dates come from rows);
- no |safe in templates; user text stays text;
- `parties` and `title` are public (printed on the verification page for anyone holding the code),
  so put organisation names there, not personal data of applicants;
- `visible_to(actor)` must be the same scoped queryset the app's own pages use: download, generate
  and panel views look the object up through it (404 otherwise).

`owner`/`targets` let a kind live on another object's page: minutes are about one round, but are
listed on the negotiation's panel. Default: the object is its own owner.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from django.db.models import Model, QuerySet

from core.permissions import Decision


@dataclass(frozen=True)
class Built:
    """What a builder returns: the template and its context, plus the public facts of the document."""

    template: str
    context: dict
    title: str
    parties: list[str]
    doc_date: dt.date | None = None
    header: str = ""  # running header; defaults to the title


def _always(obj) -> Decision:
    return Decision.allow()


def _self(obj):
    return obj


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    model: str  # "app_label.modelname" of the object the document is about
    template_version: str
    build: Callable[[Any], Built]
    visible_to: Callable[[Any], QuerySet]
    # Whether the document can be generated now (e.g. the agreement needs agreed terms).
    applies: Callable[[Any], Decision] = _always
    # Who may ask for a (re)generation; default: anyone who can see the object.
    may_generate: Callable[[Any, Any], Decision] = field(default=lambda actor, obj: Decision.allow())
    # The page the document is listed on, and the objects of this kind listed on that page.
    owner_model: str = ""
    owner: Callable[[Any], Model] = _self
    targets: Callable[[Any], Iterable[Model]] | None = None
    target_label: Callable[[Any], str] | None = None
    # Called with (actor, obj) whenever a stored copy is downloaded, e.g. to audit a view of personal data.
    on_download: Callable[[Any, Any], None] | None = None

    @property
    def owner_label(self) -> str:
        return self.owner_model or self.model

    def targets_for(self, owner_obj) -> list:
        if self.targets is None:
            return [owner_obj]
        return list(self.targets(owner_obj))

    def label_for(self, obj) -> str:
        return self.target_label(obj) if self.target_label else str(self.label)


_kinds: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    _kinds.pop(key, None)


def get(key: str) -> DocumentKind:
    from django.http import Http404

    try:
        return _kinds[key]
    except KeyError:
        raise Http404("unknown document kind") from None


def all_kinds() -> list[DocumentKind]:
    return list(_kinds.values())


def kinds_for_owner(owner_obj) -> list[DocumentKind]:
    label = owner_obj._meta.label_lower
    return [k for k in _kinds.values() if k.owner_label == label]


def visible_object(kind: DocumentKind, pk, actor):
    """The kind's object `pk` as `actor` may see it; Http404 otherwise (never 403)."""
    from django.http import Http404

    qs = kind.visible_to(actor)
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def label_of(obj) -> str:
    return obj._meta.label_lower


def object_of(kind: DocumentKind, pk):
    """Unscoped lookup, for the background task and the operators' command only."""
    from django.apps import apps

    return apps.get_model(kind.model)._default_manager.get(pk=pk)


__all__ = ["Built", "Decision", "DocumentKind", "register", "get", "all_kinds", "kinds_for_owner", "visible_object"]
