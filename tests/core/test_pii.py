import pytest

from core.pii import mask_id_number, mask_phone


@pytest.mark.parametrize("value,expected", [
    ("150102198805120011", "150102********0011"),
    ("15010219880512001X", "150102********001X"),
    ("150102880512001", "150102*****2001"),  # 15-digit legacy number
    ("12345", "*****"),
    ("", ""),
    (None, ""),
])
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("13812345678", "138****5678"),
    ("0471-6912345", "047*****2345"),
    ("1234567", "*****67"),
    ("1", "*"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


def test_masking_is_idempotent():
    assert mask_id_number(mask_id_number("150102198805120011")) == "150102********0011"
    assert mask_phone(mask_phone("13812345678")) == "138****5678"
