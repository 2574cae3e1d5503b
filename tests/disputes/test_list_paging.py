"""The dispute list past 50 cases (issue 14): keyset pages in both orders, every case once, a count, the
same queries on every page, and the scope still applied."""
import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from disputes.models import DisputeCase

pytestmark = pytest.mark.django_db


def make(world, n, employer=None):
    employer = employer or world.emp_a
    today = timezone.localdate()
    DisputeCase.objects.bulk_create([
        DisputeCase(reference=f"PG{employer.pk:02d}{i:04d}", title=f"分页案件{i:03d}", employer=employer, region=employer.region,
                    facts="事实", known_on=today - dt.timedelta(days=30), filed_on=today - dt.timedelta(days=i % 3),
                    next_due=today + dt.timedelta(days=i % 10), created_by=world.users.staff_nm)
        for i in range(n)
    ])


def refs(body):
    return re.findall(r"分页案件(\d{3})", body)


def link(body, rel):
    m = re.search(rf'href="(\?[^"]*)" rel="{rel}"', body)
    return html.unescape(m.group(1)) if m else None


@pytest.mark.parametrize("query", ["", "?due_within=30"])
def test_pages_show_every_case_once_in_the_lists_order(world, client_for, django_assert_max_num_queries, query):
    make(world, 110)
    make(world, 7, employer=world.emp_b)  # Baotou's: not in Hohhot staff's scope
    c = client_for(world.users.staff_hh)
    # session, user, organisation, region, employer choices, page, bounded count, claims, notifications
    with django_assert_max_num_queries(9) as first:
        body = c.get("/disputes/" + query).content.decode()
    seen, sizes = [], []
    while True:
        page = refs(body)
        sizes.append(len(page))
        seen += page
        nxt = link(body, "next")
        if not nxt:
            break
        with django_assert_max_num_queries(len(first.captured_queries)):
            body = c.get("/disputes/" + nxt).content.decode()
    assert sizes == [50, 50, 10] and len(set(seen)) == 110
    cases = {c.title[-3:]: c for c in DisputeCase.objects.filter(employer=world.emp_a)}
    if query:
        key = [(cases[i].next_due, -cases[i].pk) for i in seen]
    else:
        key = [(-cases[i].filed_on.toordinal(), -cases[i].pk) for i in seen]
    assert key == sorted(key)
    assert "共 110 件" in body and "3 / 3" in body
    back = c.get("/disputes/" + link(body, "prev")).content.decode()
    assert refs(back) == seen[50:100]
