"""Recount every partner firm's open-case counter (FirmProfile.open_cases) from the cases (issue 14).

The services keep the counter in the same transaction as every offer, withdrawal, decline, timeout and
closing; this command is the check and the repair after anything that bypassed them (a database restore,
rows changed by hand). `--check` only reports (exit status 1 when a counter is wrong).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from legal.models import FirmProfile
from legal.services.load import counted_loads, recount_firm_loads


class Command(BaseCommand):
    help = "Recount each partner firm's open legal-aid cases (offered, accepted, in progress) into its load counter."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report wrong counters, change nothing (exit 1 if any)")

    def handle(self, *args, check=False, **options):
        if check:
            counts = counted_loads()
            wrong = {
                firm_id: (stored, counts.get(firm_id, 0))
                for firm_id, stored in FirmProfile.objects.values_list("organisation_id", "open_cases")
                if stored != counts.get(firm_id, 0)
            }
        else:
            wrong = recount_firm_loads()
        names = dict(FirmProfile.objects.filter(organisation_id__in=wrong).values_list("organisation_id", "organisation__name"))
        for firm_id, (stored, n) in sorted(wrong.items()):
            self.stdout.write(f"  {names.get(firm_id, firm_id)} (#{firm_id}): counter {stored}, open cases {n}")
        total = FirmProfile.objects.count()
        if check:
            self.stdout.write(f"{len(wrong)} of {total} firm counter(s) wrong")
            if wrong:
                raise CommandError("firm load counters differ from the cases; run recount_firm_loads", returncode=1)
        else:
            self.stdout.write(f"recounted {total} firm(s); {len(wrong)} corrected")
