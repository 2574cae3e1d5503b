"""Keeping overview_daily (overview/models.py) equal to the workflow tables, write by write.

An object's *contribution* is the list of rows it adds to the daily table (its region, opening day, state, and
per dimension the sums the page shows). `refresh(workflow, pks)` recomputes the contributions of those objects
from the database, subtracts what each added before (remembered in overview_item) and adds what it adds now,
as one upsert of the net differences. It runs inside the writing transaction:

- every transition and audited edit: core.signals.object_changed (sent by core.runner after the save);
- creation (the services save, write child rows, then record a creation audit event with no from_state):
  the audit event's post_save;
- deletion of a workflow object: post_delete; an employer's headcount or region (a negotiation's workers and
  region come from its employer when it has none of its own): the organisation's post_save.

So the aggregates commit with the write or roll back with it: a rolled-back transaction leaves no trace, and no
reader ever sees a write without its aggregate. Concurrent writers of one object are serialised by the
runner's row lock; writers of different objects touch the shared rows in one sorted order (no deadlock).
Rows written without the services (bulk loads, fixtures, SQL) are picked up by `manage.py rebuild_overview`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import functools

from django.db import connection, transaction
from django.utils import timezone

from core import batch

WORKFLOWS = ("negotiation", "disputes", "legal")
EPOCH = dt.date(1970, 1, 1)  # the day of the all-time rows
INT_COLS = ("n", "workers", "collective", "mediated", "arbitrated", "court", "recovered_cases", "urgent",
            "unroutable", "rated", "satisfied", "sat_sum")
COLS = INT_COLS + ("amount",)
KEY_COLS = ("workflow", "grain", "day", "region_id", "state", "dim", "key")


def _models():
    from disputes.models import DisputeCase, DisputeClaim
    from legal.models import LegalAidCase
    from negotiation.models import Negotiation, Term

    return Negotiation, Term, DisputeCase, DisputeClaim, LegalAidCase


def arrangement_kinds() -> list[str]:
    from negotiation.models import TermKind

    return [k.value for k in TermKind if k != TermKind.ARTICLE]


def _vals(**kw) -> list:
    """A value vector in COLS order (amount as a string, exact in JSON)."""
    out = [int(kw.get(c) or 0) for c in INT_COLS]
    out.append(str(Decimal(kw.get("amount") or 0).quantize(Decimal("0.01"))))
    return out


# --- contributions: what each object adds ----------------------------------------------------------------

def _negotiations(flt: dict) -> dict[int, list]:
    Negotiation, Term, *_ = _models()
    kinds: dict[int, set] = {}
    for neg_id, kind in (Term.objects.filter(is_removed=False, kind__in=arrangement_kinds(),
                                             **{f"negotiation__{k}": v for k, v in flt.items()})
                         .order_by().values_list("negotiation_id", "kind").distinct()):
        kinds.setdefault(neg_id, set()).add(kind)
    out = {}
    for pk, state, created, head, emp_head, region, employer, proposed, effective_on in (
            Negotiation.objects.filter(**flt).order_by().values_list(
                "pk", "state", "created_at", "headcount", "employer__headcount", "employer__region_id", "employer_id",
                "proposed_at", "effective_on").iterator(2000)):
        day = timezone.localtime(created).date().isoformat()
        workers = head if head is not None else (emp_head or 0)
        region = region or 0
        one = _vals(n=1)
        rows = [[region, day, state, "", "", _vals(n=1, workers=workers)],
                [region, day, state, "emp", str(employer), one]]
        for k in sorted(kinds.get(pk, ())):
            rows.append([region, day, state, "kind", k, _vals(n=1, workers=workers)])
            rows.append([region, day, state, f"emp:{k}", str(employer), one])
        if proposed is not None and effective_on is not None:
            days = (effective_on - timezone.localtime(proposed).date()).days
            rows.append([region, day, "", "days", str(days), one])  # any state: no state column needed
        out[pk] = rows
    return out


def _disputes(flt: dict) -> dict[int, list]:
    _n, _t, DisputeCase, DisputeClaim, _l = _models()
    kinds: dict[int, set] = {}
    for case_id, kind in (DisputeClaim.objects.filter(**{f"case__{k}": v for k, v in flt.items()})
                          .order_by().values_list("case_id", "kind").distinct()):
        kinds.setdefault(case_id, set()).add(kind)
    out = {}
    for pk, state, filed, region, coll, med, award, court, amount in (
            DisputeCase.objects.filter(**flt).order_by().values_list(
                "pk", "state", "filed_on", "region_id", "is_collective", "mediation_agreement_on", "award_received_on",
                "court_filed_on", "amount_recovered").iterator(2000)):
        day = filed.isoformat()
        rows = [[region or 0, day, state, "", "", _vals(
            n=1, collective=coll, mediated=med is not None, arbitrated=award is not None, court=court is not None,
            amount=amount, recovered_cases=(amount or 0) > 0)]]
        rows += [[region or 0, day, state, "kind", k, _vals(n=1)] for k in sorted(kinds.get(pk, ()))]
        out[pk] = rows
    return out


def _legal(flt: dict) -> dict[int, list]:
    *_, LegalAidCase = _models()
    from legal.models import RoutingAttempt

    # Accepted offers with their reply time, for each firm's median hours to accept (exact: microseconds).
    accepts: dict[int, list] = {}
    for case_id, firm, offered, responded in (
            RoutingAttempt.objects.filter(outcome=RoutingAttempt.Result.ACCEPTED, responded_at__isnull=False,
                                          **{f"case__{k}": v for k, v in flt.items()})
            .order_by().values_list("case_id", "firm_id", "offered_at", "responded_at").iterator(2000)):
        us = (responded - offered) // dt.timedelta(microseconds=1)
        accepts.setdefault(case_id, []).append(f"{firm}|{us}")
    out = {}
    for pk, state, received, region, urgent, unroutable, amount, sat, firm, outcome in (
            LegalAidCase.objects.filter(**flt).order_by().values_list(
                "pk", "state", "received_on", "applicant_region_id", "urgent", "no_firm_available", "amount_recovered",
                "satisfaction", "assigned_firm_id", "outcome").iterator(2000)):
        day = received.isoformat()
        rows = [[region or 0, day, state, "", "", _vals(
            n=1, urgent=urgent, unroutable=unroutable, amount=amount, rated=sat is not None,
            satisfied=sat is not None and sat >= 4, sat_sum=sat or 0)]]
        if firm is not None:
            rows.append([region or 0, day, state, "firm", f"{firm}|{outcome or ''}", _vals(n=1)])
        delays: dict[str, int] = {}
        for key in accepts.get(pk, ()):
            delays[key] = delays.get(key, 0) + 1
        rows += [[region or 0, day, "", "accept", key, _vals(n=c)] for key, c in sorted(delays.items())]
        out[pk] = rows
    return out


CONTRIBUTIONS = {"negotiation": _negotiations, "disputes": _disputes, "legal": _legal}


def _expand(rows, sign: int, into: dict) -> None:
    """Add (sign=1) or subtract (sign=-1) an object's rows, in each grain, to a delta keyed like the table."""
    for region, day, state, dim, key, vals in rows:
        d = dt.date.fromisoformat(day)
        for grain, gday in (("d", d), ("m", d.replace(day=1)), ("a", EPOCH)):
            k = (grain, gday, region, state, dim, key)
            acc = into.get(k)
            if acc is None:
                acc = into[k] = [0] * len(INT_COLS) + [Decimal(0)]
            for i in range(len(INT_COLS)):
                acc[i] += sign * vals[i]
            acc[-1] += sign * Decimal(vals[-1])


def _upsert(workflow: str, delta: dict) -> None:
    """Add the net differences to overview_daily in one statement, rows in key order (a fixed lock order)."""
    items = sorted((k, v) for k, v in delta.items() if any(v))
    if not items:
        return
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in KEY_COLS + COLS)
    one = "(" + ", ".join(["%s"] * (len(KEY_COLS) + len(COLS))) + ")"
    sets = ", ".join(f"{q(c)} = overview_daily.{q(c)} + excluded.{q(c)}" for c in COLS)
    conflict = ", ".join(q(c) for c in KEY_COLS)
    params = []
    for (grain, day, region, state, dim, key), v in items:
        params += [workflow, grain, day, region, state, dim, key, *v]
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO overview_daily ({cols}) VALUES {', '.join([one] * len(items))} "
                    f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}", params)


def refresh(workflow: str, pks) -> None:
    """Bring the aggregates of objects `pks` of `workflow` up to date (created, changed or deleted)."""
    from .models import OverviewItem

    pks = sorted({int(p) for p in pks})
    if not pks:
        return
    with transaction.atomic():
        old = {o.object_id: o for o in OverviewItem.objects.select_for_update()
               .filter(workflow=workflow, object_id__in=pks).order_by("object_id")}
        new = CONTRIBUTIONS[workflow]({"pk__in": pks})
        delta: dict = {}
        changed, gone = [], []
        for pk in pks:
            before = old[pk].rows if pk in old else []
            after = new.get(pk, [])
            if before == after:
                continue
            _expand(before, -1, delta)
            _expand(after, 1, delta)
            if after:
                changed.append(OverviewItem(workflow=workflow, object_id=pk, rows=after))
            elif pk in old:
                gone.append(pk)
        if not (changed or gone):
            return
        _upsert(workflow, delta)
        if changed:
            OverviewItem.objects.bulk_create(changed, update_conflicts=True, unique_fields=["workflow", "object_id"],
                                             update_fields=["rows"])
        if gone:
            OverviewItem.objects.filter(workflow=workflow, object_id__in=gone).delete()


def rebuild(*, batch: int = 5000) -> dict:
    """Recompute both tables from the workflow tables (backfill and repair). Returns the counts written."""
    from .models import OverviewDaily, OverviewItem

    counts = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":  # writers wait for the rebuild instead of updating half-built rows
            with connection.cursor() as cur:
                cur.execute("LOCK TABLE overview_daily, overview_item IN EXCLUSIVE MODE")
        OverviewDaily.objects.all().delete()
        OverviewItem.objects.all().delete()
        for workflow, compute in CONTRIBUTIONS.items():
            contribs = compute({})
            delta: dict = {}
            items = []
            for pk, rows in contribs.items():
                _expand(rows, 1, delta)
                items.append(OverviewItem(workflow=workflow, object_id=pk, rows=rows))
            OverviewItem.objects.bulk_create(items, batch_size=batch)
            OverviewDaily.objects.bulk_create(
                [OverviewDaily(workflow=workflow, grain=g, day=d, region_id=r, state=s, dim=dim, key=key,
                               **dict(zip(COLS, v)))
                 for (g, d, r, s, dim, key), v in sorted(delta.items())], batch_size=batch)
            counts[workflow] = {"objects": len(items), "rows": len(delta)}
    return counts


# --- receivers (connected in OverviewConfig.ready) ------------------------------------------------------

def _name_for(model) -> str | None:
    from core import workflow

    wf = workflow.for_model(model)
    return wf.name if wf is not None and wf.name in CONTRIBUTIONS else None


def on_object_changed(sender, obj, **kwargs):
    """Each audited write refreshes its object's contribution; inside a batch of system writes (a sweep's
    catch-up, core.batch.deferring) the batch's objects are refreshed together when it ends: one set of
    statements per batch instead of per row, in the same transaction."""
    name = _name_for(sender)
    if name and not batch.defer(("overview", name), obj.pk, functools.partial(refresh, name)):
        refresh(name, [obj.pk])


def on_audit_event(sender, instance, created, raw=False, **kwargs):
    """A creation (or another audited write outside the runner that names a state): no from_state."""
    if not created or raw or instance.from_state or not instance.to_state:
        return
    name = _name_for(instance.content_type.model_class())
    if name:
        refresh(name, [instance.object_id])


def on_delete(sender, instance, **kwargs):
    name = _name_for(sender)
    if name:
        refresh(name, [instance.pk])


def on_organisation_saved(sender, instance, created, raw=False, **kwargs):
    """An employer's headcount and region count for its negotiations that have none of their own."""
    if created or raw or instance.kind != "employer":
        return
    Negotiation, *_ = _models()
    pks = list(Negotiation.objects.filter(employer_id=instance.pk).values_list("pk", flat=True))
    if pks:
        refresh("negotiation", pks)
