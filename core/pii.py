"""Masking of personal data for display (个人信息保护法 arts. 28, 51: sensitive personal
information is shown only in full to whoever needs it).

* ``mask_id_number("150102198805120011")`` → ``"150102********0011"`` (the region of issue and
  the last four are kept; the date of birth and sequence are hidden).
* ``mask_phone("13812345678")`` → ``"138****5678"`` (carrier prefix and last four kept).

Both are pure, never raise, return ``""`` for an empty value and are idempotent (masking a masked
value gives the same string). Values too short to keep anything are fully starred.
"""
from __future__ import annotations

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """18-digit (or 15-digit legacy) ID: first 6 and last 4 kept, the rest starred."""
    s = (value or "").strip()
    if not s:
        return ""
    if len(s) <= 10:
        return MASK * len(s)
    return s[:6] + MASK * (len(s) - 10) + s[-4:]


def mask_phone(value: str | None) -> str:
    """Mobile number: first 3 and last 4 kept (``138****5678``); short numbers keep only the last 2."""
    s = (value or "").strip()
    if not s:
        return ""
    if len(s) >= 8:
        return s[:3] + MASK * (len(s) - 7) + s[-4:]
    if len(s) > 2:
        return MASK * (len(s) - 2) + s[-2:]
    return MASK * len(s)
