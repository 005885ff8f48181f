import pytest

from contact_rules import phone_kind, to_e164


@pytest.mark.parametrize("text", ["601 234 567", "+48 601 234 567", "0048 601-234-567", "(+48) 601234567",
                                  "+48.601234567", "６０１２３４５６７", " 601234567 "])
def test_usual_forms_of_one_number_are_one_e164(text):
    assert to_e164(text) == "+48601234567"


def test_a_foreign_number_needs_its_country_code():
    assert to_e164("+44 7911 123456") == "+447911123456"
    assert to_e164("7911 123456") is None


@pytest.mark.parametrize("text", ["", "abc", "12345", "999 999 999", "1234567890123456789", None])
def test_what_is_not_a_valid_number_is_none(text):
    assert to_e164(text) is None


def test_without_a_default_region_only_international_numbers_parse():
    assert to_e164("+48692888999", region=None) == "+48692888999"
    assert to_e164("692888999", region=None) is None


def test_kind_tells_mobiles_from_landlines():
    assert phone_kind("+48601234567") == "mobile"
    assert phone_kind("+48221112233") == "landline"
    assert phone_kind("+447911123456") == "mobile"
