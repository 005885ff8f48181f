"""Whole conversations through the REST channel with the clock pinned (via
RECOVERY_NOW on the backend) inside and outside office hours: the customer is
told when a person will handle what they send."""
from __future__ import annotations

import re
import uuid

import pytest

SATURDAY = "2026-11-28T11:00:00+01:00"      # next opening: Monday 30 November, 09:00
TUESDAY_MORNING = "2026-11-24T10:30:00+01:00"
CHRISTMAS_EVE = "2026-12-24T10:00:00+01:00"  # a Polish public holiday since 2025 (a Thursday)
CASE_NUMBER = re.compile(r"\bODZ-\d{8}-\d{4}\b")


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def documents_conversation(stack, account_words: str) -> str:
    sender = f"e2e-{uuid.uuid4().hex}"
    transcript = []
    for message in ["nie pamiętam ani maila ani hasła do panelu", "nie mam już tego telefonu",
                    account_words, "kontakt.nowy@example.org"]:
        transcript.append(texts(stack.say(sender, message)))
    return "\n".join(transcript)


@pytest.fixture
def pinned(stack):
    def pin(moment: str):
        stack.restart_backend(recovery_now=moment)
        return stack
    yield pin
    stack.restart_backend(recovery_now=None)


def test_outside_office_hours_the_customer_learns_the_next_opening(pinned):
    stack = pinned(SATURDAY)
    transcript = documents_conversation(stack, "konto jest na osobę prywatną")
    assert CASE_NUMBER.search(transcript), transcript
    assert re.search(r"poniedziałek.{0,40}30 listopada.{0,20}\b0?9:00", transcript, re.S), transcript


def test_on_a_public_holiday_the_office_is_closed(pinned):
    stack = pinned(CHRISTMAS_EVE)
    transcript = documents_conversation(stack, "firma")
    assert CASE_NUMBER.search(transcript), transcript
    assert "24 grudnia" not in transcript.split("ODZ-")[-1], transcript
    assert re.search(r"28 grudnia.{0,20}\b0?9:00", transcript, re.S), transcript


def test_inside_office_hours_no_waiting_for_the_next_opening(pinned):
    stack = pinned(TUESDAY_MORNING)
    transcript = documents_conversation(stack, "osoba prywatna")
    assert CASE_NUMBER.search(transcript), transcript
    assert not re.search(r"poniedziałek|30 listopada", transcript), transcript


def test_backend_down_gets_a_clear_answer_and_the_conversation_goes_on(stack, sender_id):
    stack.say(sender_id, "nie działa mi skrzynka mailowa")
    stack.services.pop("backend").stop()
    try:
        replies = texts(stack.say(sender_id, "691 000 111"))
        assert "chwilowo nie odpowiada" in replies and "numeru zapisanego w Panelu Klienta" in replies
        assert "9:00" in texts(stack.say(sender_id, "w jakich godzinach pracujecie?"))
    finally:
        stack.start_backend()
    stack.say(sender_id, "/email_not_working")
    assert "*** *** 222" in texts(stack.say(sender_id, "693 000 222")), "the path goes on after the outage"
