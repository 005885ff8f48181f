"""Issue 17 #1: what the anonymous chat can make the backend do for free is limited per client
(the `X-Client-Key` the action server passes on) and for everybody, answers say when to try again
(`Retry-After` and `retry_after`), and an operator's daily SMS budget holds. The audit's attack
rerun: 15 cases and 15 verification starts from one client within a few seconds."""
from __future__ import annotations

import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import API_KEY, BackendProcess, make_backend

CLIENT = "198.51.100.23"


def case(backend, conversation, client=CLIENT):
    return backend.client.post("/api/v1/cases", headers={"X-API-Key": API_KEY, "X-Client-Key": client}, json={
        "reason": "human_handoff", "channel": "socketio", "conversation_id": conversation, "summary": "pomocy"})


def test_fifteen_cases_in_two_seconds_from_one_client_are_limited(backend):
    started = time.monotonic()
    answers = [case(backend, f"sio:attack-{i}") for i in range(15)]
    assert time.monotonic() - started < 2.3 * 3  # the attack's pace (a loaded machine gets slack)
    assert [a.status_code for a in answers] == [201] * 5 + [429] * 10
    refused = answers[-1]
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) == refused.json()["retry_after"] > 0
    assert case(backend, "sio:someone-else", client="203.0.113.5").status_code == 201, "other clients unaffected"
    assert len(backend.client.app.state.services.cases.all()) == 6


def test_fifteen_starts_in_two_seconds_from_one_client_are_limited(backend):
    answers = [backend.start(f"+4860900{i:04d}", f"sio:attack-{i}", client=CLIENT) for i in range(15)]
    assert [a.status_code for a in answers] == [202] * 10 + [429] * 5
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert backend.start("+48609990000", "sio:other", client="203.0.113.5").status_code == 202


def test_global_limits_hold_whatever_the_client(tmp_path):
    backend = make_backend(tmp_path, START_LIMITS_GLOBAL="4/minute", CASE_LIMITS_GLOBAL="2/minute")
    starts = [backend.start(f"+4860900{i:04d}", f"g-{i}", client=f"203.0.113.{i}").status_code for i in range(6)]
    cases = [case(backend, f"g-{i}", client=f"203.0.113.{i}").status_code for i in range(4)]
    assert (starts, cases) == ([202] * 4 + [429] * 2, [201] * 2 + [429] * 2)


def test_none_turns_a_limit_off_and_an_empty_variable_keeps_the_default(tmp_path):
    off = make_backend(tmp_path / "off", START_LIMITS_GLOBAL="none", START_LIMITS_PER_CLIENT="none")
    assert {off.start(f"+4860901{i:04d}", f"n-{i}", client=CLIENT).status_code for i in range(12)} == {202}
    kept = make_backend(tmp_path / "kept", START_LIMITS_PER_CLIENT="")
    answers = [kept.start(f"+4860902{i:04d}", f"e-{i}", client=CLIENT).status_code for i in range(12)]
    assert answers == [202] * 10 + [429] * 2


def test_the_daily_sms_budget_stops_sending_and_starts(tmp_path):
    backend = make_backend(tmp_path, SMS_DAILY_BUDGET="2")
    for phone in ("+48601234567", "+48602345678"):
        assert backend.start(phone, f"budget-{phone}", client=f"c-{phone}").status_code == 202
        backend.client.app.state.services.outbox.join()
    spent = backend.start("+48603456789", "budget-3", client="c-3")
    assert spent.status_code == 429 and spent.json()["retry_after"] > 23 * 3600
    assert backend.start("+48609999888", "budget-4", client="c-4").status_code == 429, "the same for every number"
    assert len(backend.sms()) == 2


@pytest.fixture
def limited_service(tmp_path, database_url):
    """The backend as a process; with PostgreSQL, the limits in Redis as several replicas would share them."""
    env = {"DATABASE_URL": database_url}
    if database_url.startswith("postgresql"):
        redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
        try:
            import redis
            redis.Redis.from_url(redis_url).ping()
        except Exception:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip("Redis is not running here")
        env.update(RATE_LIMIT_STORAGE=redis_url, RATE_LIMIT_KEY_PREFIX=f"test-{secrets.token_hex(4)}")
    service = BackendProcess(tmp_path, **env).start()
    yield service
    service.stop()


def test_limits_hold_under_forty_parallel_requests(limited_service):
    with httpx.Client(base_url=limited_service.url, headers={"X-API-Key": API_KEY, "X-Client-Key": CLIENT},
                      timeout=30) as client:
        def start(i):
            return client.post("/api/v1/phone-verifications",
                               json={"phone": f"+4860900{i:04d}", "conversation_id": f"sio:p-{i}"}).status_code

        def open_case(i):
            return client.post("/api/v1/cases", json={"reason": "documents", "channel": "socketio",
                                                      "conversation_id": f"sio:c-{i}", "summary": "s"}).status_code
        with ThreadPoolExecutor(40) as pool:
            starts = sorted(pool.map(start, range(40)))
            cases = sorted(pool.map(open_case, range(40)))
    assert starts == [202] * 10 + [429] * 30
    assert cases == [201] * 5 + [429] * 35
