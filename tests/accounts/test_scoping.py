import pytest

from accounts.models import Organisation
from accounts.scoping import organisations_visible_to, regions_visible_to, scope

pytestmark = pytest.mark.django_db


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_region_staff_see_their_subtree(world):
    u = world.users
    hh = names(organisations_visible_to(u.staff_hh))
    assert {"呼和浩特甲乳业有限公司", "甲乳业工会", "青城测试律所"} <= hh
    assert "包头乙能源有限公司" not in hh and "鹿城测试律所" not in hh
    top = names(organisations_visible_to(u.staff_nm))
    assert {"呼和浩特甲乳业有限公司", "包头乙能源有限公司"} <= top
    assert set(regions_visible_to(u.staff_hh).values_list("code", flat=True)) >= {"150100", "150105"}
    assert not regions_visible_to(u.staff_hh).filter(code="150200").exists()


def test_employer_sees_only_itself(world):
    assert names(organisations_visible_to(world.users.employer_a)) == {"呼和浩特甲乳业有限公司"}


def test_negotiator_sees_union_and_its_enterprise(world):
    assert names(organisations_visible_to(world.users.negotiator_a)) == {"甲乳业工会", "呼和浩特甲乳业有限公司"}


def test_firm_users_see_only_their_firm(world):
    assert names(organisations_visible_to(world.users.lawyer_b)) == {"鹿城测试律所"}
    assert names(organisations_visible_to(world.users.firm_admin_a)) == {"青城测试律所"}


def test_no_role_inactive_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not organisations_visible_to(world.users.norole).exists()
    assert not organisations_visible_to(AnonymousUser()).exists()
    world.users.staff_hh.is_active = False
    assert not organisations_visible_to(world.users.staff_hh).exists()


def test_admin_sees_all(world):
    assert organisations_visible_to(world.users.admin).count() == Organisation.objects.count()


def test_generic_scope_by_paths(world):
    """The helper later apps use: paths from the queried model to region/employer/union/firm."""
    qs = Organisation.objects.filter(kind="union")
    kw = dict(region="region", employer="employer", union="pk", firm=None)
    assert names(scope(world.users.staff_hh, qs, **kw)) == {"甲乳业工会"}
    assert names(scope(world.users.staff_nm, qs, **kw)) == {"甲乳业工会", "乙能源工会"}
    assert names(scope(world.users.employer_b, qs, **kw)) == {"乙能源工会"}
    assert names(scope(world.users.negotiator_a, qs, **kw)) == {"甲乳业工会"}
    assert not scope(world.users.lawyer_a, qs, **kw).exists()  # no firm path: nothing
    assert names(scope(world.users.bureau_hh, qs, **kw)) == {"甲乳业工会"}
