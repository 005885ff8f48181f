"""SMSAPI.pl, SerwerSMS and Twilio Verify against local fakes that check the
request shape each provider documents and answer as it does, errors included."""
from __future__ import annotations

import base64

import pytest
from conftest import free_port, make_backend

from devstack.fake_http import FakeHttpServer
from recovery_backend.ports import ProviderError
from recovery_backend.providers.serwersms import SerwerSmsSender
from recovery_backend.providers.smsapi import SmsapiSender
from recovery_backend.providers.twilio_verify import TwilioVerifier

PHONE, TEXT = "+48601234567", "Kylos: kod 123456"


def smsapi(seen):
    if seen.headers.get("Authorization") != "Bearer good-token":
        return 200, {"error": 101, "message": "Authorization failed"}
    form = seen.form()
    if seen.path != "/sms.do" or form.get("format") != "json" or not form.get("message"):
        return 400, {"error": 11, "message": "Message too long or there is no message or parameter: to"}
    if not form.get("to", "").isdigit():
        return 200, {"error": 13, "message": "No correct phone numbers"}
    return 200, {"count": 1, "list": [{"id": "1", "points": 0.16, "number": form["to"], "status": "QUEUE"}]}


@pytest.fixture
def gateway():
    made = []

    def make(respond):
        made.append(FakeHttpServer(respond))
        return made[-1]
    yield make
    for fake in made:
        fake.close()


def test_smsapi_sends_the_documented_request(gateway):
    fake = gateway(smsapi)
    SmsapiSender("good-token", "Kylos", fake.url).send_text(PHONE, TEXT)
    form = fake.seen[0].form()
    assert form == {"to": "48601234567", "message": TEXT, "format": "json", "encoding": "utf-8", "from": "Kylos"}


def test_smsapi_errors_become_provider_errors_without_the_text(gateway):
    fake = gateway(smsapi)
    with pytest.raises(ProviderError) as error:
        SmsapiSender("bad-token", None, fake.url).send_text(PHONE, TEXT)
    assert "101" in str(error.value) and "123456" not in str(error.value) and "601234567" not in str(error.value)
    broken = gateway(lambda seen: (502, b"<html>Bad gateway</html>"))
    with pytest.raises(ProviderError):
        SmsapiSender("good-token", None, broken.url).send_text(PHONE, TEXT)
    with pytest.raises(ProviderError):
        SmsapiSender("good-token", None, f"http://127.0.0.1:{free_port()}").send_text(PHONE, TEXT)


def serwersms(seen):
    if seen.headers.get("Authorization") != "Bearer api-token":
        return 401, {"error": {"code": 1001, "type": "Authorization", "message": "Nieprawidłowy token"}}
    body = seen.json()
    if seen.path != "/messages/send_sms" or not body.get("phone") or not body.get("text"):
        return 400, {"error": {"code": 2100, "type": "InvalidParameter", "message": "Brak parametru"}}
    if body["phone"] == "+48600000000":
        return 200, {"success": True, "queued": 0, "unsent": 1, "items": [{"phone": body["phone"], "status": "unsent"}]}
    return 200, {"success": True, "queued": 1, "unsent": 0, "items": [{"id": "a1", "phone": body["phone"], "status": "queued"}]}


def test_serwersms_sends_and_reports(gateway):
    fake = gateway(serwersms)
    SerwerSmsSender("api-token", "KYLOS", fake.url).send_text(PHONE, TEXT)
    assert fake.seen[0].json() == {"phone": PHONE, "text": TEXT, "details": True, "sender": "KYLOS"}
    with pytest.raises(ProviderError):
        SerwerSmsSender("wrong", None, fake.url).send_text(PHONE, TEXT)
    with pytest.raises(ProviderError):
        SerwerSmsSender("api-token", None, fake.url).send_text("+48600000000", TEXT)


def twilio(seen):
    expected = "Basic " + base64.b64encode(b"AC123:secret").decode()
    if seen.headers.get("Authorization") != expected:
        return 401, {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
    form = seen.form()
    if seen.path == "/v2/Services/VA123/Verifications" and form.get("Channel") == "sms" and form.get("To"):
        return 201, {"sid": "VE1", "to": form["To"], "channel": "sms", "status": "pending", "valid": False}
    if seen.path == "/v2/Services/VA123/VerificationCheck":
        if form.get("Code") == "000000":
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        approved = form.get("Code") == "482113"
        return 200, {"sid": "VE1", "status": "approved" if approved else "pending", "valid": approved}
    return 400, {"code": 60200, "message": "Invalid parameter", "status": 400}


def test_twilio_verify_owns_the_code(gateway):
    fake = gateway(twilio)
    verifier = TwilioVerifier("AC123", "secret", "VA123", fake.url)
    verifier.start(PHONE)
    assert fake.seen[0].form() == {"To": PHONE, "Channel": "sms"}
    assert verifier.check(PHONE, "482113") is True
    assert verifier.check(PHONE, "111111") is False
    assert verifier.check(PHONE, "000000") is False
    with pytest.raises(ProviderError):
        TwilioVerifier("AC123", "wrong", "VA123", fake.url).start(PHONE)


def test_backend_verifies_through_twilio_without_seeing_the_code(tmp_path, gateway):
    fake = gateway(twilio)
    backend = make_backend(tmp_path, SMS_SENDER="twilio_verify", TWILIO_CHECK_DEADLINE_SECONDS="0.5",
                           TWILIO_ACCOUNT_SID="AC123", TWILIO_AUTH_TOKEN="secret", TWILIO_VERIFY_SERVICE_SID="VA123",
                           TWILIO_BASE_URL=fake.url)
    verification = backend.start(PHONE).json()["verification_id"]
    backend.client.app.state.services.outbox.join()
    assert [s.path for s in fake.seen] == ["/v2/Services/VA123/Verifications"]
    wrong = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "111111"}).json()
    assert wrong["verified"] is False and wrong["tries_left"] == 4
    right = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "482113"}).json()
    assert right["verified"] is True
    unregistered = backend.start("+48609999888", "other").json()["verification_id"]
    backend.client.app.state.services.outbox.join()
    assert len([s for s in fake.seen if s.path.endswith("/Verifications")]) == 1, "no SMS to a number without an account"
    assert backend.post(f"/api/v1/phone-verifications/{unregistered}/check", {"code": "482113"}).json()["verified"] is False


def test_with_twilio_verify_the_sms_of_a_waiting_email_change_is_refused_not_sent(tmp_path, gateway):
    """Twilio Verify sends only the codes it draws: our SIM-swap notice fails in the outbox, naming
    SMS_SENDER, and Twilio is not asked (docs/security.md: the cancel e-mail is the only warning)."""
    fake = gateway(twilio)
    backend = make_backend(tmp_path, SMS_SENDER="twilio_verify", TWILIO_CHECK_DEADLINE_SECONDS="0.5",
                           TWILIO_ACCOUNT_SID="AC123", TWILIO_AUTH_TOKEN="secret", TWILIO_VERIFY_SERVICE_SID="VA123",
                           TWILIO_BASE_URL=fake.url, EMAIL_CHANGE_DELAY_HOURS="24", OUTBOX_BACKOFF_SECONDS="600")
    verification = backend.start(PHONE).json()["verification_id"]
    token = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "482113"}).json()["token"]
    backend.conversations[token] = "conv-1"
    asked = len(fake.seen)
    assert backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl"}, token=token).status_code == 202
    refused = [entry for entry in backend.audit(outbox=True) if entry["action"].startswith("outbox_sms_")]
    assert [entry["action"] for entry in refused] == ["outbox_sms_retried"]
    assert "SMS_SENDER=twilio_verify" in refused[0]["details"]
    assert len(fake.seen) == asked


def test_backend_keeps_answering_when_the_gateway_fails(tmp_path, gateway):
    fake = gateway(lambda seen: (200, {"error": 103, "message": "Insufficient credits"}))
    # a retry far beyond the test: exactly one attempt is due, whatever the machine's load
    backend = make_backend(tmp_path, SMS_SENDER="smsapi", SMSAPI_TOKEN="good-token", SMSAPI_BASE_URL=fake.url,
                           OUTBOX_BACKOFF_SECONDS="600")
    assert backend.start(PHONE).status_code == 202
    backend.client.app.state.services.outbox.join()
    assert len(fake.seen) == 1
