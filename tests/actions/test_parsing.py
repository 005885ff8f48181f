"""The plain functions behind the forms: phones, e-mails, codes, dates, summaries."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions.dialogue import texts
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


@pytest.mark.parametrize("text, reason", [
    ("abc", "no_digits"), ("12345", "too_few"), ("601 23", "too_few"),
    ("1234567890123456789", "too_many"), ("999 999 999", "not_a_number"), ("", "no_digits"),
])
def test_invalid_numbers_get_a_reason_said_in_the_conversations_language(text, reason):
    checked = check_phone(text)
    assert checked.kind == "invalid" and checked.problem == reason
    assert f"phone_{reason}" in texts.TEXTS and all(texts.TEXTS[f"phone_{reason}"].get(lang) for lang in ("pl", "en"))


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
