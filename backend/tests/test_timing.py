"""Issue 9 H1 and H2: neither a start nor a code check tells by its timing whether the number
has an account, even when WHMCS and Twilio Verify take 50 ms to answer; issue 17 #5: nor when
Twilio takes longer than the deadline (2 s), and a hanging Twilio holds none of the server's threads.

The machine running the tests is shared and busy, so samples are interleaved (every kind sees
the same load) and taken in batches until the medians are precise: a real difference (the
50 ms of an upstream call) never passes, however many samples."""
from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import statistics
import time

import httpx
import pytest
from conftest import API_KEY, BackendProcess, make_backend
from fake_voice import FakeSerwerSmsVoice, FakeTwilioVerify
from fake_whmcs import IDENTIFIER, SECRET, FakeWhmcs

from devstack.fake_http import FakeHttpServer

ROUNDS, BATCHES, LIMIT = 8, 4, 0.002


def assert_same_timing(measure, kinds) -> None:
    """`measure(kind, index)` returns seconds. Every round measures each kind once, back to back (the
    first kind rotating); for each pair of kinds the median of the per-round differences must be
    under LIMIT. On a machine shared with other test runs, single samples are preempted at random
    (a bimodal 1 ms / 5 ms spread), which makes plain medians jump between the modes; paired
    differences cancel that load and still show a real difference such as a 50 ms upstream call
    in every round. More rounds are taken while the estimate is not yet under LIMIT."""
    timings = {kind: [] for kind in kinds}
    gc.disable()  # a collection pause lands on one sample at random: noise, not signal
    try:
        for batch in range(BATCHES):
            for i in range(batch * ROUNDS, (batch + 1) * ROUNDS):
                for kind in kinds[i % len(kinds):] + kinds[:i % len(kinds)]:
                    timings[kind].append(measure(kind, i))
            worst = max(abs(statistics.median(a - b for a, b in zip(timings[x], timings[y], strict=True)))
                        for x in kinds for y in kinds if x < y)
            if worst < LIMIT:
                return
    finally:
        gc.enable()
    medians = {kind: round(statistics.median(values) * 1000, 2) for kind, values in timings.items()}
    raise AssertionError(f"paired medians differ by {worst * 1000:.2f} ms (medians {medians} ms)")


@pytest.fixture
def whmcs():
    fake = FakeWhmcs()
    for i in range(ROUNDS * BATCHES):
        fake.add_client(100 + i, f"+48 601 00{i:04d}", f"mobile{i}@example.pl")
        fake.add_client(1000 + i, f"22 111 {i:04d}", f"landline{i}@example.pl")
    yield fake
    fake.close()


def test_starts_take_as_long_for_registered_unregistered_and_landline_numbers(tmp_path, whmcs):
    backend = make_backend(tmp_path, ACCOUNT_SOURCE="whmcs", WHMCS_URL=whmcs.url, WHMCS_IDENTIFIER=IDENTIFIER,
                           WHMCS_SECRET=SECRET)
    accounts = backend.client.app.state.services.accounts
    deadline = time.monotonic() + 60
    while accounts.index_age() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the first sync runs in the background at start
    assert accounts.account_id_for_phone("+48601000003") == 103
    whmcs.latency = 0.05
    numbers = {"registered": "+4860100{:04d}", "unregistered": "+4860900{:04d}", "landline": "+4822111{:04d}"}
    backend.start("+48609990000", "warm-up")
    verification = backend.client.app.state.services.verification
    # The outbox workers poll the database in the background; they are stopped so that their
    # transactions don't land on samples at random (what they send is measured by test_outbox.py).
    backend.client.app.state.services.outbox.join()
    backend.client.app.state.services.outbox.stop()

    def measure(kind, i):
        # The work behind POST /phone-verifications, timed without the HTTP layer around it, which is the
        # same code for every number and on a busy machine only adds noise.
        started = time.perf_counter()
        verification.start(numbers[kind].format(i), f"timing-{kind}-{i}", "rest")
        return time.perf_counter() - started

    assert_same_timing(measure, list(numbers))
    assert backend.start("+48609990001", "over-http").status_code == 202
    details = [action for action in whmcs.actions if action[0] == "GetClientsDetails"]
    assert len(details) == len(whmcs.clients), "only the start-up sync asked WHMCS for client details"


def twilio_with_latency(latency: dict):
    def respond(seen):
        time.sleep(latency["seconds"] if seen.path.endswith("/VerificationCheck") else 0)
        form = seen.form()
        if seen.path.endswith("/Verifications"):
            return 201, {"sid": "VE1", "to": form["To"], "channel": "sms", "status": "pending"}
        return 200, {"sid": "VE1", "status": "pending", "valid": False}
    return respond


TWILIO = {"SMS_SENDER": "twilio_verify", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t",
          "TWILIO_VERIFY_SERVICE_SID": "VA1"}


@pytest.mark.parametrize("twilio_latency", [0.05, 2.0], ids=["twilio-50ms", "twilio-2s-over-the-deadline"])
def test_code_checks_take_as_long_whatever_the_number(tmp_path, twilio_latency):
    """Issue 17 #5: with Twilio at 2 s a registered number's check took 506 ms longer (it waited for
    Twilio past the deadline); now it answers at the deadline like every other, in the same words."""
    twilio = FakeHttpServer(twilio_with_latency({"seconds": twilio_latency}))
    loop = asyncio.new_event_loop()
    try:
        # Every measured check counts a try (none is spent), so each is an answer that waits.
        backend = make_backend(tmp_path, **TWILIO, TWILIO_CHECK_DEADLINE_SECONDS="0.3", TWILIO_BASE_URL=twilio.url,
                               MAX_WRONG_TRIES="100")
        phones = {"registered": ["+48601234567", "+48602345678", "+48603456789", "+48604111222"],
                  "unregistered": ["+48609999001", "+48609999002", "+48609999003", "+48609999004"],
                  "landline": ["+48221112233", "+48225556677", "+48221234567", "+48227654321"]}
        verifications = {kind: [backend.start(phone, f"check-{phone}").json()["verification_id"] for phone in numbers]
                         for kind, numbers in phones.items()}
        backend.client.app.state.services.outbox.join()
        service = backend.client.app.state.services.verification

        def measure(kind, i):
            # The work behind POST …/check, without the HTTP layer (the same code for every number).
            started = time.perf_counter()
            answer = loop.run_until_complete(service.check(verifications[kind][i % 4], "123456"))
            elapsed = time.perf_counter() - started
            assert answer.verified is False and answer.reason == "wrong_code"
            return elapsed

        assert_same_timing(measure, list(phones))
        answers = {kind: backend.post(f"/api/v1/phone-verifications/{verifications[kind][0]}/check",
                                      {"code": "123456"}) for kind in phones}
        assert len({(answer.status_code, answer.text) for answer in answers.values()}) == 1, answers
        assert answers["registered"].json()["verified"] is False
        assert any(seen.path.endswith("/VerificationCheck") for seen in twilio.seen)
    finally:
        loop.close()
        twilio.close()


def test_a_code_twilio_approves_after_the_deadline_verifies_when_typed_again(tmp_path):
    """The answer at the deadline cannot wait for a slow Twilio, which approves a code only once:
    its late approval is kept, so the customer told "wrong code" succeeds with the same code."""
    twilio = FakeTwilioVerify()
    try:
        backend = make_backend(tmp_path, **TWILIO, TWILIO_CHECK_DEADLINE_SECONDS="0.3", TWILIO_BASE_URL=twilio.url)
        verification = backend.start("+48601234567").json()["verification_id"]
        backend.client.app.state.services.outbox.join()
        twilio.latency = 0.8
        check = f"/api/v1/phone-verifications/{verification}/check"
        first = backend.post(check, {"code": twilio.codes["+48601234567"]}).json()
        assert first == {"verified": False, "tries_left": 4, "reason": "wrong_code"}
        time.sleep(1.2)  # Twilio has approved it meanwhile
        asked = len(twilio.gateway.seen)
        again = backend.post(check, {"code": twilio.codes["+48601234567"]}).json()
        assert again["verified"] is True and again["token"]
        assert len(twilio.gateway.seen) == asked, "Twilio, which forgot the approved code, was not asked again"
        assert backend.post(check, {"code": twilio.codes["+48601234567"]}).json()["reason"] == "expired"
    finally:
        twilio.close()


def test_a_twilio_failure_after_the_deadline_leaves_no_stray_error_in_the_log(tmp_path):
    def failing_late(seen):
        if seen.path.endswith("/VerificationCheck"):
            time.sleep(0.6)
            return 503, {"code": 20503, "message": "Service unavailable", "status": 503}
        return 201, {"sid": "VE1", "status": "pending"}

    twilio = FakeHttpServer(failing_late)
    loop = asyncio.new_event_loop()  # one loop that runs on, as the server's does
    stray = []
    loop.set_exception_handler(lambda _loop, context: stray.append(context["message"]))
    try:
        backend = make_backend(tmp_path, **TWILIO, TWILIO_CHECK_DEADLINE_SECONDS="0.3", TWILIO_BASE_URL=twilio.url)
        verification = backend.start("+48601234567").json()["verification_id"]
        backend.client.app.state.services.outbox.join()
        service = backend.client.app.state.services.verification
        answer = loop.run_until_complete(service.check(verification, "123456"))
        assert (answer.verified, answer.tries_left, answer.reason) == (False, 4, "wrong_code")
        loop.run_until_complete(asyncio.sleep(0.8))  # Twilio's failure comes back to nobody
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0.05))
        assert stray == []
    finally:
        loop.close()
        twilio.close()


def test_a_check_whose_tries_are_spent_answers_at_once_without_asking_twilio(tmp_path):
    twilio = FakeTwilioVerify(latency=2.0)
    try:
        backend = make_backend(tmp_path, **TWILIO, TWILIO_CHECK_DEADLINE_SECONDS="0.5", TWILIO_BASE_URL=twilio.url,
                               MAX_WRONG_TRIES="2")
        twilio.latency = 0
        verification = backend.start("+48601234567").json()["verification_id"]
        backend.client.app.state.services.outbox.join()
        twilio.latency = 2.0
        check = f"/api/v1/phone-verifications/{verification}/check"
        for left in (1, 0):
            started = time.perf_counter()
            assert backend.post(check, {"code": "111111"}).json()["tries_left"] == left
            assert time.perf_counter() - started >= 0.5
        asked = len(twilio.gateway.seen)
        for unasked in (verification, "no-such-verification"):
            started = time.perf_counter()
            answer = backend.post(f"/api/v1/phone-verifications/{unasked}/check", {"code": "111111"}).json()
            assert time.perf_counter() - started < 0.25, "answered at once, not at the 0.5 s deadline"
            assert answer["verified"] is False and answer["reason"] in ("too_many_tries", "expired")
        assert len(twilio.gateway.seen) == asked
    finally:
        twilio.close()


def test_sixty_four_checks_hanging_on_twilio_hold_up_no_other_answer(tmp_path):
    """Issue 17 #5: each check held a server thread for the whole deadline (and Twilio's 2 s), so 64 of
    them pushed /healthz past 1.1 s (2 s measured here before the fix). The real process, as users run it."""
    twilio = FakeTwilioVerify()
    lots = "100000/minute"
    backend = BackendProcess(tmp_path, **TWILIO, TWILIO_BASE_URL=twilio.url, TWILIO_CHECK_DEADLINE_SECONDS="1.5",
                             START_LIMITS_PER_CLIENT=lots, START_LIMITS_GLOBAL=lots, CHECK_LIMITS_PER_CLIENT=lots,
                             CHECK_LIMITS_GLOBAL=lots, RESEND_COOLDOWN_SECONDS="0", SENDS_PER_NUMBER_PER_HOUR="1000",
                             SENDS_PER_NUMBER_PER_DAY="1000", SENDS_PER_NUMBER_PER_DAY_ALL_CLIENTS="1000",
                             STARTS_PER_CONVERSATION_PER_HOUR="1000", SMS_DAILY_BUDGET="100000").start()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    with httpx.Client(base_url=backend.url, headers={"X-API-Key": API_KEY}, timeout=30, limits=limits) as client, \
            concurrent.futures.ThreadPoolExecutor(64) as pool:
        try:
            ids = [client.post("/api/v1/phone-verifications", json={"phone": "+48601234567", "conversation_id": f"c{i}"})
                   .json()["verification_id"] for i in range(64)]
            client.get("/healthz")
            twilio.latency = 2.0

            def check(verification):
                started = time.perf_counter()
                answer = client.post(f"/api/v1/phone-verifications/{verification}/check", json={"code": "111111"})
                return answer, time.perf_counter() - started

            checks = [pool.submit(check, verification) for verification in ids]
            time.sleep(0.3)  # all 64 are waiting for Twilio now
            others = []
            for path in ["/healthz", "/readyz", "/api/v1/health"] * 3:
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                others.append(time.perf_counter() - started)
            answers = [future.result() for future in checks]
        finally:
            backend.stop()
            twilio.close()
    assert max(others) < 0.3, f"other answers took {max(others) * 1000:.0f} ms while 64 checks hung"
    assert {answer.json()["reason"] for answer, _elapsed in answers} == {"wrong_code"}
    assert max(elapsed for _answer, elapsed in answers) < 1.5 + 1.0, "every check answered about the deadline"
    assert sum(seen.path.endswith("/VerificationCheck") for seen in twilio.gateway.seen) >= 16


def test_call_starts_take_as_long_for_registered_and_unregistered_landlines(tmp_path, whmcs):
    """Issue 21: the same for a call, WHMCS and the voice provider each taking 50 ms."""
    voice = FakeTwilioVerify(latency=0.05)
    try:
        backend = make_backend(tmp_path, ACCOUNT_SOURCE="whmcs", WHMCS_URL=whmcs.url, WHMCS_IDENTIFIER=IDENTIFIER,
                               WHMCS_SECRET=SECRET, VOICE_SENDER="twilio_verify", TWILIO_ACCOUNT_SID="AC1",
                               TWILIO_AUTH_TOKEN="t", TWILIO_VERIFY_SERVICE_SID="VA1", TWILIO_BASE_URL=voice.url,
                               CALLS_PER_CONVERSATION_PER_DAY="1000", CALL_BUDGET_PER_DAY="1000")
        services = backend.client.app.state.services
        deadline = time.monotonic() + 60
        while services.accounts.index_age() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert services.accounts.account_id_for_phone("+48221110003") == 1003
        whmcs.latency = 0.05
        numbers = {"registered": "+4822111{:04d}", "unregistered": "+4822888{:04d}"}
        services.verification.start("+48229990000", "warm-up", "rest", delivery="call")
        services.outbox.join()
        services.outbox.stop()  # as for SMS: their work is measured by test_outbox.py

        def measure(kind, i):
            started = time.perf_counter()
            services.verification.start(numbers[kind].format(i), f"call-{kind}-{i}", "rest", delivery="call")
            return time.perf_counter() - started

        assert_same_timing(measure, list(numbers))
    finally:
        voice.close()


VOICE_PROVIDERS = {
    "twilio": (FakeTwilioVerify, {"VOICE_SENDER": "twilio_verify", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t",
                                  "TWILIO_VERIFY_SERVICE_SID": "VA1"}, "TWILIO_BASE_URL", "/v2/Attempts"),
    "serwersms": (FakeSerwerSmsVoice, {"VOICE_SENDER": "serwersms", "SERWERSMS_TOKEN": FakeSerwerSmsVoice.TOKEN},
                  "SERWERSMS_BASE_URL", "/messages/reports"),
}


@pytest.mark.parametrize("provider, latency", [("twilio", 0.05), ("twilio", 2.0), ("serwersms", 2.0)],
                         ids=["twilio-50ms", "twilio-2s-over-the-deadline", "serwersms-2s-over-the-deadline"])
def test_call_status_answers_take_as_long_whatever_the_number(tmp_path, provider, latency):
    """A status asked of the provider (50 ms, or 2 s: past the deadline) and one of a number that
    got no call answer alike; SerwerSMS is asked for statuses the same way as Twilio."""
    fake, env, base_url, status_path = VOICE_PROVIDERS[provider]
    voice = fake()
    loop = asyncio.new_event_loop()
    try:
        backend = make_backend(tmp_path, **env, **{base_url: voice.url}, TWILIO_CHECK_DEADLINE_SECONDS="0.3")
        voice.fate["+48221112233"] = "calling"  # still ringing: every status is asked of the provider
        registered = backend.start_call("+48221112233", "a").json()["verification_id"]
        unregistered = backend.start_call("+48227770000", "b").json()["verification_id"]
        backend.client.app.state.services.outbox.join()
        voice.latency = latency
        service = backend.client.app.state.services.verification
        ids = {"registered": registered, "unregistered": unregistered}

        def measure(kind, i):
            started = time.perf_counter()
            assert loop.run_until_complete(service.call_status(ids[kind])) == "calling"
            return time.perf_counter() - started

        assert_same_timing(measure, list(ids))
        assert any(status_path in seen.path for seen in voice.gateway.seen)
    finally:
        loop.close()
        voice.close()
