"""The list page past 50 rows (issue 14): keyset pages with next/previous links, every row once, a count,
the same queries on every page, and the scope still applied."""
import html
import re

import pytest
from django.urls import reverse

from negotiation.models import Negotiation, State

pytestmark = pytest.mark.django_db


def make(world, n, union=None):
    union = union or world.union_a
    Negotiation.objects.bulk_create([  # one auto_now for all: the order's ties are broken by the id
        Negotiation(title=f"分页协商{i:03d}", employer_id=union.employer_id, union=union,
                    state=State.DRAFT if i % 2 else State.PROPOSED)
        for i in range(n)
    ])


def rows(body):
    return re.findall(r"分页协商(\d{3})", body)


def link(body, rel):
    m = re.search(rf'href="(\?[^"]*)" rel="{rel}"', body)
    return html.unescape(m.group(1)) if m else None


def test_pages_forward_and_back_show_every_row_once(world, client_for, django_assert_max_num_queries):
    make(world, 120)
    make(world, 5, union=world.union_b)  # another union's: never listed
    c = client_for(world.users.negotiator_a)
    url = reverse("negotiation:list")
    # session, user, organisation, employer choices, page, bounded count, notifications
    with django_assert_max_num_queries(7) as first:
        body = c.get(url).content.decode()
    seen, pages = [], []
    while True:
        page = rows(body)
        pages.append(page)
        seen += page
        nxt = link(body, "next")
        if not nxt:
            break
        with django_assert_max_num_queries(len(first.captured_queries)):
            body = c.get(url + nxt).content.decode()
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sorted(seen) == [f"{i:03d}" for i in range(120)] and len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)  # same updated_at: newest id first
    assert "共 120 项" in body and "3 / 3" in body
    back = c.get(url + link(body, "prev")).content.decode()
    assert rows(back) == pages[1] and "2 / 3" in back


def test_filters_survive_paging(world, client_for):
    make(world, 120)
    c = client_for(world.users.negotiator_a)
    body = c.get(reverse("negotiation:list"), {"state": "draft"}).content.decode()
    nxt = link(body, "next")
    assert "state=draft" in nxt
    body2 = c.get(reverse("negotiation:list") + nxt).content.decode()
    assert len(rows(body)) == 50 and len(rows(body2)) == 10
    assert all(int(i) % 2 for i in rows(body) + rows(body2))
    assert 'value="draft" selected' in body2


def test_a_forged_cursor_is_the_first_page(world, client_for):
    make(world, 60)
    c = client_for(world.users.negotiator_a)
    r = c.get(reverse("negotiation:list"), {"after": "garbage!"})
    assert r.status_code == 200 and len(rows(r.content.decode())) == 50
