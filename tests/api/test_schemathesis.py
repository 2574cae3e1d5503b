"""Property-based API test: schemathesis drives every operation of the published OpenAPI schema
(`/api/schema/`) in-process through `config.wsgi.application`, and fails on any 5xx and on any answer the
schema does not document (status code, content type, body).

- Data: the demo (`seed_demo`) in one module-wide transaction, rolled back at the end; every example runs
  in its own savepoint, rolled back after the call, so each one starts from the same database.
- Callers (DRF tokens): the system administrator (the coverage phase — boundary values, wrong types,
  missing and extra fields — plus fuzzing; every role gate and rule lets this caller through, so inputs
  reach validation, the forms and the services), union staff and the negotiator (fuzzing).
- Path ids are either generated or (half of the time) an existing object's id, so detail routes and
  actions get past the 404; the deadline calculator gets an existing rule half of the time.
- Checks: not_a_server_error, status_code_conformance, content_type_conformance,
  response_schema_conformance.
- Deterministic: a fixed seed, derandomized Hypothesis, no example database, no shrinking, no deadline.

XS_FUZZ_EXAMPLES (default 15) and XS_FUZZ_ROLE_EXAMPLES (default 10) set the fuzzing examples per operation
for the administrator and for each of the other two callers. XS_FUZZ_COLLECT=path
records every failure into a JSON file instead of failing (for measuring, not for CI).
"""
from __future__ import annotations

import json
import logging
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("XS_FUZZ_EXAMPLES", "15"))  # per operation, as the administrator
ROLE_EXAMPLES = int(os.environ.get("XS_FUZZ_ROLE_EXAMPLES", "10"))  # per operation, as staff and as the negotiator
COLLECT = os.environ.get("XS_FUZZ_COLLECT")
SEED = 13

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "no-shrink": True},
    # Methods an operation does not document answer 405 (Django/DRF's own); not worth a request each.
    "phases": {"coverage": {"unexpected-methods": []}},
})


def _load_schema():
    """The published schema, fetched through the app as `schemathesis.openapi.from_wsgi` does. Request bodies
    that the API also accepts form-encoded or as multipart are exercised as JSON, the API's own format (the
    form parsers are DRF's, and three encodings would triple the coverage phase); an operation that takes
    only multipart (an upload) keeps it."""
    from werkzeug import Client

    response = Client(application).get("/api/schema/?format=json")
    assert response.status_code == 200, response.status_code
    raw = json.loads(response.get_data())
    for item in raw["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                for media_type in [m for m in content if m != "application/json"]:
                    del content[media_type]
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = application
    loaded.location = "/api/schema/"
    return loaded


schema = _load_schema()

CALLERS = {"staff": "staff_hohhot", "negotiator": "negotiator", "admin": "admin"}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the demo's logins (tests/conftest.py does it per test)
HYPOTHESIS = dict(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


# -- real ids for path parameters ------------------------------------------------------------------
def _ids(model_path: str, field: str = "pk") -> list:
    from django.apps import apps

    return sorted(apps.get_model(model_path).objects.values_list(field, flat=True))


# path prefix (after /api/v1) → {path parameter: (model, field)}
REAL = [
    (r"^/negotiations/\{id\}/terms/", {"id": ("negotiation.Negotiation", "pk"), "term_pk": ("negotiation.Term", "pk")}),
    (r"^/negotiations/\{id\}/drafts/", {"id": ("negotiation.Negotiation", "pk"), "draft_pk": ("negotiation.PublishedDraft", "pk")}),
    (r"^/negotiations/", {"id": ("negotiation.Negotiation", "pk")}),
    (r"^/disputes/", {"id": ("disputes.DisputeCase", "pk")}),
    (r"^/legal-aid/cases/", {"id": ("legal.LegalAidCase", "pk")}),
    (r"^/legal-aid/consultations/", {"id": ("legal.Consultation", "pk")}),
    (r"^/legal-aid/firms/", {"organisation": ("legal.FirmProfile", "organisation_id")}),
    (r"^/documents/", {"id": ("documents.GeneratedDocument", "pk")}),
    (r"^/notifications/", {"id": ("notifications.Notification", "pk")}),
    (r"^/organisations/", {"id": ("accounts.Organisation", "pk")}),
    (r"^/regions/", {"id": ("accounts.Region", "pk")}),
    (r"^/history/", {"id": ("negotiation.Negotiation", "pk")}),
]


def _real_path_parameters(path: str) -> dict[str, st.SearchStrategy]:
    path = path.removeprefix("/api/v1")
    for pattern, params in REAL:
        if re.match(pattern, path):
            out = {}
            for name, (model, field) in params.items():
                ids = _ids(model, field)
                if ids:
                    out[name] = st.sampled_from(ids)
            if "{label}" in path:
                out["label"] = st.just("negotiation.negotiation")
            return out
    return {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    real = _real_path_parameters(context.operation.path)
    if not real or not isinstance(path_parameters, dict) or set(real) - set(path_parameters):
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(real).map(lambda r: {**path_parameters, **r}))


@schema.hook
def flatmap_query(context, query):
    """The deadline calculator needs an existing rule to get past the 400 (and to reach its date arithmetic)."""
    if context.operation.path != "/api/v1/deadlines/" or not isinstance(query, dict):
        return st.just(query)
    rules = _ids("core.DeadlineRule")
    return st.one_of(st.just(query), st.sampled_from(rules).map(lambda r: {**query, "rule": r}))


# -- the world ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The demo with a token per caller, in one transaction rolled back after the module. The WSGI handler
    would close the connection at every request's start and end (as a server does); the test client
    disconnects that too."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # thousands of expected 4xx warnings; a 500 is still logged
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            with open(os.devnull, "w") as devnull, override_settings(PASSWORD_HASHERS=FAST_HASHER):
                call_command("seed_demo", stdout=devnull)
            yield {key: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
                   for key, name in CALLERS.items()}
            transaction.set_rollback(True)
    finally:
        request_log.setLevel(level)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


FOUND: dict[str, list[str]] = {}
CALLS: dict[str, int] = {}


def _call(case, token: str, who: str) -> None:
    CALLS[who] = CALLS.get(who, 0) + 1
    if COLLECT:
        key = f"{who} {case.operation.label}"
        CALLS[key] = CALLS.get(key, 0) + 1
    with transaction.atomic():
        try:
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:
            if not COLLECT:
                raise
            FOUND.setdefault(case.operation.label, []).append(f"[{who}] {str(exc)[:4000]}")
        finally:
            transaction.set_rollback(True)


@schema.parametrize()
@settings(**HYPOTHESIS)
def test_api_as_sysadmin(case, fuzz_world):
    """The coverage phase (boundary values, wrong types, missing and extra fields, every documented example)
    and fuzzing, as the caller every role gate and rule lets through to validation and the services."""
    _call(case, fuzz_world["admin"], "admin")


@schema.parametrize()
@settings(**HYPOTHESIS, phases=[Phase.generate], max_examples=ROLE_EXAMPLES)
def test_api_as_union_staff(case, fuzz_world):
    _call(case, fuzz_world["staff"], "staff")


@schema.parametrize()
@settings(**HYPOTHESIS, phases=[Phase.generate], max_examples=ROLE_EXAMPLES)
def test_api_as_negotiator(case, fuzz_world):
    _call(case, fuzz_world["negotiator"], "negotiator")


def teardown_module():
    if COLLECT:
        with open(COLLECT, "w") as f:
            json.dump({"calls": CALLS, "found": FOUND}, f, ensure_ascii=False, indent=1)
