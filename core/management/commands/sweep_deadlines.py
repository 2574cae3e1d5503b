import json

from django.core.management.base import BaseCommand

from core import sweep


class Command(BaseCommand):
    help = "Apply time-driven transitions (overdue responses, review periods ended, timeouts). Idempotent."

    def handle(self, *args, **opts):
        result = sweep.run_all()
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))
