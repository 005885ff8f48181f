"""Issue 18 #5 and #7: a customer writing English gets the SMS, the e-mails and the documents list in
English (Polish stays the default); one case per conversation, brought up to date; a call-back number
kept in full for staff, sealed at rest."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import sqlalchemy as sa
from conftest import CODE, STAFF_KEY, make_backend

MAREK = "+48601234567"
POLISH = re.compile(r"[ąćęłńóśźż]|Dzień dobry|prosimy|kod do", re.IGNORECASE)


def english_token(backend, phone=MAREK, conversation="en-1") -> str:
    started = backend.post("/api/v1/phone-verifications", {"phone": phone, "conversation_id": conversation,
                                                           "language": "en"}).json()
    code = CODE.search([m for m in backend.sms() if m["to"] == phone][-1]["text"]).group(1)
    token = backend.post(f"/api/v1/phone-verifications/{started['verification_id']}/check", {"code": code}).json()["token"]
    backend.conversations[token] = conversation
    return token


def test_the_sms_code_is_in_the_conversations_language(backend):
    backend.start("+48602345678", "pl-1")
    english_token(backend, MAREK, "en-1")
    polish, english = [m["text"] for m in backend.sms()[-2:]]
    assert "kod do odzyskania" in polish
    assert "recovery code" in english and not POLISH.search(english)


def test_an_english_email_change_mails_and_texts_in_english(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00", EMAIL_CHANGE_DELAY_HOURS="24")
    token = english_token(backend)
    sent_before = len(backend.sms())
    response = backend.post("/api/v1/recovery/email-change",
                            {"new_email": "marek@nowy.pl", "channel": "web", "language": "en"}, token=token)
    assert response.status_code == 202
    confirmation, notice = backend.emails()[-2:]
    assert confirmation["to"] == "marek@nowy.pl" and notice["to"] == "marek@zielinski-domena.pl"
    for mail in (confirmation, notice):
        assert not POLISH.search(mail["subject"] + mail["body"]), mail
        assert "Polish time" in mail["body"]
    assert "confirm" in confirmation["subject"] and "cancel" in notice["body"]
    notice_sms = backend.sms()[sent_before:]
    assert len(notice_sms) == 1 and "requested" in notice_sms[0]["text"] and not POLISH.search(notice_sms[0]["text"])


def test_the_notice_after_an_english_change_applies_is_english_and_polish_stays_the_default(backend):
    token = english_token(backend)
    backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl", "channel": "web", "language": "en"},
                 token=token)
    link = next(word for word in backend.emails()[-2]["body"].split() if "/email-change/confirm" in word)
    backend.client.post(urlparse(link).path, data={"t": parse_qs(urlparse(link).query)["t"][0]})
    applied = backend.emails()[-2:]
    assert [mail["to"] for mail in applied] == ["marek@zielinski-domena.pl", "marek@nowy.pl"]
    assert all("has been changed" in mail["subject"] and not POLISH.search(mail["body"]) for mail in applied)
    polish = backend.verified_token("+48603456789", "pl-2")
    backend.post("/api/v1/recovery/email-change", {"new_email": "piotr@inny.pl", "channel": "web"}, token=polish)
    assert backend.emails()[-2]["subject"] == "Kylos: prosimy potwierdzić nowy adres e-mail do Panelu Klienta"


def test_documents_in_english_are_the_same_list(backend):
    for kind in ("private", "company"):
        polish = backend.get("/api/v1/documents", account_type=kind).json()
        english = backend.get("/api/v1/documents", account_type=kind, language="en").json()
        assert polish["language"] == "pl" and english["language"] == "en"
        assert len(english["documents"]) == len(polish["documents"]) and len(english["notes"]) == len(polish["notes"])
        assert not any(POLISH.search(text) for text in english["documents"] + english["notes"]
                       + [english["subject_hint"].split("\"")[0]])
        assert english["send_to"] == polish["send_to"]
    assert backend.get("/api/v1/documents", account_type="private", language="de").status_code == 422


def open_case(backend, conversation, **fields):
    return backend.post("/api/v1/cases", {"reason": "documents", "channel": "web", "conversation_id": conversation,
                                          **fields})


def test_one_case_per_conversation_brought_up_to_date(backend):
    first = open_case(backend, "conv-a", account_type="private", contact_email="jacek@gmial.com",
                      path="documents", phones_tried=["+48 601 234 567"], language="en")
    second = open_case(backend, "conv-a", reason="human_handoff", contact_email="jacek@gmail.com",
                       open_question="Czy skan może być zdjęciem?", phones_tried=["+48 602 345 678"])
    other = open_case(backend, "conv-b")
    assert first.status_code == second.status_code == 201
    assert first.json()["case_number"] == second.json()["case_number"] != other.json()["case_number"]
    assert (first.json()["updated"], second.json()["updated"]) == (False, True)
    cases = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"]
    assert len(cases) == 2
    case = cases[0]
    assert case["reason"] == "documents", "a documents case stays one when a person is asked for too"
    assert case["contact_email"] == "jacek@gmail.com"
    assert case["path"] == "documents" and case["language"] == "en", "what the update did not say stays"
    assert case["open_question"] == "Czy skan może być zdjęciem?"
    assert len(case["phones_tried"]) == 2 and not any("234" in phone for phone in case["phones_tried"])


def test_a_call_back_number_is_kept_in_full_for_staff_and_sealed_at_rest(backend):
    assert open_case(backend, "conv-c", callback_phone="601 234 567").status_code == 201
    assert open_case(backend, "conv-d", callback_phone="12").json() == {"error": "invalid_phone"}
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert case["callback_phone"] == "+48601234567"
    assert backend.get("/api/v1/cases").status_code == 403, "the assistant's key cannot list cases"
    engine = sa.create_engine(f"sqlite:///{backend.tmp_path / 'backend.sqlite3'}")
    with engine.connect() as db:
        stored = db.execute(sa.text("SELECT callback_phone, summary FROM cases")).one()
    assert stored.callback_phone.startswith("g1.") and "601" not in stored.callback_phone
    assert "601" not in stored.summary


def change(backend, token, address, path="/api/v1/recovery/email-change", language="pl"):
    return backend.post(path, {"new_email": address, "channel": "web", "language": language}, token=token)


CORRECTION = "/api/v1/recovery/email-change/correction"


def test_a_correction_after_sending_replaces_the_address_with_a_new_link_and_voids_the_old(backend):
    token = backend.verified_token(MAREK, "conv-typo")
    assert change(backend, token, "jacek.baran@gmial.com").status_code == 202
    old_link = next(word for word in backend.emails()[-2]["body"].split() if "/email-change/confirm" in word)
    assert change(backend, token, "jacek.baran@gmail.com").status_code == 403, "no second change with the proof"
    corrected = change(backend, token, "jacek.baran@gmail.com", CORRECTION)
    assert corrected.status_code == 202 and corrected.json()["masked_new_email"] == "ja***@g***.com"
    confirmation, notice = backend.emails()[-2:]
    assert confirmation["to"] == "jacek.baran@gmail.com" and notice["to"] == "marek@zielinski-domena.pl"
    new_link = next(word for word in confirmation["body"].split() if "/email-change/confirm" in word)
    old = parse_qs(urlparse(old_link).query)["t"][0]
    assert backend.client.post(urlparse(old_link).path, data={"t": old}).status_code == 410, "the old link is void"
    new = parse_qs(urlparse(new_link).query)["t"][0]
    assert backend.client.post(urlparse(new_link).path, data={"t": new}).status_code == 200
    assert "email_change_corrected" in [entry["action"] for entry in backend.audit()]


def test_a_correction_needs_the_conversation_a_pending_change_and_has_a_limit(backend):
    token = backend.verified_token(MAREK, "conv-typo")
    assert change(backend, token, "a@gmial.com", CORRECTION).json() == {"error": "not_correctable"}, "nothing sent yet"
    change(backend, token, "a@gmial.com")
    backend.conversations[token] = "someone-else"
    assert change(backend, token, "a@gmail.com", CORRECTION).status_code == 403
    backend.conversations[token] = "conv-typo"
    assert change(backend, token, "b@gmail.com", CORRECTION).status_code == 202
    assert change(backend, token, "c@gmail.com", CORRECTION).status_code == 202
    assert change(backend, token, "d@gmail.com", CORRECTION).json() == {"error": "not_correctable"}


def test_the_dead_mailbox_domain_is_refused_as_the_new_address(backend):
    token = backend.verified_token(MAREK)
    assert change(backend, token, "marek2@zielinski-domena.pl").json() == {"error": "dead_domain"}
    assert change(backend, token, "marek@zielinski-domena.pl").json() == {"error": "same_email"}
    assert change(backend, token, "marek@gmail.com").status_code == 202, "the refusals did not spend the proof"



def test_the_links_pages_are_in_the_language_of_the_conversation(backend):
    token = english_token(backend)
    change(backend, token, "marek@nowy.pl", language="en")
    confirmation, notice = backend.emails()[-2:]
    for mail, path in ((confirmation, "/email-change/confirm"), (notice, "/email-change/cancel")):
        link = next(word for word in mail["body"].split() if path in word)
        page = backend.client.get(urlparse(link).path, params={"t": parse_qs(urlparse(link).query)["t"][0]})
        assert page.status_code == 200 and "lang='en'" in page.text and not POLISH.search(page.text), page.text
    assert "lang='pl'" in backend.client.get("/email-change/confirm", params={"t": "unknown"}).text


def test_every_polish_notice_agrees_with_the_accounts_register():
    """Issue 18 #6 for what the backend writes: a company's owner is "Państwo" with plural verbs, a
    person "Pan/Pani" with singular ones (the one verb these texts use next to it: prosił(a)/prosili)."""
    from datetime import datetime, timezone

    from recovery_backend import notices

    moment = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
    for plural in (False, True):
        rendered = [
            *notices.confirm_new_address("https://x/l", moment, "pl", plural),
            *notices.change_requested(moment, "ma***@n***.pl", moment, "https://x/c", "pl", plural),
            notices.change_requested_sms("ma***@n***.pl", moment, "https://x/c", "pl", plural),
            *notices.address_changed(moment, "ma***@n***.pl", "pl", plural),
            *[text for key in notices.PAGES["pl"] for text in notices.page_text(key, "pl", plural, when="x",
                                                                                password_reset_url="x")]]
        text = "\n".join(rendered)
        if plural:
            assert "Państwo" in text and "Pan/Pani" not in text and "prosił(a)" not in text
        else:
            assert "Pan/Pani" in text and "Państw" not in text and "prosili" not in text


def test_a_company_accounts_owner_is_addressed_as_panstwo(backend):
    token = backend.verified_token("+48602345678", "conv-company")      # biuro@przykladowa-firma.pl
    change(backend, token, "firma.biuro@gmail.com")
    confirmation, notice = backend.emails()[-2:]
    assert "Państwo prosili" in confirmation["body"] and "Jeśli to nie Państwo" in notice["body"]
    assert "Pan/Pani" not in confirmation["body"] + notice["body"]


def test_call_back_numbers_are_sealed_again_with_a_new_key_at_start(tmp_path):
    first = make_backend(tmp_path, SEAL_KEYS=f"k1={'o' * 32}")
    assert open_case(first, "conv-k", callback_phone="+48 601 234 567").status_code == 201
    first.client.app.state.services.outbox.stop()
    again = make_backend(tmp_path, SEAL_KEYS=f"k2={'n' * 32},k1={'o' * 32}")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'backend.sqlite3'}")
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT callback_phone FROM cases")).scalar().startswith("g1.k2.")
    only_new = make_backend(tmp_path, SEAL_KEYS=f"k2={'n' * 32}")
    assert only_new.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]["callback_phone"] == "+48601234567"
    assert again.get("/api/v1/cases", key=STAFF_KEY).status_code == 200


def test_the_reset_mail_the_backend_writes_is_in_the_conversations_language(backend):
    token = english_token(backend)
    assert backend.post("/api/v1/recovery/password-reset", {"channel": "rest", "language": "en"},
                        token=token).status_code == 202
    mail = backend.emails()[-1]
    assert "password/reset" in mail["body"] and not POLISH.search(mail["subject"] + mail["body"])
