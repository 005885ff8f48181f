import re

import pytest

from contact_rules import is_masked_phone, mask_email, mask_phone


@pytest.mark.parametrize("e164, masked", [
    ("+48601234567", "+48 *** *** 567"),
    ("+447911123456", "+44 * *** *** 456"),
    ("+4930123456", "+49 ** *** 456"),
])
def test_a_masked_number_keeps_the_country_code_and_last_three_digits(e164, masked):
    assert mask_phone(e164) == masked


@pytest.mark.parametrize("e164", ["+48601234567", "+447911123456", "+12025550143", "+4930123456"])
def test_a_masked_number_never_holds_more_than_three_national_digits(e164):
    masked = mask_phone(e164)
    country, _, national = masked.partition(" ")
    assert e164.startswith(country) and national.endswith(e164[-3:])
    assert sum(c.isdigit() for c in national) == 3
    assert is_masked_phone(masked)


@pytest.mark.parametrize("text", ["", None, "601234567", "not a number"])
def test_what_is_not_a_number_masks_to_stars(text):
    assert mask_phone(text) == "***"


@pytest.mark.parametrize("text", ["+48 601 234 567", "+48601234567", "+48 60* *** *67", "+48 *** *** ***",
                                  "+48 *** 234 567", "***", ""])
def test_only_the_masked_form_counts_as_masked(text):
    assert not is_masked_phone(text)


@pytest.mark.parametrize("address, masked", [
    ("marek@zielony.pl", "ma***@z***.pl"),
    ("j@example.co.uk", "j***@e***.uk"),
    ("root@localhost", "ro***@l***"),
    ("no-at-sign", "***"),
])
def test_a_masked_address_keeps_two_letters_one_letter_and_the_tld(address, masked):
    assert mask_email(address) == masked


def test_a_masked_address_never_holds_the_whole_name_or_domain():
    masked = mask_email("katarzyna.nowak@przyklad.pl")
    assert "katarzyna" not in masked and "przyklad" not in masked and re.match(r"^ka\*\*\*@p\*\*\*\.pl$", masked)
