"""The finders that read phones, addresses, codes and NIPs out of a customer's text."""
import pytest

from contact_rules import find_codes, find_digit_runs, find_emails, find_nips, find_phones


@pytest.mark.parametrize("text, e164", [
    ("tel 604.111.222 ok", "+48604111222"),
    ("604–111–222", "+48604111222"),
    ("+48.601234567", "+48601234567"),
    ("(22) 123 45 67", "+48221234567"),
    ("0048 601 234 567", "+48601234567"),
    ("６０１２３４５６７", "+48601234567"),
    ("tel:+48601234567,", "+48601234567"),
    ("+49 30 12345678", "+493012345678"),
])
def test_phones_in_any_usual_form(text, e164):
    assert [phone.e164 for phone in find_phones(text)] == [e164]


def test_two_phones_and_their_places():
    text = "601 234 567 albo 22 555 66 77"
    assert [(p.start, p.end, p.e164) for p in find_phones(text)] == [(0, 11, "+48601234567"),
                                                                      (17, 29, "+48225556677")]


def test_only_possible_numbers_are_found_when_asked():
    assert find_phones("a604111222") == []
    assert [p.text for p in find_phones("a604111222", possible=True)] == ["604111222"]


@pytest.mark.parametrize("text, address", [
    ("mój adres: jan%kowalski@example.pl.", "jan%kowalski@example.pl"),
    ("<jan@example.pl>, dzięki", "jan@example.pl"),
    ("jan@example", "jan@example"),
    ("jan@@example.pl?", "jan@@example.pl"),
])
def test_address_like_pieces_are_found_valid_or_not(text, address):
    assert [email.text for email in find_emails(text)] == [address]


def test_a_lone_at_is_no_address():
    assert find_emails("spotkanie @ 10, <@U123>") == []


@pytest.mark.parametrize("text", ["123456", "kod 123 456", "123-456.", "12 34 56", "１２３４５６"])
def test_codes_as_typed(text):
    assert [code.digits for code in find_codes(text)] == ["123456"]


def test_no_code_inside_a_longer_number():
    assert find_codes("1234567") == []


def test_digit_runs_take_any_phone_punctuation():
    assert [run.digits for run in find_digit_runs("a 604.111.222, b 12 34 56, 127.0.0.1")] == \
        ["604111222", "123456", "127001"]
    assert find_digit_runs("15 minut") == []


def test_nips_are_checked_by_checksum():
    assert [nip.nip for nip in find_nips("NIP 526-025-02-74, PL5260250274")] == ["5260250274", "5260250274"]
    assert find_nips("526-025-02-75") == []


def test_a_six_digit_code_is_not_a_pager_number():
    """Polish pager numbers are six digits starting 64: an SMS code typed alone must not be read as
    a phone (found by the conversation suite: the right code was taken for a landline)."""
    assert find_phones("649945") == [] and find_phones("kod 644675") == []
    assert find_phones("649945", possible=True), "the redactor still finds what might be a number"
