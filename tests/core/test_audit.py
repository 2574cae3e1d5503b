import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core import audit
from core.models import AuditEvent


@pytest.mark.django_db
def test_record_and_history(world):
    e = audit.record(actor=world.users.staff_hh, action="note", obj=world.emp_a, reason="测试")
    assert e.actor_label == str(world.users.staff_hh)
    assert list(audit.history(world.emp_a)) == [e]
    sys_e = audit.record(actor=None, action="sweep", obj=world.emp_a)
    assert sys_e.actor is None and sys_e.actor_label == "system"


@pytest.mark.django_db
def test_application_cannot_update_or_delete(world):
    e = audit.record(actor=None, action="x", obj=world.emp_a)
    e.reason = "changed"
    with pytest.raises(PermissionError):
        e.save()
    with pytest.raises(PermissionError):
        e.delete()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgres_trigger_refuses_update_and_delete(world):
    e = audit.record(actor=None, action="x", obj=world.emp_a)
    for sql in (
        "UPDATE core_auditevent SET reason = 'tampered' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [e.pk])
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=e.pk).update(reason="tampered")
    assert AuditEvent.objects.get(pk=e.pk).reason == ""


@pytest.mark.django_db
def test_history_page_and_api_respect_visibility(world, client_for, api_for):
    audit.record(actor=world.users.staff_hh, action="organisation_create", obj=world.emp_a)
    url = f"/history/accounts.organisation/{world.emp_a.pk}/"
    assert client_for(world.users.employer_a).get(url).status_code == 200
    assert client_for(world.users.employer_b).get(url).status_code == 404
    assert client_for(world.users.staff_bt).get(url).status_code == 404
    r = api_for(world.users.staff_hh).get(f"/api/v1/history/accounts.organisation/{world.emp_a.pk}/")
    assert r.status_code == 200 and r.json()["results"][0]["action"] == "organisation_create"
    assert api_for(world.users.employer_b).get(f"/api/v1/history/accounts.organisation/{world.emp_a.pk}/").status_code == 404
    assert api_for(world.users.staff_hh).get(f"/api/v1/history/nope.model/{world.emp_a.pk}/").status_code == 404
