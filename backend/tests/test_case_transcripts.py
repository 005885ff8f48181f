"""Issue 20 #2: every case carries its conversation's id and a redacted transcript excerpt, where
staff work (the staff API, a WHMCS ticket)."""
from __future__ import annotations

from conftest import STAFF_KEY, make_backend

TRANSCRIPT = [
    {"speaker": "customer", "text": "nie działa poczta marek@zielinski-domena.pl, tel 601 234 567"},
    {"speaker": "assistant", "text": "Wysłałem kod na numer +48 6** *** *67."},
    {"speaker": "customer", "text": "kod 482913, chcę rozmawiać z człowiekiem"},
]


def open_case(backend, **extra):
    return backend.post("/api/v1/cases", {"reason": "human_handoff", "channel": "socketio",
                                          "conversation_id": "sio:abc123", "summary": "Sprawa: konsultant.",
                                          "transcript": TRANSCRIPT, **extra})


def test_a_case_keeps_the_conversation_id_and_a_redacted_excerpt(backend):
    assert open_case(backend).status_code == 201
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert case["conversation_id"] == "sio:abc123"
    assert [line["speaker"] for line in case["transcript"]] == ["customer", "assistant", "customer"]
    text = " ".join(line["text"] for line in case["transcript"])
    for secret in ("482913", "601 234 567", "234", "marek@zielinski-domena.pl"):
        assert secret not in text
    assert "ma***@z***.pl" in text and "człowiekiem" in text


def test_the_excerpt_is_the_conversations_end_and_speakers_are_checked(backend):
    many = [{"speaker": "customer", "text": f"wiadomość numer {n}"} for n in range(45)]
    assert open_case(backend, transcript=many).status_code == 201
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert len(case["transcript"]) == 30 and case["transcript"][-1]["text"] == "wiadomość numer 44"
    assert open_case(backend, transcript=[{"speaker": "staff", "text": "x"}]).status_code == 422
    assert open_case(backend, transcript=[{"speaker": "customer", "text": "a\x00b"}]).status_code == 422


def test_a_case_without_transcript_still_opens(backend):
    response = backend.post("/api/v1/cases", {"reason": "documents", "conversation_id": "tg:42"})
    assert response.status_code == 201
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert case["conversation_id"] == "tg:42" and case["transcript"] == []


def test_the_whmcs_ticket_carries_the_conversation_and_the_excerpt(tmp_path):
    from fake_whmcs import FakeWhmcs
    from test_whmcs import whmcs_env
    fake = FakeWhmcs()
    try:
        backend = make_backend(tmp_path, **whmcs_env(fake))
        assert open_case(backend).status_code == 201
        message = fake.tickets[-1]["message"]
        assert "sio:abc123" in message and "człowiekiem" in message and "ma***@z***.pl" in message
        assert "482913" not in message and "601 234 567" not in message and "zielinski-domena.pl" not in message
    finally:
        fake.close()
