"""`python manage.py render_document KIND ID -o FILE.pdf`: render, store (verifiable) and write a document."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from documents import registry, services


class Command(BaseCommand):
    help = "Render a generated document (agreement, proposal, response, minutes, …) to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="document kind: " + ", ".join(k.key for k in registry.all_kinds()))
        parser.add_argument("id", help="primary key of the object the document is about")
        parser.add_argument("-o", "--output", required=True, help="output PDF path ('-' for stdout)")
        parser.add_argument("--no-store", action="store_true", help="do not record a GeneratedDocument (the code will not verify)")

    def handle(self, *args, kind, id, output, no_store, **opts):
        try:
            k = registry.get(kind)
        except Http404:
            raise CommandError(f"unknown kind {kind!r}; known: {', '.join(x.key for x in registry.all_kinds())}") from None
        try:
            obj = registry.object_of(k, id)
        except Exception:
            raise CommandError(f"{k.model} {id} not found") from None
        decision = k.applies(obj)
        if not decision:
            raise CommandError(decision.reason)
        if no_store:
            built, code, pdf = services.render_object(kind=k, obj=obj)
        else:
            doc = services.document_generate_now(kind=k, obj=obj, actor=None)
            if doc.status != doc.Status.DONE:
                raise CommandError(f"render failed: {doc.error.splitlines()[0] if doc.error else 'unknown error'}")
            with doc.file.open("rb") as fh:
                pdf = fh.read()
            code = doc.code
        if output == "-":
            self.stdout.buffer.write(pdf) if hasattr(self.stdout, "buffer") else self.stdout.write(pdf.decode("latin-1"))
            return
        Path(output).write_bytes(pdf)
        self.stderr.write(f"{output}: {len(pdf)} bytes, verification code {code}")
