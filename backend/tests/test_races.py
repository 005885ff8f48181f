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
    statuses = parallel([lambda i=i: backend.start(UNREGISTERED, f"cap-{i}", client="198.51.100.7").status_code
                         for i in range(40)])
    assert sorted(statuses) == [202] * 3 + [429] * 37
    # From many clients at once, the number's total for the day holds just as well.
    others = parallel([lambda i=i: backend.start(UNREGISTERED, f"all-{i}", client=f"203.0.113.{i}").status_code
                       for i in range(40)])
    assert sorted(others) == [202] * 7 + [429] * 33


def test_daily_cap_per_number(tmp_path):
    statuses = []
    for hour in range(8):  # one start every 70 minutes: never the cooldown or the hourly cap
        minutes = hour * 70
        backend = make_backend(tmp_path, RECOVERY_NOW=f"2026-11-24T{8 + minutes // 60:02d}:{minutes % 60:02d}:00+01:00")
        statuses.append(backend.start(UNREGISTERED, f"day-{hour}", client="198.51.100.7").status_code)
    assert statuses == [202] * 6 + [429] * 2
    tomorrow = make_backend(tmp_path, RECOVERY_NOW="2026-11-25T08:00:01+01:00")
    assert tomorrow.start(UNREGISTERED, "next-day", client="198.51.100.7").status_code == 202


ATTACKER, OWNER = "198.51.100.66", "203.0.113.10"


def burn_codes(tmp_path, phone, conversations, client, first_minute=0):
    """Five wrong codes in each of `conversations`, one conversation every 61 s (pinned clock)."""
    for round_, conversation in enumerate(conversations):
        seconds = (first_minute * 60) + round_ * 61
        backend = make_backend(tmp_path, RECOVERY_NOW=f"2026-11-24T10:{seconds // 60:02d}:{seconds % 60:02d}+01:00")
        verification = backend.start(phone, conversation, client=client).json()["verification_id"]
        for _ in range(5):
            backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "000000"})
    return backend


@pytest.mark.parametrize("attacker", [ATTACKER, None], ids=["one-client", "no-client-key"])
def test_strangers_wrong_codes_never_lock_the_owner_out(tmp_path, attacker):
    """Issue 17 #2, the audit's attack: three conversations x five wrong codes, 61 s apart."""
    last = burn_codes(tmp_path, REGISTERED, ["attack-1", "attack-2", "attack-3"], attacker)
    actions = [entry["action"] for entry in last.client.app.state.services.audit.entries()]
    assert actions.count("number_codes_burned") == 1, "staff hear that someone guesses at the number"
    owner = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:04:00+01:00")
    assert owner.start(REGISTERED, "owner", client=OWNER).status_code == 202
    assert len([m for m in owner.sms() if m["to"] == REGISTERED]) == 4  # the owner's code went out
    if attacker:
        again = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:06:00+01:00").start(OTHER, "attack-4", client=attacker)
        assert again.status_code == 429 and again.json()["retry_after"] > 20 * 3600, "the guessing client is refused"


def test_a_conversation_that_burned_two_codes_gets_no_more(tmp_path):
    burn_codes(tmp_path, REGISTERED, ["same", "same"], None)
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T12:00:00+01:00")
    assert later.start(OTHER, "same").status_code == 429
    assert later.start(OTHER, "fresh").status_code == 202


def test_one_client_cannot_use_up_a_numbers_sends(tmp_path):
    statuses = []
    for i in range(5):  # one start every 61 s from one client: its third in the hour is its last
        seconds = i * 61
        backend = make_backend(tmp_path, RECOVERY_NOW=f"2026-11-24T10:{seconds // 60:02d}:{seconds % 60:02d}+01:00")
        statuses.append(backend.start(UNREGISTERED, f"spam-{i}", client=ATTACKER).status_code)
    assert statuses == [202, 202, 202, 429, 429]
    owner = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:06:00+01:00")
    assert owner.start(UNREGISTERED, "owner", client=OWNER).status_code == 202


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
