"""Negotiation list, detail and sweep at scale: query counts and timings.

    .venv/bin/python bench/negotiation_bench.py [--rows 5000] [--runs 5] [--due 5000]

Builds its data in a throw-away SQLite database (the dev database is never touched): the demo
organisations and the demo negotiations (built through the services: terms, rounds, drafts, votes,
signatures, filing, so the detail page has terms, rounds and history) plus --rows negotiations spread
over the demo employers and states, a tenth of the proposals past their response due date and a tenth of
the reviews over. Prints, per page/filter and user: queries and median milliseconds (the detail page is
the demo negotiation with the most rounds and terms the employer may see); then the sweep twice (the
second must do nothing); then the catch-up: --due rows owed a change (a quarter each: proposal
unanswered, review over, term ended, comment period closing) swept twice. Sweep queries are counted with
a connection execute_wrapper (connection.queries stops at 9,000); every figure carries the load average.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _throwaway import measure, setup_django  # noqa: E402

TMP = setup_django("negotiation-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


class Counter:
    """Every statement the connection executes (no cap, unlike connection.queries)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def build(n: int):
    from accounts import demo
    from accounts.models import Organisation
    from negotiation.models import Negotiation, State

    base = demo.seed()
    from negotiation import demo as negotiation_demo

    negotiation_demo.seed(base)  # through the services: terms, rounds, drafts, history
    employers = list(Organisation.objects.filter(kind="employer", unions__isnull=False).distinct())
    union_of = {e.pk: e.unions.first() for e in employers}
    today = timezone.localdate()
    states = [State.DRAFT, State.PROPOSED, State.IN_ROUNDS, State.COMMENTS, State.UNDER_REVIEW, State.EFFECTIVE]
    now = timezone.now()
    rows = []
    for i in range(n):
        e = employers[i % len(employers)]
        st = states[i % len(states)]
        late = i % 10 == 1
        rows.append(Negotiation(
            title=f"基准协商{i}", employer=e, union=union_of[e.pk], state=st,
            response_due=(today - dt.timedelta(days=2) if late else today + dt.timedelta(days=i % 20)) if st == State.PROPOSED else None,
            review_ends=(today - dt.timedelta(days=1) if i % 10 == 4 else today + dt.timedelta(days=5)) if st == State.UNDER_REVIEW else None,
            term_start=today, term_end=today + dt.timedelta(days=700),
            # Realistic history: everything past the draft was served on the employer.
            proposed_at=None if st == State.DRAFT else now - dt.timedelta(days=30),
        ))
    Negotiation.objects.bulk_create(rows, batch_size=1000)
    return base["users"]




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--due", type=int, default=5000, help="rows owed a sweep change for the catch-up (0: skip)")
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    users = build(args.rows)
    print(f"built {args.rows} negotiations in {time.perf_counter() - t:.1f}s (SQLite)")
    from django.db.models import Count

    from accounts.models import Role, User
    from core.audit import history
    from negotiation.models import Negotiation

    # The richest demo negotiation (most rounds, then terms) and its employer's representative, who may open it.
    some = (Negotiation.objects.filter(proposed_at__isnull=False)
            .annotate(n_rounds=Count("rounds", distinct=True), n_terms=Count("terms", distinct=True))
            .order_by("-n_rounds", "-n_terms", "pk").first())
    users["employer_of_detail"] = User.objects.filter(role=Role.EMPLOYER_REP, organisation=some.employer_id).first()
    print(f"detail page: negotiation #{some.pk} ({some.get_state_display()}) with {some.n_terms} terms, "
          f"{some.n_rounds} rounds, {history(some).count()} history events")
    assert some.n_terms and some.n_rounds
    urls = ["/negotiations/", "/negotiations/?page=10", "/negotiations/?state=proposed", "/negotiations/?overdue=on",
            "/negotiations/?due_week=on", "/api/v1/negotiations/", "/api/v1/negotiations/?overdue=1"]
    for who in ("staff_nm", "staff_hohhot", "employer", "negotiator", "employer_of_detail"):
        c = Client()
        c.force_login(users[who])
        detail = [f"/negotiations/{some.pk}/"] if who in ("staff_nm", "employer_of_detail") else []
        for url in (urls if who != "employer_of_detail" else []) + detail:
            q, ms = measure(c, url, args.runs)
            print(f"{who:<13} {url:<40} {q:>3} queries  {ms:7.1f} ms  {load()}")
    now = timezone.now()
    run_sweep("sweep 1", now)
    run_sweep("sweep 2 (idempotent)", now)
    if args.due:
        build_due(args.due, now)
        run_sweep(f"sweep catching up {args.due} due items", now)
        run_sweep("again (idempotent)", now)


def run_sweep(label, now):
    from negotiation.services import sweep

    c = Counter()
    with connection.execute_wrapper(c):
        t, cpu = time.perf_counter(), time.process_time()
        counts = sweep(now)
        ms, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000
    # cpu: this process's own CPU time (threads included), less sensitive to other people's load than wall time
    print(f"{label:<34} {ms:8.0f} ms (cpu {cpu:6.0f} ms) {c.n:>7} queries  {load()}  {counts}", flush=True)


def build_due(n: int, now) -> None:
    """n negotiations owed a sweep change, a quarter per rule, and n that are not yet."""
    from accounts.models import Organisation
    from negotiation.models import Negotiation, PublishedDraft, State

    employers = list(Organisation.objects.filter(kind="employer", unions__isnull=False).distinct())
    union_of = {e.pk: e.unions.first() for e in employers}
    today = timezone.localdate(now)
    past, later = today - dt.timedelta(days=2), today + dt.timedelta(days=30)
    rows, closing = [], []
    for i in range(2 * n):
        e = employers[i % len(employers)]
        due, kind = i < n, i % 4
        kw = dict(title=f"追赶协商{i}", employer=e, union=union_of[e.pk], term_start=today - dt.timedelta(days=400),
                  term_end=today + dt.timedelta(days=300), proposed_at=timezone.now() - dt.timedelta(days=60))
        if kind == 0:  # art. 32: unanswered past the response date
            kw.update(state=State.PROPOSED, response_due=past if due else later)
        elif kind == 1:  # art. 42: review over without objection
            kw.update(state=State.UNDER_REVIEW, review_ends=past if due else later)
        elif kind == 2:  # the term has ended
            kw.update(state=State.EFFECTIVE, term_end=past if due else later)
        else:  # the comment period closes within a day
            kw.update(state=State.COMMENTS)
            closing.append((len(rows), now + dt.timedelta(hours=5 if due else 60)))
        rows.append(Negotiation(**kw))
    Negotiation.objects.bulk_create(rows, batch_size=1000)
    PublishedDraft.objects.bulk_create([PublishedDraft(negotiation=rows[i], number=1, comments_close=at)
                                        for i, at in closing], batch_size=1000)


if __name__ == "__main__":
    main()
