"""Issue 9 M3 and H3 on the backend side: an attested start needs a fresh connector proof, once,
for its own conversation; it is rate-limited and audited like an SMS start and tells no more."""
from __future__ import annotations

import secrets
import time

import pytest
from conftest import make_backend

from recovery_backend.attestation import sign

SECRET = "connector-secret-0123456789abcdef"
MAREK, STRANGER, LANDLINE = "+48601234567", "+48609999888", "+48221112233"


def body(phone, conversation="tg:4242", issued_at=None, nonce=None, secret=SECRET, signed_conversation=None):
    issued_at = int(time.time()) if issued_at is None else issued_at
    nonce = nonce or secrets.token_urlsafe(16)
    signature = sign(secret, "telegram_contact", signed_conversation or conversation, "telegram", phone, issued_at, nonce)
    return {"phone": phone, "conversation_id": conversation, "channel": "telegram", "attestation": "telegram_contact",
            "proof": {"issued_at": issued_at, "nonce": nonce, "signature": signature}}


@pytest.fixture
def backend(tmp_path):
    return make_backend(tmp_path, CONNECTOR_ATTESTATION_SECRET=SECRET)


def attested(backend, payload):
    return backend.post("/api/v1/phone-verifications/attested", payload)


def test_a_fresh_proof_gives_a_token_once(backend):
    payload = body(MAREK)
    started = attested(backend, payload)
    assert started.status_code == 202
    token = backend.post(f"/api/v1/phone-verifications/{started.json()['verification_id']}/token").json()
    assert token["verified"] is True
    replay = attested(backend, {**payload, "conversation_id": "tg:4242"})
    assert replay.status_code == 403 and replay.json() == {"error": "attestation_invalid"}


@pytest.mark.parametrize("forged", [
    {"seconds_from_now": -61},
    {"seconds_from_now": 30},
    {"secret": "the-action-servers-api-key-or-a-guess"},
    {"signed_conversation": "tg:1111"},
])
def test_stale_forged_or_misdirected_proofs_are_refused(backend, forged):
    # The moment is taken when the test runs, not when it is collected: a slow run must not age it.
    forged = dict(forged)
    if "seconds_from_now" in forged:
        forged["issued_at"] = int(time.time()) + forged.pop("seconds_from_now")
    refused = attested(backend, body(MAREK, **forged))
    assert refused.status_code == 403 and refused.json() == {"error": "attestation_invalid"}
    actions = [entry["action"] for entry in backend.audit()]
    assert actions == ["phone_attestation_refused"]


def test_the_api_key_alone_is_no_master_key(backend):
    payload = body(MAREK)
    del payload["proof"]
    assert attested(backend, payload).status_code == 403


def test_attested_starts_count_against_the_limits(backend):
    assert attested(backend, body(MAREK, "tg:1")).status_code == 202
    again = attested(backend, body(MAREK, "tg:2"))
    assert again.status_code == 429 and again.json()["error"] == "rate_limited"
    assert backend.start(MAREK, "rest:3").status_code == 429, "one cooldown for SMS and attested starts"


def test_the_answer_tells_no_more_than_an_sms_start(backend):
    answers = [attested(backend, body(phone, f"tg:{i}")) for i, phone in enumerate((MAREK, STRANGER, LANDLINE))]
    shapes = [{k: v for k, v in a.json().items() if k != "verification_id"} for a in answers]
    assert [a.status_code for a in answers] == [202] * 3 and shapes[0] == shapes[1] == shapes[2]
    tokens = [backend.post(f"/api/v1/phone-verifications/{a.json()['verification_id']}/token").json()["verified"]
              for a in answers]
    assert tokens == [True, False, False], "a landline never verifies, as with an SMS"
    assert [e["action"] for e in backend.audit()].count("phone_attested") == 3
    assert all("601234567" not in e["details"] for e in backend.audit())


def test_an_sms_verification_never_becomes_a_token_and_staff_cannot_attest(backend):
    sms = backend.start("+48603456789", "rest:1").json()["verification_id"]
    assert backend.post(f"/api/v1/phone-verifications/{sms}/token").json()["verified"] is False
    assert backend.sms() and all(m["to"] == "+48603456789" for m in backend.sms())
    from conftest import STAFF_KEY
    assert backend.post("/api/v1/phone-verifications/attested", body(MAREK), key=STAFF_KEY).status_code == 403


def test_without_a_connector_secret_nothing_is_attested(tmp_path):
    plain = make_backend(tmp_path)
    assert attested(plain, body(MAREK)).status_code == 403
