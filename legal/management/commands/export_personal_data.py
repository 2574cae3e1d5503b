"""Subject-access export (个人信息保护法 arts. 45, 50): everything the legal-aid service holds about one applicant,
by ID number, as JSON — cases, work log, documents' metadata, routing, linked hotline consultations and the
audit events about them. Runs as the system over every record; each exported record is audited
(`view_personal_data`, what=subject_access_export, via=command). Staff use /legal-aid/subject-access/."""
from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from legal.services.privacy import subject_access_export


class Command(BaseCommand):
    help = "Export everything held about one legal-aid applicant (by ID number) as JSON; audited."

    def add_arguments(self, parser):
        parser.add_argument("id_number")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, id_number, output=None, **options):
        try:
            data = subject_access_export(actor=None, id_number=id_number, via="command")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(body)
            self.stderr.write(f"{len(data['cases'])} case(s), {len(data['consultations'])} consultation(s) → {output}")
        else:
            self.stdout.write(body)
