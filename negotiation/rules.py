"""Pure checks that a negotiation's data must pass, each refusing with a message that cites its article."""
from __future__ import annotations

import datetime as dt

from core.deadlines import add_months


def check_contract_term(start: dt.date, end: dt.date) -> str | None:
    if end <= start:
        return "合同期限的终止日期必须晚于起始日期。"
    last = add_months(start, 36)[0] - dt.timedelta(days=1)
    first = add_months(start, 12)[0] - dt.timedelta(days=1)
    if end > last or end < first:
        return "集体合同或专项集体合同期限一般为1至3年（集体合同规定第38条）。"
    return None
