"""Issue 20 #1, #2: the live hand-over and cases in Chatwoot, against a fake that answers Chatwoot's
documented application API (and refuses what it refuses) and signs its webhooks like Chatwoot."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from conftest import STAFF_KEY, make_backend
from fake_chatwoot import ACCOUNT, INBOX, TOKEN, WEBHOOK_SECRET, FakeChatwoot, signed_request

from devstack.fake_http import FakeHttpServer

OPEN = "2026-11-30T11:00:00+01:00"     # a Monday, in office hours
CLOSED = "2026-11-28T11:00:00+01:00"   # a Saturday
PUSH_TOKEN = "push-token-0123456789abcdef"
TRANSCRIPT = [{"speaker": "customer", "text": "nie działa poczta jan@stara-firma.pl, tel. 605 111 222"},
              {"speaker": "assistant", "text": "Wysłałem kod na +48 *** *** 222."},
              {"speaker": "customer", "text": "kod 482913 nie działa, chcę z człowiekiem"}]


@pytest.fixture
def chatwoot():
    fake = FakeChatwoot()
    yield fake
    fake.close()


@pytest.fixture
def pushed():
    """Rasa's hand-over channel, as the backend sees it: what was pushed to which conversation."""
    received = []

    def respond(seen):
        if seen.headers.get("Authorization") != f"Bearer {PUSH_TOKEN}":
            return 401, {"error": "unauthorized"}
        received.append(seen.json())
        return 200, {"delivered": True}
    gateway = FakeHttpServer(respond)
    gateway.received = received
    yield gateway
    gateway.close()


def chatwoot_env(chatwoot, pushed, **extra) -> dict:
    return {"HUMAN_INBOX": "chatwoot", "CHATWOOT_URL": chatwoot.url, "CHATWOOT_API_TOKEN": TOKEN,
            "CHATWOOT_ACCOUNT_ID": str(ACCOUNT), "CHATWOOT_INBOX_ID": str(INBOX),
            "CHATWOOT_WEBHOOK_SECRET": WEBHOOK_SECRET, "ASSISTANT_PUSH_URL": f"{pushed.url}/webhooks/handover/push",
            "HANDOVER_PUSH_TOKEN": PUSH_TOKEN, "RECOVERY_NOW": OPEN, **extra}


def start(backend, conversation="sio:abc", **extra):
    return backend.post("/api/v1/handovers", {"conversation_id": conversation, "channel": "socketio",
                                              "language": "pl", "summary": "Sprawa: konsultant. Kod 482913.",
                                              "transcript": TRANSCRIPT, **extra})


def webhook(backend, payload, **signing):
    body, headers = signed_request(payload, **signing)
    return backend.client.post("/chatwoot/webhook", content=body, headers=headers)


def relay(backend, text, conversation="sio:abc"):
    return backend.post("/api/v1/handovers/messages", {"conversation_id": conversation, "text": text}).json()["status"]


def test_a_live_hand_over_from_start_to_resolution(tmp_path, chatwoot, pushed):
    backend = make_backend(tmp_path, **chatwoot_env(chatwoot, pushed))
    answer = start(backend)
    assert answer.status_code == 201 and answer.json() == {"status": "waiting", "pickup_seconds": 300}
    conversation = chatwoot.conversation_for("sio:abc")
    assert conversation["status"] == "open" and conversation["inbox_id"] == INBOX
    note = chatwoot.messages_of(conversation["id"], private=True)[0]["content"]
    assert "sio:abc" in note and "chcę z człowiekiem" in note and "ja***@s***.pl" in note
    for secret in ("482913", "605 111 222", "jan@stara-firma.pl"):
        assert secret not in note

    assert relay(backend, "halo, mój nowy numer 601 234 567") == "waiting"
    incoming = chatwoot.messages_of(conversation["id"], private=False)
    assert [m["message_type"] for m in incoming] == ["incoming"] and "601 234 567" not in incoming[0]["content"]

    assert webhook(backend, chatwoot.agent_message(conversation["id"], "Dzień dobry, tu Anna. Już sprawdzam.")
                   ).json() == {"handled": True}
    assert pushed.received[-1]["conversation_id"] == "sio:abc" and pushed.received[-1]["speaker"] == "agent"
    assert "Anna" in pushed.received[-1]["text"] and "Już sprawdzam." in pushed.received[-1]["text"]
    first = chatwoot.agent_message(conversation["id"], "Proszę chwilę poczekać.")
    assert webhook(backend, first).json() == {"handled": True}
    assert webhook(backend, first).json() == {"handled": False}, "a replayed delivery is delivered once"
    assert [p["text"] for p in pushed.received].count(pushed.received[-1]["text"]) == 1
    assert relay(backend, "dziękuję") == "talking"

    assert webhook(backend, chatwoot.status_change(conversation["id"], "resolved")).json() == {"handled": True}
    assert pushed.received[-1]["speaker"] == "assistant"
    before = len(chatwoot.messages)
    assert relay(backend, "a jeszcze jedno pytanie") == "resolved", "the assistant answers again"
    assert len(chatwoot.messages) == before, "nothing relayed after the resolution"


def test_handing_back_ends_the_hand_over_too(tmp_path, chatwoot, pushed):
    backend = make_backend(tmp_path, **chatwoot_env(chatwoot, pushed))
    start(backend)
    conversation = chatwoot.conversation_for("sio:abc")
    assert webhook(backend, chatwoot.status_change(conversation["id"], "pending")).json() == {"handled": True}
    assert relay(backend, "ok") == "resolved"


def test_only_signed_agent_replies_reach_the_customer(tmp_path, chatwoot, pushed):
    backend = make_backend(tmp_path, **chatwoot_env(chatwoot, pushed))
    start(backend)
    cid = chatwoot.conversation_for("sio:abc")["id"]
    reply = chatwoot.agent_message(cid, "tekst")
    assert webhook(backend, reply, secret="wrong-secret").status_code == 401
    assert webhook(backend, reply, timestamp=int(time.time()) - 3600).status_code == 401, "a replayed delivery"
    assert backend.client.post("/chatwoot/webhook", json=reply).status_code == 401, "unsigned"
    # Private notes, bots' messages and the customer's own messages (incoming) are not replies.
    assert webhook(backend, chatwoot.agent_message(cid, "notatka", private=True)).json() == {"handled": False}
    assert webhook(backend, chatwoot.agent_message(cid, "bot", sender_type="agent_bot")).json() == {"handled": False}
    assert webhook(backend, {**reply, "message_type": "incoming"}).json() == {"handled": False}
    elsewhere = {**reply, "conversation": {**reply["conversation"], "id": 999}}
    assert webhook(backend, elsewhere).json() == {"handled": False}, "a conversation that is no hand-over"
    assert pushed.received == []
    assert relay(backend, "jest tam ktoś?") == "waiting"


def test_no_live_hand_over_when_it_cannot_be_had(tmp_path, chatwoot, pushed):
    closed = make_backend(tmp_path / "closed", **chatwoot_env(chatwoot, pushed, RECOVERY_NOW=CLOSED))
    assert start(closed).json() == {"error": "office_closed"}
    without = make_backend(tmp_path / "none", RECOVERY_NOW=OPEN)
    assert start(without).json() == {"error": "no_inbox"}
    wrong_token = make_backend(tmp_path / "token", **chatwoot_env(chatwoot, pushed, CHATWOOT_API_TOKEN="x" * 20))
    answer = start(wrong_token)
    assert answer.status_code == 503 and answer.json() == {"error": "inbox_unavailable"}
    assert (401, "/api/v1/accounts/3/contacts") in chatwoot.refused
    chatwoot.down = True
    assert start(make_backend(tmp_path / "down", **chatwoot_env(chatwoot, pushed))).status_code == 503
    assert chatwoot.conversations == {}


def test_nobody_picks_up_in_time_and_a_case_is_offered(tmp_path, chatwoot, pushed):
    backend = make_backend(tmp_path, **chatwoot_env(chatwoot, pushed, HANDOVER_PICKUP_SECONDS="0.5"))
    start(backend)
    cid = chatwoot.conversation_for("sio:abc")["id"]
    assert relay(backend, "halo?") == "waiting"
    clock = backend.client.app.state.services.clock
    clock.pinned += timedelta(seconds=1)   # the pickup time passes; the backend's watcher notices unasked
    deadline = time.time() + 10
    while not pushed.received and time.time() < deadline:
        time.sleep(0.1)
    assert pushed.received and pushed.received[-1]["speaker"] == "assistant"
    assert any("Klient nie doczekał" in m["content"] for m in chatwoot.messages_of(cid, private=True))
    assert relay(backend, "jan@nowy.pl") == "unanswered"
    assert webhook(backend, chatwoot.agent_message(cid, "spóźniona odpowiedź")).json() == {"handled": False}


def test_cases_open_a_chatwoot_conversation_with_the_transcript(tmp_path, chatwoot, pushed):
    backend = make_backend(tmp_path, **chatwoot_env(chatwoot, pushed, RECOVERY_NOW=CLOSED))
    body = {"reason": "human_handoff", "contact_email": "anna@kontakt.pl", "channel": "telegram",
            "conversation_id": "tg:42", "summary": "Sprawa: konsultant.", "transcript": TRANSCRIPT}
    case = backend.post("/api/v1/cases", body).json()
    conversation = chatwoot.conversation_for("tg:42")
    note = chatwoot.messages_of(conversation["id"], private=True)[0]["content"]
    assert case["case_number"] in note and "tg:42" in note and "chcę z człowiekiem" in note and "482913" not in note
    assert any(c["email"] == "anna@kontakt.pl" for c in chatwoot.contacts.values()), "staff answer the contact"
    listed = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert listed["inbox_reference"] == str(conversation["id"])
    backend.post("/api/v1/cases", {**body, "open_question": "czy mogę zadzwonić?"})
    assert len(chatwoot.messages_of(conversation["id"], private=True)) == 2, "the update is a note"
    assert len(chatwoot.conversations) == 1


def test_a_case_opens_even_when_chatwoot_refuses(tmp_path, chatwoot, pushed):
    chatwoot.down = True
    backend = make_backend(tmp_path, **chatwoot_env(chatwoot, pushed))
    response = backend.post("/api/v1/cases", {"reason": "documents", "conversation_id": "sio:x"})
    assert response.status_code == 201
    assert backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]["inbox_reference"] is None


def test_chatwoot_without_its_settings_does_not_start(tmp_path):
    from conftest import base_env

    from recovery_backend.settings import Settings
    with pytest.raises(SystemExit) as refused:
        Settings.from_env(base_env(tmp_path, HUMAN_INBOX="chatwoot", CHATWOOT_URL="http://x"))
    for name in ("CHATWOOT_API_TOKEN", "CHATWOOT_ACCOUNT_ID", "CHATWOOT_INBOX_ID", "CHATWOOT_WEBHOOK_SECRET",
                 "ASSISTANT_PUSH_URL", "HANDOVER_PUSH_TOKEN"):
        assert name in str(refused.value)
