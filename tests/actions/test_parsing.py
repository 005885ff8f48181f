"""The plain functions behind the forms: phones, e-mails, codes, dates, summaries."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions.email_address import email_problem, find_email
from actions.phone import check_phone
from actions.polish_dates import when

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize("text, e164", [
    ("+48 601 234 567", "+48601234567"), ("0048601234567", "+48601234567"), ("601-234-567", "+48601234567"),
    ("mój numer to 601234567", "+48601234567"), ("+44 7911 123456", "+447911123456"),
])
def test_mobile_numbers_in_any_polish_form(text, e164):
    assert check_phone(text) == check_phone(text).__class__("mobile", e164=e164)


@pytest.mark.parametrize("text", ["(22) 123 45 67", "22 555 66 77", "+48 22 111 22 33"])
def test_landlines_are_recognised_from_the_number_itself(text):
    assert check_phone(text).kind == "landline"


@pytest.mark.parametrize("text, fragment", [
    ("abc", "nie ma numeru"), ("12345", "za mało cyfr"), ("601 23", "za mało cyfr"),
    ("1234567890123456789", "za dużo"), ("999 999 999", "istniejący"), ("", "nie ma numeru"),
])
def test_invalid_numbers_get_a_polish_reason(text, fragment):
    checked = check_phone(text)
    assert checked.kind == "invalid" and fragment in checked.problem


def test_emails():
    assert find_email("mój nowy adres: jan.kowalski@example.pl.") == "jan.kowalski@example.pl"
    assert email_problem("jan@example.pl") is None
    assert "@" in email_problem("jan kowalski")
    assert "błędny format" in email_problem("jan@@example")


def test_polish_dates():
    now = datetime(2026, 11, 28, 11, 0, tzinfo=WARSAW)
    assert when(datetime(2026, 11, 30, 9, 0, tzinfo=WARSAW), now) == "w poniedziałek 30 listopada o 9:00"
    assert when(datetime(2026, 11, 28, 15, 30, tzinfo=WARSAW), now) == "dziś o 15:30"
    assert when(datetime(2026, 11, 29, 9, 0, tzinfo=WARSAW), now) == "jutro (niedzielę 29 listopada) o 9:00"
