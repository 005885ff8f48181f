"""`action_turn` on rasa_sdk Tracker objects, in-process, against the real
backend (the `services` fixture): what one turn sends, keeps and answers."""
from __future__ import annotations

import json

import pytest
from prometheus_client import REGISTRY
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client
from actions.dialogue.state import STATE_SLOT, State
from actions.turn_action import ActionTurn
from devstack import free_port


@pytest.fixture
def turn(services, monkeypatch):
    monkeypatch.setenv("BACKEND_URL", services.backend_url)
    monkeypatch.setenv("BACKEND_API_KEY", services.api_key)
    backend_client.backend.cache_clear()

    async def run(sender: str, text: str, intent: str, slots: dict | None = None, confidence: float = 0.95,
                  metadata: dict | None = None, events: list | None = None):
        tracker = Tracker(sender, slots or {}, {"text": text, "intent": {"name": intent, "confidence": confidence},
                                                "entities": [], "metadata": metadata or {}},
                          events or [], False, None, None, "action_listen")
        dispatcher = CollectingDispatcher()
        events = await ActionTurn().run(dispatcher, tracker, {})
        return dispatcher.messages, {event["name"]: event["value"] for event in events if event["event"] == "slot"}

    yield run
    backend_client.backend.cache_clear()


async def test_problem_and_phone_in_one_message_send_the_code_in_that_turn(turn, services, sender_id):
    messages, slots = await turn(sender_id, "nie dziala mi skrzynka, numer w panelu 608 555 666",
                                 "email_not_working")
    assert services.latest_code("+48608555666"), "the code went out in this very turn"
    assert slots["recovery_path"] == "dead_email" and slots["turn_outcome"] == "progress"
    assert "608555666" not in json.dumps(slots) and "608 555 666" not in json.dumps(slots), \
        "the number is kept only sealed"
    assert State.from_slot(slots[STATE_SLOT]).private.phone == "+48608555666"
    assert any("*** *** 666" in (message.get("text") or "") for message in messages)


async def test_a_weak_goodbye_inside_the_code_step_ends_nothing(turn, sender_id):
    _, slots = await turn(sender_id, "nie dziala mi poczta, tel 609 666 777", "email_not_working")
    _, after = await turn(sender_id, "a ile to wszystko potrwa?", "goodbye", slots, confidence=0.41)
    state = State.from_slot(after[STATE_SLOT])
    assert state.step == "code" and state.verification_id, "the step goes on"
    assert after["turn_outcome"] != "fallback"


async def test_a_typo_in_the_code_is_not_a_try(turn, sender_id):
    _, slots = await turn(sender_id, "nie dziala mi poczta, tel 691 777 888", "email_not_working")
    _, after = await turn(sender_id, "12345", "inform_code", slots)
    assert State.from_slot(after[STATE_SLOT]).tries.get("code", 0) == 0 and after["turn_outcome"] == "clarify"


async def test_backend_down_gets_a_polish_answer_and_loses_nothing(turn, monkeypatch, sender_id):
    _, slots = await turn(sender_id, "nie pamietam ani maila ani hasla", "no_login_data")
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    backend_client.backend.cache_clear()
    messages, after = await turn(sender_id, "tak, mam go: 602 345 678", "affirm", slots)
    assert "chwilowo nie odpowiada" in " ".join(message["text"] for message in messages)
    state = State.from_slot(after[STATE_SLOT])
    assert state.path == "no_login" and state.private.phone == "+48602345678", "the number is kept for later"


async def test_state_sealed_with_another_key_is_not_trusted(turn, sender_id):
    forged = {"path": "no_login", "proven": True, "proven_until": 9e12, "masked_login": "x***@y***.pl",
              "sealed": "gAAAAABforged"}
    messages, after = await turn(sender_id, "tak", "affirm", {STATE_SLOT: forged})
    assert State.from_slot(after[STATE_SLOT]).private.token is None
    assert not any("Wysłałem link" in (message.get("text") or "") for message in messages)


async def test_a_client_over_its_limit_hears_when_to_try_again(turn, services, sender_id):
    """Issue 17 #1: the channel's client key reaches the backend (X-Client-Key); once that client's
    starts are used up, the customer is told when a code can be sent and none goes out."""
    client = f"198.51.100.{sum(map(ord, sender_id)) % 250}"
    for i in range(10):
        await turn(f"{sender_id}-{i}", f"nie dziala mi poczta, tel 697 100 {i:03d}", "email_not_working",
                   metadata={"client_key": client})
    messages, slots = await turn(f"{sender_id}-x", "nie dziala mi poczta, tel 697 100 999", "email_not_working",
                                 metadata={"client_key": client})
    assert State.from_slot(slots[STATE_SLOT]).verification_id is None, "no code was started"
    assert any("wysłać za" in (m.get("text") or "") for m in messages), "the customer hears when to try again"
    _, other = await turn(f"{sender_id}-y", "nie dziala mi poczta, tel 697 100 998", "email_not_working",
                          metadata={"client_key": client + "0"})
    assert State.from_slot(other[STATE_SLOT]).verification_id, "another client is not affected"


async def test_a_case_carries_the_conversation_id_and_a_redacted_transcript(turn, services, sender_id):
    """Issue 20 #2: what was said reaches staff with the case, without codes, numbers or addresses."""
    earlier = [
        {"event": "user", "text": "nie działa poczta jan@stara-firma.pl, numer 605 111 222", "timestamp": 1},
        {"event": "bot", "text": "Wysłałem kod SMS na numer +48 *** *** 222.", "timestamp": 2},
        {"event": "user", "text": "kod 123456 nie przyszedł", "timestamp": 3},
        {"event": "user", "text": "chcę rozmawiać z człowiekiem, kontakt anna@kontakt-firma.pl", "timestamp": 4},
    ]
    tracker = Tracker(sender_id, {}, {"text": earlier[-1]["text"], "intent": {"name": "request_human",
                                                                              "confidence": 0.95},
                                      "entities": [], "metadata": {}}, earlier, False, None, None, "action_listen")
    events = await ActionTurn().run(CollectingDispatcher(), tracker, {})
    state = State.from_slot(next(e["value"] for e in events if e.get("name") == STATE_SLOT))
    assert state.case_number, "the hand-over opened a case"
    case = next(c for c in services.cases() if c["case_number"] == state.case_number)
    assert case["conversation_id"] == sender_id
    text = json.dumps(case["transcript"], ensure_ascii=False)
    assert [line["speaker"] for line in case["transcript"]] == ["customer", "assistant", "customer", "customer"]
    for secret in ("123456", "605 111 222", "stara-firma.pl", "anna@kontakt-firma.pl"):
        assert secret not in text
    assert "człowiekiem" in text


async def test_a_new_session_after_a_path_left_without_its_goal_counts_one_abandonment(turn, sender_id):
    """Rasa sends the expired session's events with the new session's start (actions/engine/funnel.py)."""
    left = State(path="no_login", started_at=1.0, funnel=["none:started", "no_login:path_chosen"]).to_slot()
    events = [{"event": "session_started"}, {"event": "slot", "name": STATE_SLOT, "value": left},
              {"event": "session_started"}]

    def abandoned() -> float:
        return REGISTRY.get_sample_value("assistant_conversations_abandoned_total",
                                         {"path": "no_login", "channel": "rest"}) or 0.0
    before = abandoned()
    _, slots = await turn(sender_id, "dzien dobry", "greet", events=events)
    assert abandoned() - before == 1
    await turn(sender_id, "dzien dobry", "greet", slots, events=events)
    assert abandoned() - before == 1, "counted at the new session's first turn only"
