from types import SimpleNamespace

import pytest

from accounts.models import Role
from tests.factories import (
    BureauFactory,
    EmployerFactory,
    FederationFactory,
    FirmFactory,
    UnionFactory,
    UserFactory,
    region,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_truncate_allowed_for_flush(request):
    """PostgreSQL: core_auditevent refuses TRUNCATE (a trigger), which breaks the flush that ends every
    transaction=True test. The trigger is on while such a test runs and off only for its flush."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction"):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as c:
        c.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_truncate")
    yield
    with connection.cursor() as c:
        c.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_truncate")


@pytest.fixture
def world(db):
    """Two leagues (Hohhot, Baotou) with one employer, its union, one firm each, and a login per role.

    `world.<name>` are organisations; `world.users.<name>` are users.
    """
    fed_nm = FederationFactory(name="内蒙古自治区总工会(测试)", region=region("150000"))
    fed_hh = FederationFactory(name="呼和浩特市总工会(测试)", region=region("150100"), parent=fed_nm)
    fed_bt = FederationFactory(name="包头市总工会(测试)", region=region("150200"), parent=fed_nm)
    emp_a = EmployerFactory(name="呼和浩特甲乳业有限公司", region=region("150105"))
    emp_b = EmployerFactory(name="包头乙能源有限公司", region=region("150203"))
    union_a = UnionFactory(name="甲乳业工会", employer=emp_a, region=emp_a.region, parent=fed_hh)
    union_b = UnionFactory(name="乙能源工会", employer=emp_b, region=emp_b.region, parent=fed_bt)
    firm_a = FirmFactory(name="青城测试律所", region=region("150100"))
    firm_b = FirmFactory(name="鹿城测试律所", region=region("150200"))
    bureau_hh = BureauFactory(name="呼和浩特测试人社局", region=region("150100"))
    u = SimpleNamespace(
        admin=UserFactory(username="admin_t", role=Role.SYSADMIN, organisation=None, is_superuser=True, is_staff=True),
        staff_nm=UserFactory(username="staff_nm_t", role=Role.UNION_STAFF, organisation=fed_nm),
        staff_hh=UserFactory(username="staff_hh_t", role=Role.UNION_STAFF, organisation=fed_hh),
        staff_bt=UserFactory(username="staff_bt_t", role=Role.UNION_STAFF, organisation=fed_bt),
        negotiator_a=UserFactory(username="neg_a_t", role=Role.UNION_NEGOTIATOR, organisation=union_a),
        negotiator_b=UserFactory(username="neg_b_t", role=Role.UNION_NEGOTIATOR, organisation=union_b),
        employer_a=UserFactory(username="emp_a_t", role=Role.EMPLOYER_REP, organisation=emp_a),
        employer_b=UserFactory(username="emp_b_t", role=Role.EMPLOYER_REP, organisation=emp_b),
        firm_admin_a=UserFactory(username="firm_a_t", role=Role.FIRM_ADMIN, organisation=firm_a),
        lawyer_a=UserFactory(username="lawyer_a_t", role=Role.LAWYER, organisation=firm_a),
        firm_admin_b=UserFactory(username="firm_b_t", role=Role.FIRM_ADMIN, organisation=firm_b),
        lawyer_b=UserFactory(username="lawyer_b_t", role=Role.LAWYER, organisation=firm_b),
        bureau_hh=UserFactory(username="bureau_hh_t", role=Role.BUREAU_REVIEWER, organisation=bureau_hh),
        norole=UserFactory(username="norole_t", role="", organisation=None),
    )
    return SimpleNamespace(
        fed_nm=fed_nm,
        fed_hh=fed_hh,
        fed_bt=fed_bt,
        emp_a=emp_a,
        emp_b=emp_b,
        union_a=union_a,
        union_b=union_b,
        firm_a=firm_a,
        firm_b=firm_b,
        bureau_hh=bureau_hh,
        users=u,
    )


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(user):
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return make




def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the seeded rows (serialized_rollback): a plain flush at its end
    re-creates content types through post_migrate, and the next restoring test then fails on a UNIQUE
    constraint far from the cause. Refuse such a test at collection, naming it."""
    wrong = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError("transaction=True needs serialized_rollback=True: " + ", ".join(wrong))
