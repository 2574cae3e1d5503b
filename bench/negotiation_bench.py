"""Negotiation list, detail and sweep at scale: query counts and timings.

    .venv/bin/python bench/negotiation_bench.py [--rows 5000] [--runs 5]

Builds its data in a throw-away SQLite database (the dev database is never touched): the demo
organisations plus --rows negotiations spread over the demo employers and states, a tenth of the
proposals past their response due date and a tenth of the reviews over. Prints, per page/filter and
user: queries and median milliseconds; then the sweep twice (the second must do nothing).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _throwaway import measure, setup_django  # noqa: E402

TMP = setup_django("negotiation-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(n: int):
    from accounts import demo
    from accounts.models import Organisation
    from negotiation.models import Negotiation, State

    base = demo.seed()
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
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    users = build(args.rows)
    print(f"built {args.rows} negotiations in {time.perf_counter() - t:.1f}s (SQLite)")
    from negotiation.models import Negotiation

    # One the employer may open too: a proposal has been served on it.
    some = Negotiation.objects.filter(employer__name="呼和浩特草原乳业有限公司", proposed_at__isnull=False).first()
    urls = ["/negotiations/", "/negotiations/?page=10", "/negotiations/?state=proposed", "/negotiations/?overdue=on",
            "/negotiations/?due_week=on", "/api/v1/negotiations/", "/api/v1/negotiations/?overdue=1"]
    for who in ("staff_nm", "staff_hohhot", "employer", "negotiator"):
        c = Client()
        c.force_login(users[who])
        for url in urls + ([f"/negotiations/{some.pk}/"] if who in ("staff_nm", "employer") else []):
            q, ms = measure(c, url, args.runs)
            print(f"{who:<13} {url:<40} {q:>3} queries  {ms:7.1f} ms")
    from negotiation.services import sweep

    now = timezone.now()
    for label in ("sweep 1", "sweep 2 (idempotent)"):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            counts = sweep(now)
            ms = (time.perf_counter() - t) * 1000
        print(f"{label:<21} {ms:8.0f} ms {len(ctx.captured_queries):>6} queries {counts}")


if __name__ == "__main__":
    main()
