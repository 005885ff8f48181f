"""Issue 21: a call reads the code aloud to a landline (or to a mobile on request), with the same
verification as an SMS; numbers that must never be called are refused without a call; each
provider's voice API is used as it documents, and the call's fate comes back from it."""
from __future__ import annotations

import re

import httpx
import pytest
from conftest import make_backend
from fake_voice import TTS_LIMIT, FakeSerwerSmsVoice, FakeSmsapiVms, FakeTwilioVerify

from recovery_backend.ports import ProviderError
from recovery_backend.providers.serwersms_voice import SerwerSmsVoiceSender
from recovery_backend.providers.smsapi_vms import SmsapiVoiceSender
from recovery_backend.providers.twilio_verify import TwilioVerifier
from recovery_backend.voice import call_text

LANDLINE, UNREGISTERED_LANDLINE, MOBILE = "+48221112233", "+48227770000", "+48601234567"
SECRET = "callback-secret-0123456789"


def spoken_code(text: str) -> str:
    """The code as a listener hears it: the digits of the first reading ("… 1. 2. 3. 4. 5. 6. …")."""
    return "".join(re.findall(r"\b(\d)\.", text)[:6])


def check(backend, verification, code):
    return backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": code}).json()


def call_status(backend, verification):
    return backend.get(f"/api/v1/phone-verifications/{verification}/call").json().get("status")


def test_a_call_reads_the_code_digit_by_digit_twice_and_it_verifies_like_an_sms(backend):
    started = backend.start_call(LANDLINE)
    assert started.status_code == 202
    [call] = backend.calls()
    assert call["to"] == LANDLINE and call["language"] == "pl"
    digits = re.findall(r"\b(\d)\.", call["text"])
    assert len(digits) == 12 and digits[:6] == digits[6:], "six digits, each on its own, read twice"
    assert "Kylos" in call["text"] and not re.search(r"\d{2}", call["text"]), "never a run of digits"
    verification = started.json()["verification_id"]
    answer = check(backend, verification, spoken_code(call["text"]))
    assert answer["verified"] is True and answer["token"]
    assert backend.sms() == [], "no SMS to a landline"
    assert call_status(backend, verification) == "answered"


def test_english_conversations_get_an_english_call(backend):
    backend.start_call(LANDLINE, language="en")
    [call] = backend.calls()
    assert call["language"] == "en" and call["text"] == call_text(spoken_code(call["text"]), "en")


def test_an_unregistered_landline_gets_the_same_answer_and_no_call(tmp_path):
    backend = make_backend(tmp_path, CALL_RING_SECONDS="0")
    registered, unregistered = backend.start_call(LANDLINE, "a"), backend.start_call(UNREGISTERED_LANDLINE, "b")
    assert registered.status_code == unregistered.status_code == 202
    assert registered.json().keys() == unregistered.json().keys()
    assert {k: v for k, v in registered.json().items() if k != "verification_id"} == \
        {k: v for k, v in unregistered.json().items() if k != "verification_id"}
    assert [call["to"] for call in backend.calls()] == [LANDLINE]
    # No call rang at the unregistered number: it reports what an unanswered call would.
    assert call_status(backend, unregistered.json()["verification_id"]) == "no_answer"
    assert check(backend, unregistered.json()["verification_id"], "123456")["verified"] is False


@pytest.mark.parametrize("number, reason", [
    ("+48701234567", "special_number"),   # premium rate
    ("+48801234567", "special_number"),   # shared cost
    ("+48800123456", "special_number"),   # toll free
    ("+4930123456789", "country_not_served"),
    ("+12025550123", "country_not_served"),
])
def test_premium_special_and_foreign_numbers_are_refused_without_a_call(backend, number, reason):
    answer = backend.start_call(number)
    assert answer.status_code == 422 and answer.json() == {"error": "not_callable", "reason": reason}
    assert backend.calls() == [] and backend.sms() == []


def test_served_countries_are_configurable(tmp_path):
    backend = make_backend(tmp_path, CALL_COUNTRIES="PL,DE")
    assert backend.start_call("+4930123456789").status_code == 202


def test_no_voice_sender_refuses_calls_alike(tmp_path):
    backend = make_backend(tmp_path, VOICE_SENDER="none")
    for number in (LANDLINE, UNREGISTERED_LANDLINE):
        answer = backend.start_call(number, conversation=number)
        assert answer.status_code == 422 and answer.json() == {"error": "not_callable", "reason": "calls_unavailable"}


def test_call_caps_per_number_per_conversation_and_the_daily_budget(tmp_path):
    backend = make_backend(tmp_path, RESEND_COOLDOWN_SECONDS="0", SENDS_PER_NUMBER_PER_HOUR="10",
                           SENDS_PER_NUMBER_PER_DAY="10", CALLS_PER_NUMBER_PER_DAY="2",
                           CALLS_PER_CONVERSATION_PER_DAY="2", CALL_BUDGET_PER_DAY="5", METRICS_TOKEN="m" * 24)
    metrics = backend.client.app.state.services.metrics
    assert [backend.start_call(UNREGISTERED_LANDLINE, f"n{i}").status_code for i in range(3)] == [202, 202, 429]
    assert [backend.start_call(f"+4822777000{i}", "one-conversation").status_code for i in range(1, 4)] == \
        [202, 202, 429]
    # 4 calls so far: one more fits the budget, then nobody gets a call, whoever asks.
    assert backend.start_call("+48227770009", "x").status_code == 202
    assert backend.start_call(LANDLINE, "y").status_code == 429
    assert backend.start_call("+48227770008", "z").status_code == 429
    # SMS are not calls: the call budget leaves them alone.
    assert backend.start(MOBILE, "sms").status_code == 202
    hits = {s.labels["cap"]: s.value for m in metrics.registry.collect() if m.name == "recovery_call_caps_hit"
            for s in m.samples if s.name.endswith("_total")}
    assert hits == {"number": 1.0, "conversation": 1.0, "daily_budget": 2.0}
    exposed = backend.client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 24}).text
    assert "recovery_call_caps_hit_total" in exposed and "22777" not in exposed


# --- the providers' voice APIs --------------------------------------------------------------

@pytest.fixture
def fakes():
    made = []

    def make(kind, **kwargs):
        made.append(kind(**kwargs))
        return made[-1]
    yield make
    for fake in made:
        fake.close()


def test_smsapi_vms_request_refusals_and_callback(fakes, tmp_path):
    fake = fakes(FakeSmsapiVms)
    sender = SmsapiVoiceSender("good-token", {"pl": "ewa", "en": ""}, "https://x/voice-status", fake.url)
    reference = sender.call(LANDLINE, "Kod: 1. 2. 3.", "pl")
    assert fake.calls[0] == {"to": "48221112233", "text": "Kod: 1. 2. 3.", "voice": "ewa", "reference": reference,
                             "notify_url": "https://x/voice-status"}
    assert sender.languages == ("pl",), "no English voice configured: English calls are read in Polish"
    for bad in (SmsapiVoiceSender("bad-token", {"pl": "ewa"}, "u", fake.url).call,
                SmsapiVoiceSender("good-token", {"pl": "nobody"}, "u", fake.url).call):
        with pytest.raises(ProviderError) as error:
            bad(LANDLINE, "Kod: 1. 2. 3.", "pl")
        assert "221112233" not in str(error.value)
    with pytest.raises(ProviderError):
        sender.call(LANDLINE, "x" * (TTS_LIMIT + 1), "pl")
    with pytest.raises(ProviderError):
        sender.call("+4812", "Kod", "pl")


def test_smsapi_reports_the_call_by_callback(fakes, tmp_path):
    fake = fakes(FakeSmsapiVms)
    backend = make_backend(tmp_path, VOICE_SENDER="smsapi", SMSAPI_TOKEN="good-token", SMSAPI_BASE_URL=fake.url,
                           VOICE_CALLBACK_SECRET=SECRET, PUBLIC_BASE_URL="https://backend.example")
    verification = backend.start_call(LANDLINE).json()["verification_id"]
    backend.client.app.state.services.outbox.join()
    [call] = fake.calls
    assert call["notify_url"] == f"https://backend.example/voice-status/smsapi/{SECRET}"
    assert call_status(backend, verification) == "calling"
    url, report = fake.report(call, "no_answer")
    path = httpx.URL(url).path
    assert backend.client.get(path.replace(SECRET, "wrong-secret-0123456789"), params=report).status_code == 404
    assert backend.client.get(path, params=report).text == "OK"
    assert call_status(backend, verification) == "no_answer"
    assert check(backend, verification, spoken_code(call["text"]))["verified"] is True


def test_serwersms_voice_request_refusals_and_status(fakes, tmp_path):
    fake = fakes(FakeSerwerSmsVoice)
    sender = SerwerSmsVoiceSender("api-token", fake.url)
    reference = sender.call(LANDLINE, "Kod: 1. 2.", "pl")
    assert fake.calls[0]["to"] == LANDLINE and sender.call_status(reference) == "answered"
    with pytest.raises(ProviderError):
        SerwerSmsVoiceSender("wrong", fake.url).call(LANDLINE, "Kod", "pl")
    with pytest.raises(ProviderError):
        sender.call(LANDLINE, "x" * (TTS_LIMIT + 1), "pl")
    with pytest.raises(ProviderError):
        sender.call("48221112233", "Kod", "pl")

    backend = make_backend(tmp_path, VOICE_SENDER="serwersms", SERWERSMS_TOKEN="api-token",
                           SERWERSMS_BASE_URL=fake.url, TWILIO_CHECK_DEADLINE_SECONDS="0.5")
    fake.fate["+48225556677"] = "no_answer"
    verification = backend.start_call("+48225556677", language="en").json()["verification_id"]
    backend.client.app.state.services.outbox.join()
    assert call_status(backend, verification) == "no_answer"
    assert "Dzień dobry" in fake.calls[-1]["text"], "SerwerSMS speaks Polish only"


@pytest.mark.parametrize("fate, status", [("answered", "answered"), ("busy", "busy"), ("no_answer", "no_answer"),
                                          ("failed", "failed"), ("calling", "calling")])
def test_twilio_verify_calls_in_the_conversation_language_and_reports_the_call(fakes, tmp_path, fate, status):
    fake = fakes(FakeTwilioVerify)
    backend = make_backend(tmp_path, VOICE_SENDER="twilio_verify", TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t",
                           TWILIO_VERIFY_SERVICE_SID="VA1", TWILIO_BASE_URL=fake.url,
                           TWILIO_CHECK_DEADLINE_SECONDS="0.5")
    fake.fate[LANDLINE] = fate
    verification = backend.start_call(LANDLINE, language="en").json()["verification_id"]
    backend.client.app.state.services.outbox.join()
    [call] = fake.calls
    assert call["channel"] == "call" and call["voice"] == "en" and call["to"] == LANDLINE
    assert call_status(backend, verification) == status
    assert check(backend, verification, call["text"])["verified"] is True


def test_twilio_refusals_become_provider_errors(fakes):
    fake = fakes(FakeTwilioVerify)
    with pytest.raises(ProviderError):
        TwilioVerifier("AC1", "wrong", "VA1", fake.url).start(LANDLINE, channel="call", locale="pl")
    with pytest.raises(ProviderError):
        TwilioVerifier("AC1", "t", "VA1", fake.url).start("48221112233", channel="call", locale="pl")
    with pytest.raises(ProviderError):
        TwilioVerifier("AC1", "t", "VA1", fake.url).start(LANDLINE, channel="call", locale="xx")
