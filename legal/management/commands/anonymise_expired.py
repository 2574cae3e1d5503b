"""Anonymise legal-aid records whose retention period is over (个人信息保护法 arts. 19, 47).

Retention rules (settings; the defaults are the federation's practice and are TO BE CONFIRMED):

- ``LEGAL_AID_RETENTION_CLOSED_CASES_YEARS`` (default 3): a closed legal-aid case, from the day it was closed;
  an application refused (不予援助), from the day of the decision;
- ``LEGAL_AID_RETENTION_CONSULTATIONS_YEARS`` (default 1): a hotline consultation, from the day of the call.

A period of N years ends on the same-numbered day N years later (民法典 art. 202); the record is anonymised
from the next day. Anonymised, not deleted: the applicant's or caller's identifying and descriptive fields are
blanked, the work log's text blanked and uploaded files removed; the row stays for statistics. Each record is
written through the runner as the system (actor=None) with one `anonymise` audit event. Idempotent: a second
run finds nothing. Schedule it daily (cron) after the deadline sweep.
"""
from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from legal.services.privacy import DEFAULT_CLOSED_CASES_YEARS, DEFAULT_CONSULTATIONS_YEARS, anonymise_expired, retention_rules


class Command(BaseCommand):
    help = (
        "Anonymise (not delete) legal-aid records past their retention period, one audit event each. "
        f"Settings: LEGAL_AID_RETENTION_CLOSED_CASES_YEARS (default {DEFAULT_CLOSED_CASES_YEARS}: closed cases from "
        f"closing, refused applications from the decision), LEGAL_AID_RETENTION_CONSULTATIONS_YEARS (default "
        f"{DEFAULT_CONSULTATIONS_YEARS}: hotline consultations from the call). The defaults are the federation's "
        "practice, to be confirmed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be anonymised; change nothing")
        parser.add_argument("--today", help="count as if today were YYYY-MM-DD (default: today)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today: not a date: {today}") from None
        report = anonymise_expired(today=day, dry_run=dry_run)
        if options.get("json"):
            self.stdout.write(_json(report))
            return
        for key, rule in retention_rules().items():
            self.stdout.write(f"{key}: {rule.years} year(s) ({rule.setting})")
        verb = "would anonymise" if dry_run else "anonymised"
        for c in report["cases"]:
            self.stdout.write(f"  case {c['number']} (#{c['id']}): retention ended {c['retention_ended_on']}")
        for c in report["consultations"]:
            self.stdout.write(f"  consultation #{c['id']}: retention ended {c['retention_ended_on']}")
        n = report["anonymised"] if not dry_run else {"cases": len(report["cases"]), "consultations": len(report["consultations"])}
        self.stdout.write(f"{verb}: {n['cases']} case(s), {n['consultations']} consultation(s)")


def _json(report) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
