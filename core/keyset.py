"""Keyset ("seek") pagination for the list pages, with a bounded count (issue 14).

`Paginator` pages with OFFSET (the database reads and throws away every earlier row: page 2,000 costs
2,000 pages) and counts every row in scope on every request (COUNT(*) over 100,000 rows: ~120 ms on
PostgreSQL). A keyset page instead asks for "the next `per_page` rows after the last one shown" in the
list's own order, which an index on (scope column, order columns) answers by reading only those rows,
however deep the page and however large the table. The count stops at `count_limit` ("1000+").

    page = keyset_page(qs, order=("-updated_at", "-pk"), cursor=request.GET.get("after") …)

`order` must end with a unique column (the pk) so that every row has exactly one position; the order
columns must not be NULL in the rows listed. The cursor is opaque in the URL (`?after=…` / `?before=…`)
and carries the page number only for display; a cursor that does not decode is the first page.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from django.db.models import Q, QuerySet

PER_PAGE = 50
COUNT_LIMIT = 1000


def _encode_value(v):
    if isinstance(v, dt.datetime):
        return {"t": v.isoformat()}
    if isinstance(v, dt.date):
        return {"d": v.isoformat()}
    if isinstance(v, Decimal):
        return {"m": str(v)}
    return v


def _decode_value(v):
    if isinstance(v, dict):
        if "t" in v:
            return dt.datetime.fromisoformat(v["t"])
        if "d" in v:
            return dt.date.fromisoformat(v["d"])
        if "m" in v:
            return Decimal(v["m"])
        raise ValueError("unknown value")
    return v


def encode_cursor(number: int, values: Sequence) -> str:
    raw = json.dumps([number, [_encode_value(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, width: int) -> tuple[int, list] | None:
    """(page number, values) or None for anything malformed (never an error page)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        number, values = json.loads(raw)
        values = [_decode_value(v) for v in values]
        if not isinstance(number, int) or number < 1 or len(values) != width or any(v is None for v in values):
            return None
        return number, values
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def _parse(order: Sequence[str]) -> list[tuple[str, bool]]:
    return [(o[1:], True) if o.startswith("-") else (o, False) for o in order]


def _after_q(keys: list[tuple[str, bool]], values: list, *, forward: bool) -> Q:
    """Rows strictly after `values` in the order `keys` (or strictly before, when not `forward`):
    (a > x) OR (a = x AND b > y) OR …, plus `a >= x` on its own so that the index on the order columns
    gets a range to start from, not only a filter."""
    def op(desc):
        return "lt" if desc == forward else "gt"

    first, first_desc = keys[0]
    q = Q()
    for i, (name, desc) in enumerate(keys):
        term = Q(**{f"{name}__{op(desc)}": values[i]})
        for j in range(i):
            term &= Q(**{keys[j][0]: values[j]})
        q |= term
    bound = Q(**{f"{first}__{op(first_desc)}e": values[0]})
    return bound & q


def _value(row, name: str):
    if isinstance(row, dict):  # a .values() queryset: the order columns must be among its fields
        return row[name]
    return row.pk if name == "pk" else getattr(row, name)


@dataclass
class KeysetPage:
    object_list: list
    number: int
    per_page: int
    has_next: bool
    has_previous: bool
    next_cursor: str | None
    previous_cursor: str | None
    count: int | None = None  # rows in scope, exact up to count_limit
    count_limit: int = COUNT_LIMIT
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def count_capped(self) -> bool:
        return self.count is not None and self.count > self.count_limit

    @property
    def count_display(self) -> str:
        if self.count is None:
            return ""
        return f"{self.count_limit}+" if self.count_capped else str(self.count)

    @property
    def num_pages(self) -> int | None:
        """Known only while the count is exact."""
        if self.count is None or self.count_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(qs: QuerySet, *, order: Sequence[str], after: str | None = None, before: str | None = None,
                per_page: int = PER_PAGE, count_limit: int = COUNT_LIMIT) -> KeysetPage:
    """One page of `qs` in `order`: after the row `after` encodes, before the row `before` encodes, or the
    first. Two queries at most: the page (per_page + 1 rows, to know whether there is more) and, when
    there is more than one page, the count bounded at `count_limit` + 1."""
    keys = _parse(order)
    cursor, forward = None, True
    if after:
        cursor = decode_cursor(after, len(keys))
    elif before:
        cursor, forward = decode_cursor(before, len(keys)), False
    number = 1
    page_qs = qs.order_by(*order)
    if cursor is not None:
        number, values = cursor
        number = number + 1 if forward else max(1, number - 1)
        page_qs = page_qs.filter(_after_q(keys, values, forward=forward))
        if not forward:
            page_qs = page_qs.reverse()
    rows = list(page_qs[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if cursor is not None and not forward:
        rows.reverse()
        has_next, has_previous = True, more
        if not more:
            number = 1
    else:
        has_next, has_previous = more, cursor is not None
    if not has_previous:
        number = 1

    def cur(row, n):
        return encode_cursor(n, [_value(row, name) for name, _d in keys])

    page = KeysetPage(
        object_list=rows, number=number, per_page=per_page, has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        next_cursor=cur(rows[-1], number) if has_next and rows else None,
        previous_cursor=cur(rows[0], number) if has_previous and rows else None,
        count_limit=count_limit,
    )
    if page.has_other_pages:
        page.count = qs.order_by().values("pk")[: count_limit + 1].count()
    else:
        page.count = len(rows)
    return page
