"""Issue 9 C1 and L8 on the backend side: a token works only in the conversation (and on the
channel) it was earned in, dies with the e-mail change it allowed, and every use is capped."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import API_KEY, STAFF_KEY, make_backend

MAREK = "+48601234567"


def start_on(backend, phone, conversation, channel):
    return backend.post("/api/v1/phone-verifications",
                        {"phone": phone, "conversation_id": conversation, "channel": channel}).json()


def telegram_token(backend):
    verification = start_on(backend, MAREK, "tg:4242", "telegram")["verification_id"]
    token = backend.post(f"/api/v1/phone-verifications/{verification}/check",
                         {"code": backend.code_for(MAREK)}).json()["token"]
    backend.conversations[token] = "tg:4242"
    return token


def test_a_token_is_refused_from_another_conversation(backend):
    token = telegram_token(backend)
    assert backend.get("/api/v1/recovery/email-hint", token=token).status_code == 200
    for path, body in (("/api/v1/recovery/email-change", {"new_email": "attacker@evil.example"}),
                       ("/api/v1/recovery/password-reset", {}),
                       ("/api/v1/recovery/email-check", {"email": "marek@zielinski-domena.pl"})):
        stolen = backend.post(path, body, token=token, conversation="4242")  # the REST hijack of C1
        assert stolen.status_code == 403 and stolen.json() == {"error": "token_invalid"}
    hint = backend.get("/api/v1/recovery/email-hint", token=token, conversation="rest:4242")
    assert hint.status_code == 403 and hint.json() == {"error": "token_invalid"}
    bare = backend.client.get("/api/v1/recovery/email-hint", headers={"X-API-Key": API_KEY, "X-Recovery-Token": token})
    assert bare.status_code == 403 and bare.json() == {"error": "token_invalid"}, "the conversation id is required"
    assert backend.emails() == [], "nothing was sent for the hijacker"


def test_the_audit_records_the_tokens_channel_not_the_claimed_one(backend):
    token = telegram_token(backend)
    own = backend.post("/api/v1/recovery/password-reset", {"channel": "slack"}, token=token)
    assert own.status_code == 202
    audit = backend.audit()
    assert [(e["action"], e["channel"]) for e in audit] == [("password_reset_sent", "telegram")]


def test_the_token_dies_once_the_email_change_is_requested(backend):
    token = backend.verified_token(MAREK)
    changed = backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl"}, token=token)
    assert changed.status_code == 202
    assert changed.json() == {"status": "confirmation_sent", "masked_new_email": "ma***@n***.pl",
                              "applies_after": None}
    for attempt in (backend.post("/api/v1/recovery/email-change", {"new_email": "x@evil.example"}, token=token),
                    backend.get("/api/v1/recovery/email-hint", token=token)):
        assert attempt.status_code == 403 and attempt.json() == {"error": "token_invalid"}


def test_a_refused_address_does_not_use_up_the_change(backend):
    token = backend.verified_token(MAREK)
    assert backend.post("/api/v1/recovery/email-change", {"new_email": "nope"}, token=token).status_code == 422
    assert backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl"}, token=token).status_code == 202


def test_email_check_answers_three_times_per_token(backend):
    token = backend.verified_token(MAREK)
    answers = [backend.post("/api/v1/recovery/email-check", {"email": email}, token=token)
               for email in ("marek@gmail.com", " Marek@Zielinski-Domena.PL ", "marek@zielinski-domena.pl",
                             "marek@zielinski-domena.pl")]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.json() for a in answers[:3]] == [{"matches": False, "checks_left": 2}, {"matches": True, "checks_left": 1},
                                               {"matches": True, "checks_left": 0}]
    assert answers[3].json()["error"] == "rate_limited" and 0 < answers[3].json()["retry_after"] <= 900
    audit = backend.audit()
    assert [e["action"] for e in audit] == ["email_checked"] * 3
    assert all("marek@" not in e["details"] and "gmail.com" not in e["details"] for e in audit)


def test_email_checks_cap_holds_under_parallel_requests(backend):
    token = backend.verified_token(MAREK)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: backend.post("/api/v1/recovery/email-check", {"email": "a@b.pl"},
                                                        token=token).status_code, range(12)))
    assert sorted(statuses) == [200] * 3 + [429] * 9


def test_password_resets_are_capped_per_token(backend):
    token = backend.verified_token(MAREK)
    statuses = [backend.post("/api/v1/recovery/password-reset", {}, token=token).status_code for _ in range(4)]
    assert statuses == [202, 202, 429, 429]
    assert len(backend.emails()) == 2


CASE = {"reason": "outside_procedure", "channel": "telegram", "conversation_id": "tg:77", "summary": "s"}


def test_cases_carry_structured_fields_with_phones_masked(backend):
    created = backend.post("/api/v1/cases", {
        **CASE, "path": "dead_mailbox", "company_name": "Firma sp. z o.o.", "phone_proven": False,
        "phones_tried": ["+48 *** *** 999", "+48 601 234 567", "0048602345678"], "failure": "sms_not_received",
        "open_question": "Czy mogę podać numer 601 234 567 albo adres jan@firma.pl?", "language": "en"})
    assert created.status_code == 201
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert case["reason"] == "outside_procedure" and case["path"] == "dead_mailbox"
    assert case["company_name"] == "Firma sp. z o.o." and case["phone_proven"] is False
    assert case["phones_tried"] == ["+48 *** *** 999", "+48 *** *** 567", "+48 *** *** 678"]
    assert case["failure"] == "sms_not_received" and case["language"] == "en"
    assert "601" not in case["open_question"] and "jan@firma.pl" not in case["open_question"]


def test_cases_refuse_what_is_neither_a_masked_nor_a_full_number(backend):
    for tried in (["+48 601 *** 567 12"], ["hello"], ["+48 601 234 5**"], ["+48 60* *** *67"]):
        assert backend.post("/api/v1/cases", {**CASE, "phones_tried": tried}).status_code == 422
    assert backend.post("/api/v1/cases", {**CASE, "language": "de"}).status_code == 422


def test_only_the_conversation_that_opened_a_case_sets_its_contact(backend):
    number = backend.post("/api/v1/cases", CASE).json()["case_number"]
    other = backend.patch(f"/api/v1/cases/{number}", {"conversation_id": "4242", "contact_email": "x@evil.example"})
    assert other.status_code == 404 and other.json() == {"error": "not_found"}
    missing = backend.patch("/api/v1/cases/ODZ-20000101-9999", {"conversation_id": "tg:77", "contact_email": "a@b.pl"})
    assert missing.status_code == 404
    assert backend.patch(f"/api/v1/cases/{number}", {"conversation_id": "tg:77", "contact_email": "bad"}).status_code == 422
    own = backend.patch(f"/api/v1/cases/{number}", {"conversation_id": "tg:77", "contact_email": "jan@firma.pl"})
    assert own.status_code == 200
    assert backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]["contact_email"] == "jan@firma.pl"


def test_cases_are_capped_per_conversation_per_day(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00")
    statuses = [backend.post("/api/v1/cases", CASE).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert backend.post("/api/v1/cases", {**CASE, "conversation_id": "tg:78"}).status_code == 201
    tomorrow = make_backend(tmp_path, RECOVERY_NOW="2026-11-25T10:00:01+01:00")
    assert tomorrow.post("/api/v1/cases", CASE).status_code == 201


def test_a_database_from_before_the_binding_is_upgraded_in_place(tmp_path):
    import sqlalchemy as sa
    old = sa.create_engine(f"sqlite:///{tmp_path / 'backend.sqlite3'}")
    with old.begin() as db:
        db.execute(sa.text("CREATE TABLE tokens (token_hash VARCHAR(64) PRIMARY KEY, account_id INTEGER NOT NULL, "
                           "channel VARCHAR(30) NOT NULL, expires_at DATETIME NOT NULL)"))
        db.execute(sa.text("INSERT INTO tokens VALUES ('h', 9001, 'rest', '2030-01-01 00:00:00')"))
    backend = make_backend(tmp_path)
    token = backend.verified_token(MAREK)
    assert backend.get("/api/v1/recovery/email-hint", token=token).status_code == 200
    with old.connect() as db:
        assert db.execute(sa.text("SELECT revoked, email_checks FROM tokens WHERE token_hash = 'h'")).one() == (0, 0)
