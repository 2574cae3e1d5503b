"""Validators for Chinese identifiers, with their standards' check digits."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: unified social credit code (统一社会信用代码).
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位（现为%(n)d位）。"), code="length", params={"n": len(code)})
    bad = [c for c in code if c not in USCC_CHARS]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="charset",
            params={"chars": "".join(sorted(set(bad)))},
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3–8位应为行政区划代码。"), code="region")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误（GB 32100-2015）：应为 %(expected)s。"),
            code="checksum",
            params={"expected": expected},
        )


# GB 11643-1999: citizen identity number (公民身份号码).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    num = (value or "").strip().upper()
    if len(num) != 18 or not num[:17].isdigit() or not (num[17].isdigit() or num[17] == "X"):
        raise ValidationError(_("身份证号码应为18位：前17位为数字，末位为数字或X。"), code="format")
    try:
        dt.date(int(num[6:10]), int(num[10:12]), int(num[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="birthdate") from None
    if num[17] != id_check_char(num[:17]):
        raise ValidationError(_("身份证号码校验位错误（GB 11643-1999）。"), code="checksum")


def mask_id_number(value: str) -> str:
    return value[:6] + "********" + value[-4:] if value and len(value) == 18 else "***"
