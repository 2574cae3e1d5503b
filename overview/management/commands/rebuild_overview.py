import json
import time

from django.core.management.base import BaseCommand

from overview.aggregates import rebuild


class Command(BaseCommand):
    help = ("Recompute the overview's aggregates (overview_daily, overview_item) from the workflow tables: backfill "
            "after a bulk load or rows written without the services, and repair. Idempotent.")

    def handle(self, *args, **opts):
        t = time.perf_counter()
        counts = rebuild()
        if opts["verbosity"]:
            self.stdout.write(json.dumps({**counts, "seconds": round(time.perf_counter() - t, 1)}, ensure_ascii=False))
