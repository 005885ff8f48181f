"""Proof of the phone: uniform answers, limits, expiry, single use, tokens."""
from __future__ import annotations

from conftest import API_KEY, STAFF_KEY, make_backend

REGISTERED, UNREGISTERED, LANDLINE = "+48601234567", "+48609999888", "+48221112233"


def test_registered_unregistered_and_landline_get_identical_answers(backend):
    answers = [backend.start(phone, f"conv-{i}") for i, phone in enumerate([REGISTERED, UNREGISTERED, LANDLINE])]
    assert {a.status_code for a in answers} == {202}
    bodies = [{k: v for k, v in a.json().items() if k != "verification_id"} for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert all(sorted(a.headers.keys()) == sorted(answers[0].headers.keys()) for a in answers)
    assert [m["to"] for m in backend.sms()] == [REGISTERED], "a code goes only to a registered mobile"


def test_invalid_text_is_refused_without_revealing_anything(backend):
    response = backend.start("not a phone")
    assert response.status_code == 422 and response.json() == {"error": "invalid_phone"}


def test_right_code_gives_a_token_once(backend):
    verification = backend.start(REGISTERED).json()["verification_id"]
    code = backend.code_for(REGISTERED)
    first = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": code}).json()
    assert first["verified"] is True and first["token"]
    again = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": code}).json()
    assert again["verified"] is False, "a code is single use"


def test_codes_are_six_random_digits_and_stored_hashed(backend):
    backend.start(REGISTERED)
    code = backend.code_for(REGISTERED)
    assert len(code) == 6 and code.isdigit()
    database = (backend.tmp_path / "backend.sqlite3").read_bytes()
    assert code.encode() not in database


def test_five_wrong_tries_burn_the_code(backend):
    verification = backend.start(REGISTERED).json()["verification_id"]
    code = backend.code_for(REGISTERED)
    wrong = "000000" if code != "000000" else "111111"
    left = [backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": wrong}).json()["tries_left"]
            for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    final = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": code}).json()
    assert final == {"verified": False, "tries_left": 0, "reason": "too_many_tries"}


def test_unregistered_numbers_fail_like_wrong_codes(backend):
    verification = backend.start(UNREGISTERED).json()["verification_id"]
    result = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "123456"}).json()
    assert result == {"verified": False, "tries_left": 4, "reason": "wrong_code"}


def test_cooldown_and_three_sends_per_number_per_hour_from_one_client(tmp_path):
    moments = ["2026-11-24T10:00:00+01:00", "2026-11-24T10:00:30+01:00", "2026-11-24T10:02:00+01:00",
               "2026-11-24T10:04:00+01:00", "2026-11-24T10:06:00+01:00", "2026-11-24T11:01:00+01:00"]
    statuses = []
    for i, moment in enumerate(moments):
        backend = make_backend(tmp_path, RECOVERY_NOW=moment)
        response = backend.start(UNREGISTERED, f"conversation-{i}", client="198.51.100.7")
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.json()["error"] == "rate_limited" and response.json()["retry_after"] > 0
    # 10:00 sent; 10:00:30 cooldown; 10:02 and 10:04 sent (3 in the hour); 10:06 over the cap; 11:01 free again
    assert statuses == [202, 429, 202, 202, 429, 202]


def test_cap_per_conversation(tmp_path):
    statuses = []
    for i in range(6):
        backend = make_backend(tmp_path, RECOVERY_NOW=f"2026-11-24T10:{i * 2:02d}:00+01:00")
        statuses.append(backend.start(f"+4860999{i:04d}", "same-conversation").status_code)
    assert statuses == [202] * 5 + [429]


def test_codes_expire_after_ten_minutes(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00")
    verification = backend.start(REGISTERED).json()["verification_id"]
    code = backend.code_for(REGISTERED)
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:10:01+01:00")
    result = later.post(f"/api/v1/phone-verifications/{verification}/check", {"code": code}).json()
    assert result["verified"] is False and result["reason"] == "expired"


def test_token_is_bound_to_one_account_and_expires(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00")
    marek = backend.verified_token("+48601234567", "conv-marek")
    ewa = backend.verified_token("+48602345678", "conv-ewa")
    assert backend.get("/api/v1/recovery/email-hint", token=marek).json() == {"masked_email": "ma***@z***.pl"}
    assert backend.get("/api/v1/recovery/email-hint", token=ewa).json() == {"masked_email": "bi***@p***.pl"}
    forged = backend.get("/api/v1/recovery/email-hint", token=marek[:-2] + "xx")
    assert forged.status_code == 403 and forged.json() == {"error": "token_invalid"}
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:15:01+01:00")
    assert later.get("/api/v1/recovery/email-hint", token=marek, conversation="conv-marek").status_code == 403


def test_api_key_is_required_everywhere_but_health(backend):
    assert backend.client.get("/api/v1/health").status_code == 200
    for key in ("", "wrong-key"):
        response = backend.post("/api/v1/phone-verifications", {"phone": REGISTERED, "conversation_id": "x"}, key=key)
        assert response.status_code == 401 and response.json() == {"error": "unauthorized"}
        assert backend.post("/api/v1/phone-verifications", {"garbage": True}, key=key).status_code == 401
    assert backend.get("/api/v1/cases", key=API_KEY).status_code == 403
    assert backend.get("/api/v1/cases", key=STAFF_KEY).status_code == 200
    assert backend.post("/api/v1/phone-verifications", {"phone": REGISTERED, "conversation_id": "x"},
                        key=STAFF_KEY).status_code == 403
