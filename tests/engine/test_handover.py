"""Issue 20 #1: a live hand-over in office hours, with the assistant silent while a person has the
conversation; outside office hours or without a human inbox, a case as before."""
from __future__ import annotations

from datetime import timedelta


async def test_in_office_hours_a_person_takes_over_and_the_assistant_is_silent(chat, backend):
    backend.inbox = True
    said = await chat.say("chcę rozmawiać z człowiekiem", "request_human")
    assert said == ["handoff_live"] and chat.state.with_person
    assert backend.cases == [], "a person answers now: no case"
    assert await chat.say("halo, jest tam ktoś?", "greet") == [] and chat.turn.silent
    assert await chat.say("zacznijmy od nowa", "start_over") == [] and chat.state.with_person, \
        "the customer's words never end the hand-over"
    assert backend.relayed == ["halo, jest tam ktoś?", "zacznijmy od nowa"]


async def test_after_the_person_resolves_it_the_assistant_answers_afresh(chat, backend):
    backend.inbox = True
    await chat.say("konsultant proszę", "request_human")
    backend.handover = "resolved"
    said = await chat.say("nie działa mi poczta", "email_not_working")
    assert not chat.turn.silent and not chat.state.with_person
    assert chat.state.path == "dead_email" and said, "the next message is the assistant's again"
    assert backend.relayed == []


async def test_nobody_picks_up_and_the_case_follows(chat, backend):
    backend.inbox = True
    await chat.say("chcę rozmawiać z konsultantem", "request_human")
    backend.handover = "unanswered"
    said = await chat.say("jan@example.pl", None)
    assert not chat.state.with_person and "handoff_case" in said
    assert backend.cases[0].contact_email == "jan@example.pl" and backend.cases[0].reason == "human_handoff"


async def test_outside_office_hours_or_without_an_inbox_a_case_as_before(chat, backend):
    backend.inbox = True
    backend.now += timedelta(days=5)  # Saturday
    said = await chat.say("chcę z człowiekiem, mail jan@example.pl", "request_human")
    assert "handoff_office_closed" in said and "handoff_case" in said and not chat.state.with_person
    assert ("start_handover", "rest") not in backend.calls


async def test_without_an_inbox_the_hand_over_is_a_case(chat, backend):
    said = await chat.say("chcę z człowiekiem, mail jan@example.pl", "request_human")
    assert "handoff_case" in said and not chat.state.with_person
