import pytest

from contact_rules import is_valid_email


@pytest.mark.parametrize("address", ["jan@example.pl", "jan.kowalski+kylos@mail.example.co.uk", "a_b-c@x-y.com",
                                     "-@x.pl", "a@1.pl"])
def test_plain_addresses_are_valid(address):
    assert is_valid_email(address)


@pytest.mark.parametrize("address", ["", None, "jan", "jan@", "@example.pl", "jan@@example.pl", "jan@example",
                                     "jan kowalski@example.pl", "jan..k@example.pl", "jan@example.p",
                                     "a" * 65 + "@example.pl", "jan@" + "a" * 250 + ".pl",
                                     # issue 17 #12: a name starting or ending with a dot, a label with an edge hyphen
                                     ".a@b.pl", "a.@b.pl", "-@-.pl", "jan@-example.pl", "jan@example-.pl",
                                     "jan@mail.-x.pl"])
def test_anything_else_is_not(address):
    assert not is_valid_email(address)
