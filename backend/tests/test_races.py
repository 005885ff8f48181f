"""Issue 9 M1, M2, L1: limits that hold under parallel requests, on SQLite and PostgreSQL,
against the backend as a real process (uvicorn's thread pool runs requests in parallel)."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conftest import API_KEY, CODE, BackendProcess, make_backend

HEADERS = {"X-API-Key": API_KEY}
REGISTERED, OTHER, UNREGISTERED = "+48601234567", "+48602345678", "+48609999888"


@pytest.fixture
def service(tmp_path, database_url, request):
    extra = getattr(request, "param", {})
    running = BackendProcess(tmp_path, DATABASE_URL=database_url, **extra).start()
    running.tmp_path = tmp_path
    yield running
    running.stop()


def parallel(calls, workers=40):
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def sent_sms(tmp_path):
    path = tmp_path / "sms.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for_code(tmp_path, phone):
    import time
    for _ in range(100):
        mine = [m for m in sent_sms(tmp_path) if m["to"] == phone]
        if mine:
            return CODE.search(mine[-1]["text"]).group(1)
        time.sleep(0.05)
    raise AssertionError("no SMS")


def test_forty_parallel_guesses_get_five_tries_and_forty_starts_one_sms(service, tmp_path):
    with httpx.Client(base_url=service.url, headers=HEADERS, timeout=30) as client:
        verification = client.post("/api/v1/phone-verifications",
                                   json={"phone": REGISTERED, "conversation_id": "race"}).json()["verification_id"]
        code = wait_for_code(tmp_path, REGISTERED)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        answers = parallel([lambda: client.post(f"/api/v1/phone-verifications/{verification}/check",
                                                json={"code": wrong}).json()] * 40)
        assert not any(a["verified"] for a in answers)
        evaluated = sorted(a["tries_left"] for a in answers if a["tries_left"] > 0)
        assert evaluated == [1, 2, 3, 4], "exactly five guesses were compared (the fifth left 0 tries)"
        late = client.post(f"/api/v1/phone-verifications/{verification}/check", json={"code": code}).json()
        assert late == {"verified": False, "tries_left": 0, "reason": "too_many_tries"}

        statuses = parallel([lambda i=i: client.post("/api/v1/phone-verifications", json={
            "phone": OTHER, "conversation_id": f"race-{i}"}).status_code for i in range(40)])
        assert sorted(statuses) == [202] + [429] * 39
        wait_for_code(tmp_path, OTHER)
    assert len([m for m in sent_sms(tmp_path) if m["to"] == OTHER]) == 1


def test_the_hourly_cap_holds_under_parallel_starts(tmp_path, database_url):
    # In process: uvicorn's thread pool is what runs requests in parallel there too.
    backend = make_backend(tmp_path, DATABASE_URL=database_url, RESEND_COOLDOWN_SECONDS="0")
    statuses = parallel([lambda i=i: backend.start(UNREGISTERED, f"cap-{i}").status_code for i in range(40)])
    assert sorted(statuses) == [202] * 3 + [429] * 37


def test_daily_cap_per_number(tmp_path):
    statuses = []
    for hour in range(8):  # one start every 70 minutes: never the cooldown or the hourly cap
        minutes = hour * 70
        backend = make_backend(tmp_path, RECOVERY_NOW=f"2026-11-24T{8 + minutes // 60:02d}:{minutes % 60:02d}:00+01:00")
        statuses.append(backend.start(UNREGISTERED, f"day-{hour}").status_code)
    assert statuses == [202] * 6 + [429] * 2
    tomorrow = make_backend(tmp_path, RECOVERY_NOW="2026-11-25T08:00:01+01:00")
    assert tomorrow.start(UNREGISTERED, "next-day").status_code == 202


@pytest.mark.parametrize("phone", [REGISTERED, UNREGISTERED])
def test_a_number_is_locked_and_reported_after_three_burned_codes(tmp_path, phone):
    for round_ in range(3):
        backend = make_backend(tmp_path, RECOVERY_NOW=f"2026-11-24T1{round_}:00:00+01:00")
        verification = backend.start(phone, f"lock-{round_}").json()["verification_id"]
        for _ in range(5):
            backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "000000"})
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T13:00:00+01:00")
    locked = later.start(phone, "lock-3")
    assert locked.status_code == 429 and locked.json()["retry_after"] > 3600
    actions = [entry["action"] for entry in later.client.app.state.services.audit.entries()]
    assert actions.count("number_locked") == 1
    assert make_backend(tmp_path, RECOVERY_NOW="2026-11-25T10:00:01+01:00").start(phone, "lock-4").status_code == 202


def test_full_width_digits_are_the_same_code(backend):
    verification = backend.start(REGISTERED).json()["verification_id"]
    code = backend.code_for(REGISTERED)
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in code)
    spaced = f"{full_width[:3]} {full_width[3:]}"
    result = backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": spaced}).json()
    assert result["verified"] is True


def test_call_caps_and_the_daily_budget_hold_under_forty_parallel_starts(tmp_path, database_url):
    """Issue 21: 40 call starts at once for one number get its cap; 40 for different numbers the budget."""
    backend = make_backend(tmp_path, DATABASE_URL=database_url, RESEND_COOLDOWN_SECONDS="0",
                           SENDS_PER_NUMBER_PER_HOUR="50", SENDS_PER_NUMBER_PER_DAY="50",
                           CALLS_PER_NUMBER_PER_DAY="3", CALL_BUDGET_PER_DAY="7")
    one_number = parallel([lambda i=i: backend.start_call("+48227770000", f"one-{i}").status_code for i in range(40)])
    assert sorted(one_number) == [202] * 3 + [429] * 37
    many = parallel([lambda i=i: backend.start_call(f"+482277701{i:02d}", f"many-{i}").status_code for i in range(40)])
    assert sorted(many) == [202] * 4 + [429] * 36, "3 + 4 = the budget of 7"
