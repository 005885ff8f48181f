"""The backend client against the real backend on loopback, and against
servers that are down, slow or broken."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from actions.backend_client import (BackendClient, BackendUnavailable, InvalidInput, RateLimited,
                                    TokenInvalid)
from actions.settings import BackendSettings
from tests.stack import free_port


@pytest.fixture
def client(services):
    return BackendClient(BackendSettings(services.backend_url, services.api_key, 2, 5))


def test_whole_recovery_through_the_client(client, services, sender_id):
    started = client.start_verification("+48 603 456 789", sender_id, "rest")
    code = services.latest_code("+48603456789")
    assert client.check_code(started.verification_id, "000000" if code != "000000" else "111111").verified is False
    checked = client.check_code(started.verification_id, code)
    assert checked.verified and checked.token
    assert client.email_hint(checked.token) == "pi***@e***.com"
    with pytest.raises(InvalidInput) as same:
        client.change_email(checked.token, "piotr.w@example.com", "rest")
    assert same.value.code == "same_email"
    change = client.change_email(checked.token, "piotr@nowy.pl", "rest")
    assert change.status == "confirmation_sent" and change.masked_new_email == "pi***@n***.pl"
    with pytest.raises(TokenInvalid):  # the backend revokes the proof once the change is requested
        client.email_hint(checked.token)
    with pytest.raises(TokenInvalid):
        client.email_hint("forged")


def test_rate_limit_becomes_a_domain_error(client, sender_id):
    client.start_verification("+48 609 111 222", sender_id, "rest")
    with pytest.raises(RateLimited) as limited:
        client.start_verification("+48 609 111 222", sender_id + "-2", "rest")
    assert limited.value.retry_after > 0


def test_cases_documents_office_hours(client, sender_id):
    case = client.create_case("documents", sender_id, "rest", "summary", account_type="private",
                              contact_email="anna@example.org")
    assert case.case_number.startswith("ODZ-")
    assert client.documents("company").send_to == "info@kylos.pl"
    assert client.office_hours().hours_text


def test_wrong_key_is_an_outage_not_a_crash(services):
    with pytest.raises(BackendUnavailable):
        BackendClient(BackendSettings(services.backend_url, "wrong", 2, 5)).office_hours()


def test_backend_down():
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{free_port()}", "key", 0.5, 0.5))
    with pytest.raises(BackendUnavailable):
        client.office_hours()


class _Handler(http.server.BaseHTTPRequestHandler):
    calls = 0
    behaviour = "slow"

    def _answer(self):
        type(self).calls += 1
        if self.behaviour == "slow":
            time.sleep(1.5)
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


def test_slow_backend_times_out(misbehaving_server):
    _Handler.behaviour, _Handler.calls = "slow", 0
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{misbehaving_server.server_port}", "k", 0.5, 0.3))
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        client.start_verification("+48601234567", "c", "rest")
    assert time.monotonic() - started < 1.4 and _Handler.calls == 1, "a POST is never retried"


def test_broken_backend_reads_are_retried_then_reported(misbehaving_server):
    _Handler.behaviour, _Handler.calls = "unavailable", 0
    client = BackendClient(BackendSettings(f"http://127.0.0.1:{misbehaving_server.server_port}", "k", 0.5, 1))
    with pytest.raises(BackendUnavailable):
        client.office_hours()
    assert _Handler.calls == 3
    _Handler.behaviour, _Handler.calls = "broken", 0
    with pytest.raises(BackendUnavailable):
        client.documents("private")
    assert _Handler.calls == 1
