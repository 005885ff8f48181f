"""Issue 9 L3, L5: bad input is a JSON 4xx, never a 500, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import logging

from conftest import make_backend

MAREK = "+48601234567"


def test_nul_bytes_and_control_characters_are_a_clear_4xx(tmp_path, database_url, caplog):
    backend = make_backend(tmp_path, DATABASE_URL=database_url)
    token = backend.verified_token(MAREK, "conv-nul")
    caplog.set_level(logging.DEBUG)
    attempts = [
        backend.post("/api/v1/phone-verifications", {"phone": "601\x00234567", "conversation_id": "c"}),
        backend.post("/api/v1/phone-verifications", {"phone": MAREK, "conversation_id": "c\x00"}),
        backend.post("/api/v1/phone-verifications/%00abc/check", {"code": "123456"}),
        backend.post("/api/v1/phone-verifications/abc/check", {"code": "12\x003456"}),
        backend.post("/api/v1/recovery/email-change", {"new_email": "ktos\x00@nowy.pl"}, token=token),
        backend.post("/api/v1/recovery/email-check", {"email": "marek@zielinski-domena.pl\x00"}, token=token),
        backend.get("/api/v1/recovery/email-hint", token=token, conversation="conv-nul\x01"),
        backend.post("/api/v1/cases", {"reason": "documents", "conversation_id": "c", "summary": "a\x00b"}),
        backend.client.get("/email-change/confirm", params={"t": "abc\x00def"}),
    ]
    statuses = [a.status_code for a in attempts]
    assert all(400 <= status < 500 for status in statuses), statuses
    assert all(a.headers["content-type"].startswith(("application/json", "text/html")) for a in attempts)
    assert "zielinski-domena" not in caplog.text and "nowy.pl" not in caplog.text


def test_a_method_the_path_does_not_take_is_405_with_allow(backend):
    """Issue 17 #12: schemathesis' unsupported-method check (TRACE and others)."""
    for method in ("TRACE", "DELETE", "PUT"):
        answer = backend.client.request(method, "/api/v1/cases", headers={"X-API-Key": "test-assistant-key-0123456789"})
        assert answer.status_code == 405, method
        assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}, "both routes of the path"
