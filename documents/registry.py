"""Registry of document kinds: what can be generated, from which object, for whom.

Every generated document goes through the same pipeline (documents.services → core.pdf.render_pdf);
a kind only says how to build its template context. The documents app knows no workflow app: each app
registers its kinds from its own `documents.py` (`register()`, called in its AppConfig.ready()), e.g.
negotiation/documents.py (agreement, proposal, response, minutes) and legal/documents.py (the
assignment letter)::

    # legal/documents.py
    def build_assignment_letter(case) -> registry.Built:
        return registry.Built(
            template="pdf/letter.html",                 # extends "pdf/base.html", block "body"
            context={"case": case, "firm": case.firm},  # plain objects; the template autoescapes
            title=f"法律援助指派函（{case.number}）",
            parties=[sender, case.assigned_firm.name],  # shown publicly on the verify page:
                                                        # organisations, never private data
            doc_date=case.assigned_at.date(),          # a FIXED date from the data, never today()
        )

    def register():
        registry.register(registry.DocumentKind(
            key="assignment", label="法律援助指派函", model="legal.legalaidcase",
            template_version="assignment-1",         # bump when the template's wording changes
            build=build_assignment_letter,
            visible_to=letter_visible_to,            # optional: narrows the case's own scope
            applies=lambda case: Decision(case.state in LETTER_STATES, "尚未指派律师"),
        ))

    # the case page, anywhere in its template:
    {% include "documents/_panel.html" with obj=case %}

Rules for builders:
- deterministic: the same data gives the same text (no now(), no random ids; dates come from rows);
- no |safe in templates; user text stays text;
- `parties` and `title` are public (printed on the verification page for anyone holding the code),
  so put organisation names there, not personal data of applicants.

Scope: a document is visible exactly when its object is. `scoped(kind, actor)` starts from the scope
the object's own pages use (its workflow's in core.workflow, else the one registered with
core.visibility) and narrows it with the kind's own `visible_to` when given; a kind whose model has
no registered scope must give `visible_to` (a round's minutes: the rounds of visible negotiations),
and its owner (the page it is listed on) must be visible too. Generate, download, the API and the
panel all look objects up through here (404 otherwise, never 403).

`owner`/`targets` let a kind live on another object's page: minutes are about one round, but are
listed on the negotiation's panel. Default: the object is its own owner.

`render_on(action, from_state, to_state)` names the workflow changes that make the document final
(the agreement: signed, filed, effective): documents follows core.signals.object_changed and queues
one render on commit (none on rollback), in the background (documents.tasks.dispatch).

Unchanged documents are not rendered twice: a render's fingerprint is the sha256 of the kind, its
template version, the stylesheet and the draft HTML (the builder's data as the template prints it,
before the verification code is added). A request whose fingerprint matches a finished render gets
that render back; files are stored by their sha256 (documents/sha256/ab/abcd….pdf), so identical
renders share one file.
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
    # Narrows the object's registered scope (actor -> QuerySet of `model`); required when `model` has none.
    visible_to: Callable[[Any], QuerySet] | None = None
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
    # Objects whose document the demo data renders (documents.demo.seed); None: none.
    demo_objects: Callable[[], Iterable[Model]] | None = None
    # The changes that make the document final, as core.signals.object_changed reports them on the kind's
    # object: (action, from_state, to_state) -> bool. Such a change queues a render on commit
    # (documents.apps), so the first person to ask finds it ready. None: rendered on request only.
    render_on: Callable[[str, str, str], bool] | None = None

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


_MAX_PK = 2**63 - 1


def get_or_404(qs: QuerySet, pk):
    """`qs.get(pk=pk)`, Http404 for a missing row or a malformed/out-of-range id (never a 500)."""
    from django.http import Http404

    try:
        pk = int(pk)
    except (ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not 0 < pk <= _MAX_PK:
        raise Http404
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


def registered_scope(label: str, actor) -> QuerySet | None:
    """The scope the object's own pages use: its workflow's (core.workflow), else the one registered with
    core.visibility; None when the model has neither."""
    from django.apps import apps

    from core import visibility, workflow

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    wf = workflow.for_model(model)
    if wf is not None:
        return wf.visible(actor)
    if model._meta.label_lower in visibility.registered_labels():
        return visibility.visible_queryset(model._meta.label_lower, actor)
    return None


def scoped(kind: DocumentKind, actor) -> QuerySet:
    """The kind's objects `actor` may see: the object's registered scope, narrowed by `kind.visible_to`."""
    from django.http import Http404

    base = registered_scope(kind.model, actor)
    if kind.visible_to is None:
        if base is None:
            raise Http404("no scope for this document's object")
        return base
    qs = kind.visible_to(actor)
    return qs if base is None else qs.filter(pk__in=base.values("pk"))


def visible_object(kind: DocumentKind, pk, actor):
    """The kind's object `pk` as `actor` may see it (and the page it is listed on); Http404 otherwise (never 403)."""
    obj = get_or_404(scoped(kind, actor), pk)
    if kind.owner_model and kind.owner_model != kind.model:
        owners = registered_scope(kind.owner_model, actor)
        if owners is not None:
            get_or_404(owners, kind.owner(obj).pk)
    return obj


def visible_owner(label: str, pk, actor):
    """An object that lists documents (a panel's owner), as `actor` may see it; Http404 otherwise."""
    from django.http import Http404

    label = label.lower()
    if not any(k.owner_label == label for k in _kinds.values()):
        raise Http404("no documents for this object type")
    qs = registered_scope(label, actor)
    if qs is None:
        raise Http404("no scope for this object type")
    return get_or_404(qs, pk)


def label_of(obj) -> str:
    return obj._meta.label_lower


def object_of(kind: DocumentKind, pk):
    """Unscoped lookup, for the background task and the operators' command only."""
    from django.apps import apps

    return apps.get_model(kind.model)._default_manager.get(pk=pk)


__all__ = ["Built", "Decision", "DocumentKind", "register", "get", "all_kinds", "kinds_for_owner", "registered_scope",
           "scoped", "visible_object", "visible_owner"]
