"""core.keyset: pages in any order (mixed directions, ties), both ways, a bounded count, bad cursors."""
import pytest

from accounts.models import Region
from core.keyset import decode_cursor, encode_cursor, keyset_page

pytestmark = pytest.mark.django_db


def walk(qs, order, per_page, **kw):
    """All pages forward, then all back again: (forward pages, backward pages) as lists of pks."""
    pages, page = [], keyset_page(qs, order=order, per_page=per_page, **kw)
    while True:
        pages.append([r.pk for r in page])
        if not page.next_cursor:
            break
        page = keyset_page(qs, order=order, after=page.next_cursor, per_page=per_page, **kw)
    back = [[r.pk for r in page]]
    while page.previous_cursor:
        page = keyset_page(qs, order=order, before=page.previous_cursor, per_page=per_page, **kw)
        back.append([r.pk for r in page])
    return pages, back[::-1], page


@pytest.mark.parametrize("order", [("-level", "-pk"), ("level", "-pk"), ("-level", "pk"), ("name", "pk"), ("-pk",)])
def test_pages_cover_the_ordered_rows_once_in_both_directions(order):
    qs = Region.objects.all()  # levels repeat: ties are broken by the pk
    expected = list(qs.order_by(*order).values_list("pk", flat=True))
    assert len(expected) > 20
    forward, backward, first = walk(qs, order, per_page=7)
    assert [pk for p in forward for pk in p] == expected
    assert backward == forward
    assert first.number == 1 and not first.has_previous


def test_numbers_count_and_cap():
    qs = Region.objects.all()
    n = qs.count()
    page = keyset_page(qs, order=("code", "pk"), per_page=5)
    assert page.number == 1 and page.count == n and page.num_pages == -(-n // 5) and not page.count_capped
    page2 = keyset_page(qs, order=("code", "pk"), after=page.next_cursor, per_page=5)
    assert page2.number == 2 and page2.has_previous and page2.has_next
    capped = keyset_page(qs, order=("code", "pk"), per_page=5, count_limit=10)
    assert capped.count_capped and capped.count_display == "10+" and capped.num_pages is None
    one = keyset_page(qs.filter(pk=qs.first().pk), order=("code", "pk"))
    assert one.count == 1 and not one.has_other_pages


def test_values_rows_and_cursor_round_trip():
    import datetime as dt

    qs = Region.objects.values("pk", "code", "name")
    page = keyset_page(qs, order=("-code", "-pk"), per_page=4)
    assert isinstance(page.object_list[0], dict) and page.next_cursor
    values = [dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc), dt.date(2026, 1, 2), 7, "x"]
    assert decode_cursor(encode_cursor(3, values), 4) == (3, values)


@pytest.mark.parametrize("bad", ["", "not-base64!", "W10", encode_cursor(0, [1, 2]), encode_cursor(1, [1]), encode_cursor(1, [None, 2])])
def test_a_bad_cursor_is_the_first_page(bad):
    qs = Region.objects.all()
    page = keyset_page(qs, order=("code", "pk"), after=bad, per_page=5)
    assert page.number == 1 and [r.pk for r in page] == list(qs.order_by("code", "pk").values_list("pk", flat=True)[:5])
