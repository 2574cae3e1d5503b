"""Project-wide guards: every URL declares its permission rule; models and migrations agree."""
import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

# Django's own admin guards itself with is_staff; static and the schema are described where mounted.
SKIP_PREFIXES = ("admin/",)


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def rule_of(callback):
    for holder in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        if holder is not None and getattr(holder, "permission_rule", None):
            return holder.permission_rule
    return None


def test_every_url_has_a_permission_rule():
    missing = [route for route, cb in walk(get_resolver().url_patterns) if not route.startswith(SKIP_PREFIXES) and not rule_of(cb)]
    assert missing == [], f"views without a permission rule: {missing}"


def test_the_guard_catches_a_view_without_rule():
    def naked(request):
        return None

    assert rule_of(naked) is None


@pytest.mark.django_db
def test_makemigrations_finds_nothing():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_openapi_schema_generates_without_warnings_or_database(tmp_path):
    """No django_db mark: generating the schema must not touch the database (deploy checks run it
    before migrations exist)."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
