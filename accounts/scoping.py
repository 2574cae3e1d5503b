"""What may this actor see? Every view, API endpoint and consumer scopes its querysets here.

`scope(actor, qs, ...)` takes the paths from the queried model to the region, the employer,
the union and the law firm, and filters by the actor's role:

- system administrator: everything;
- union staff and bureau reviewers: rows whose region lies in their organisation's region subtree;
- union negotiator: rows of their own union (or, for a federation negotiator, their region subtree);
- employer representative: rows naming their own enterprise only;
- firm admin and lawyer: rows routed to their own firm only;
- anyone else (anonymous, no role, inactive): nothing.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Organisation, Region, Role


def _region_q(actor, region_path: str | None) -> Q | None:
    if region_path is None or not actor.organisation_id:
        return None
    return Q(**{f"{region_path}__path__startswith": actor.organisation.region.path})


def scope(
    actor,
    qs: QuerySet,
    *,
    region: str | None = None,
    employer: str | None = None,
    union: str | None = None,
    firm: str | None = None,
) -> QuerySet:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.is_sysadmin:
        return qs
    org_id = actor.organisation_id
    role = actor.role
    q: Q | None = None
    if role in (Role.UNION_STAFF, Role.BUREAU_REVIEWER):
        q = _region_q(actor, region)
    elif role == Role.UNION_NEGOTIATOR:
        if actor.organisation and actor.organisation.kind == Organisation.Kind.FEDERATION:
            q = _region_q(actor, region)
        elif union is not None:
            q = Q(**{union: org_id})
    elif role == Role.EMPLOYER_REP and employer is not None:
        q = Q(**{employer: org_id})
    elif role in (Role.FIRM_ADMIN, Role.LAWYER) and firm is not None:
        q = Q(**{firm: org_id})
    if q is None or org_id is None:
        return qs.none()
    return qs.filter(q)


def regions_visible_to(actor) -> QuerySet:
    qs = Region.objects.all()
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.is_sysadmin:
        return qs
    if not actor.organisation_id:
        return qs.none()
    if actor.role in (Role.UNION_STAFF, Role.BUREAU_REVIEWER) or (
        actor.role == Role.UNION_NEGOTIATOR and actor.organisation.kind == Organisation.Kind.FEDERATION
    ):
        return qs.filter(path__startswith=actor.organisation.region.path)
    return qs.filter(pk=actor.organisation.region_id)


def organisations_visible_to(actor) -> QuerySet:
    """Staff see organisations in their region and below; everyone else only their own."""
    qs = Organisation.objects.select_related("region")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.is_sysadmin:
        return qs
    if not actor.organisation_id:
        return qs.none()
    if actor.role in (Role.UNION_STAFF, Role.BUREAU_REVIEWER):
        return qs.filter(region__path__startswith=actor.organisation.region.path)
    if actor.role == Role.UNION_NEGOTIATOR:
        org = actor.organisation
        if org.kind == Organisation.Kind.FEDERATION:
            return qs.filter(region__path__startswith=org.region.path)
        # A grass-roots negotiator sees their union and the enterprise across the table.
        return qs.filter(Q(pk=org.pk) | Q(pk=org.employer_id))
    return qs.filter(pk=actor.organisation_id)


def employers_visible_to(actor) -> QuerySet:
    return organisations_visible_to(actor).filter(kind=Organisation.Kind.EMPLOYER)


def staff_covering(region) -> QuerySet:
    """Active union staff whose federation's region contains `region`: the people who oversee it."""
    from .models import User

    return User.objects.filter(
        is_active=True, role=Role.UNION_STAFF, organisation__region__code__in=region.ancestor_codes()
    )
