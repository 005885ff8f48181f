"""The backend client against the real backend on loopback, and against
servers that are down, slow or broken. Its methods are coroutines whose
blocking HTTP runs in a thread pool, so a slow backend never stalls the
action server's event loop."""
from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time

import pytest

from actions.backend_client import (
    BackendClient,
    BackendUnavailable,
    CaseRequest,
    InvalidInput,
    NotCallable,
    NotFound,
    RateLimited,
    TokenInvalid,
    within,
)
from actions.settings import BackendSettings
from devstack import free_port


@pytest.fixture
def client(services):
    return BackendClient(BackendSettings(services.backend_url, services.api_key, 2, 5))


async def test_whole_recovery_through_the_client(client, services, sender_id):
    started = await client.start_verification("+48 603 456 789", sender_id, "rest")
    code = services.latest_code("+48603456789")
    wrong = "000000" if code != "000000" else "111111"
    assert (await client.check_code(started.verification_id, wrong)).verified is False
    checked = await client.check_code(started.verification_id, code)
    assert checked.verified and checked.token
    assert checked.token_expires_in > 0
    assert (await client.email_hint(checked.token, sender_id)).masked_email == "pi***@e***.com"
    assert (await client.check_email(checked.token, sender_id, "piotr.w@example.com")).matches is True
    with pytest.raises(InvalidInput) as same:
        await client.change_email(checked.token, sender_id, "piotr.w@example.com", "rest")
    assert same.value.code == "same_email"
    change = await client.change_email(checked.token, sender_id, "piotr@nowy.pl", "rest")
    assert change.status == "confirmation_sent" and change.masked_new_email == "pi***@n***.pl"
    assert change.applies_after is None or change.applies_after.tzinfo is not None
    with pytest.raises(TokenInvalid):  # the backend revokes the proof once the change is requested
        await client.email_hint(checked.token, sender_id)
    with pytest.raises(TokenInvalid):
        await client.email_hint("forged", sender_id)


async def test_a_call_reads_the_code_and_its_status_comes_back(client, services, sender_id):
    started = await client.start_verification("+48 22 555 66 77", sender_id, "rest", delivery="call", language="en")
    code = services.latest_code("+48225556677")
    assert services.calls("+48225556677")[-1]["language"] == "en"
    assert (await client.call_status(started.verification_id)).status == "answered"
    assert (await client.check_code(started.verification_id, code)).verified
    with pytest.raises(NotCallable) as refused:
        await client.start_verification("+48 701 234 567", sender_id, "rest", delivery="call")
    assert refused.value.reason == "special_number"
    with pytest.raises(NotFound):
        await client.call_status("no-such-verification")


async def test_rate_limit_becomes_a_domain_error(client, sender_id):
    await client.start_verification("+48 609 111 222", sender_id, "rest")
    with pytest.raises(RateLimited) as limited:
        await client.start_verification("+48 609 111 222", sender_id + "-2", "rest")
    assert limited.value.retry_after > 0


async def test_cases_documents_office_hours(client, sender_id):
    case = await client.create_case(CaseRequest("documents", sender_id, "rest", "summary", account_type="private",
                                                contact_email="anna@example.org"))
    assert case.case_number.startswith("ODZ-") and case.handled_from.tzinfo is not None
    contact = await client.update_case_contact(case.case_number, sender_id, "anna.nowak@example.org")
    assert contact.case_number == case.case_number and "anna.nowak" not in contact.contact_email
    with pytest.raises(NotFound):
        await client.update_case_contact(case.case_number, sender_id + "-other", "anna.nowak@example.org")
    documents = await client.documents("company")
    assert documents.account_type == "company" and documents.send_to == "info@kylos.pl" and documents.documents
    hours = await client.office_hours()
    assert hours.hours_text and hours.next_opening >= hours.now


async def test_wrong_key_is_an_outage_not_a_crash(services):
    with pytest.raises(BackendUnavailable):
        await BackendClient(BackendSettings(services.backend_url, "wrong", 2, 5)).office_hours()


async def test_backend_down():
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{free_port()}", "key", 0.5, 0.5))
    with pytest.raises(BackendUnavailable):
        await client.office_hours()


# 200 answers that break the contract: a field missing, a field of the wrong type, a bad date.
OFF_CONTRACT = {
    "missing": {"open_now": True, "now": "2026-11-24T10:00:00+01:00", "hours_text": "pn-pt 9-17"},
    "wrong_type": {"open_now": "yes", "now": "2026-11-24T10:00:00+01:00",
                   "next_opening": "2026-11-24T10:00:00+01:00", "hours_text": "pn-pt 9-17"},
    "bad_date": {"open_now": True, "now": "wtorek", "next_opening": "2026-11-24T10:00:00+01:00",
                 "hours_text": "pn-pt 9-17"},
}


class _Handler(http.server.BaseHTTPRequestHandler):
    calls = 0
    behaviour = "slow"

    def _answer(self):
        type(self).calls += 1
        if self.behaviour in OFF_CONTRACT:
            body = json.dumps(OFF_CONTRACT[self.behaviour]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.behaviour == "slow":
            time.sleep(3)
        self.send_response(500 if self.behaviour == "broken" else 503)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>oops</html>")

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def misbehaving_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


async def test_one_deadline_for_all_calls_of_an_action(misbehaving_server):
    _Handler.behaviour, _Handler.calls = "slow", 0
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{misbehaving_server.server_port}", "k", 0.5, 5))
    started = time.monotonic()
    with within(0.8):
        with pytest.raises(BackendUnavailable):
            await client.start_verification("+48601234567", "c", "rest")
        with pytest.raises(BackendUnavailable):
            await client.office_hours()
    assert time.monotonic() - started < 2.5, "two calls to a 3 s server share one 0.8 s deadline"
    assert _Handler.calls == 1, "nothing is retried, and nothing is sent once the deadline has passed"


async def test_errors_are_reported_without_retries(misbehaving_server):
    for behaviour in ("unavailable", "broken"):
        _Handler.behaviour, _Handler.calls = behaviour, 0
        client = BackendClient(BackendSettings(f"http://127.0.0.1:{misbehaving_server.server_port}", "k", 0.5, 1))
        with pytest.raises(BackendUnavailable):
            await client.office_hours()
        assert _Handler.calls == 1


@pytest.mark.parametrize("behaviour", list(OFF_CONTRACT))
async def test_an_answer_off_the_contract_is_an_outage_not_a_crash(misbehaving_server, behaviour):
    _Handler.behaviour = behaviour
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{misbehaving_server.server_port}", "k", 0.5, 1))
    with pytest.raises(BackendUnavailable):
        await client.office_hours()


async def test_a_slow_backend_does_not_block_the_event_loop(misbehaving_server):
    _Handler.behaviour = "slow"
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{misbehaving_server.server_port}", "k", 0.5, 2))
    ticks = 0

    async def tick():
        nonlocal ticks
        for _ in range(10):
            await asyncio.sleep(0.05)
            ticks += 1

    slow = asyncio.ensure_future(client.office_hours())
    await tick()
    assert ticks == 10, "other coroutines ran while the backend call was waiting"
    with pytest.raises(BackendUnavailable):
        await slow
