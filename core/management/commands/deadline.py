import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from core.deadlines import UnknownRule, compute_due


class Command(BaseCommand):
    help = "Print the due date of a statutory period: deadline RULE_ID YYYY-MM-DD [--json]"

    def add_arguments(self, parser):
        parser.add_argument("rule")
        parser.add_argument("start", help="event date, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print a JSON object")

    def handle(self, *args, rule, start, **opts):
        try:
            start_date = dt.date.fromisoformat(start)
        except ValueError:
            raise CommandError(f"malformed date {start!r}: expected YYYY-MM-DD") from None
        try:
            due = compute_due(rule, start_date)
        except UnknownRule:
            raise CommandError(f"unknown rule {rule!r}: see the deadline rules in the admin") from None
        if opts["json"]:
            self.stdout.write(json.dumps(due.to_dict(), ensure_ascii=False))
        else:
            self.stdout.write(f"{due.due.isoformat()}\n{due.explanation}")
