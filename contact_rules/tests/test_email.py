import pytest

from contact_rules import is_valid_email


@pytest.mark.parametrize("address", ["jan@example.pl", "jan.kowalski+kylos@mail.example.co.uk", "a_b-c@x-y.com"])
def test_plain_addresses_are_valid(address):
    assert is_valid_email(address)


@pytest.mark.parametrize("address", ["", None, "jan", "jan@", "@example.pl", "jan@@example.pl", "jan@example",
                                     "jan kowalski@example.pl", "jan..k@example.pl", "jan@example.p",
                                     "a" * 65 + "@example.pl", "jan@" + "a" * 250 + ".pl"])
def test_anything_else_is_not(address):
    assert not is_valid_email(address)
