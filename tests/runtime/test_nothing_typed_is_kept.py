"""Redaction at every door (issue 17, finding 3), against the real stack: phones and e-mail
addresses in every form the finders accept (written by hypothesis), typed over REST (with an
Idempotency-Key, so answers go to Redis) and as a message starting with `/` (which makes Rasa
warn, quoting it), and a Telegram contact shared as a session's first message, leave no trace
in the conversation store, Redis, the logs or any other file of the assistant's working
directory. The SMS and e-mail outboxes are left out: they stand for the customer's own phone
and mailbox."""
from __future__ import annotations

import json
import secrets
import sqlite3
import uuid
from pathlib import Path

import pytest
import redis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from contact_rules import to_e164
from contact_rules.strategies import CONTEXTS, typed_emails, typed_phones
from devstack import TEST_ACCOUNTS, Stack
from tests.channels.fake_telegram import FakeBotApi
from tests.channels.test_telegram import SECRET, TOKEN, message, post
from tests.conftest import require_service

REDIS_URL = "redis://127.0.0.1:6379/12"  # this module's own database number
OUTBOXES = {"sms-outbox.jsonl", "email-outbox.jsonl"}
REGISTERED = {phone for account in yaml.safe_load(TEST_ACCOUNTS.read_text()) for phone in account.get("phones") or []}


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        require_service("Redis")
        raise
    fake = FakeBotApi(TOKEN)
    stack = Stack(tmp_path_factory.mktemp("doors"),
                  extra_env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                             "TELEGRAM_API_BASE": fake.url, "REDIS_URL": REDIS_URL})
    try:
        yield stack.start_all(), fake
    finally:
        stack.stop()
        fake.stop()


def digits(text: str) -> str:
    return "".join(str(int(ch)) for ch in text if ch.isdecimal())


def stored_texts(stack: Stack) -> dict[str, list[str]]:
    """Where each kept string lives: every stored event's strings, every Redis key and value,
    every line of every other file (databases read as text)."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        found["tracker store"] = [f"{sender} {data}" for sender, data in db.execute("SELECT sender_id, data FROM events")]
    client = redis.Redis.from_url(REDIS_URL)
    values = []
    for key in client.scan_iter(count=500):
        value = client.get(key) if client.type(key) == b"string" else b""
        values.append((key + b" " + (value or b"")).decode(errors="replace"))
    found["redis"] = values
    for path in Path(stack.workdir).rglob("*"):
        if path.is_file() and path.name not in OUTBOXES:
            found[path.name] = path.read_bytes().decode(errors="replace").splitlines()
    return found


def traces(stack: Stack, phone: str = "", national: str = "", email: str = "") -> list[str]:
    e164 = to_e164(national) if national else None
    leaks = []
    for where, lines in stored_texts(stack).items():
        for line in lines:
            folded = line.lower()
            # A database file read as text runs unrelated numbers together: there, only whole forms count.
            in_digits = national and where.endswith((".log", "tracker store", "redis")) and national in digits(line)
            account = e164 in REGISTERED and where.startswith("backend.sqlite3")  # the accounts table, by design
            if phone and not account and (phone in line or (e164 and e164 in line) or in_digits):
                leaks.append(f"{where}: phone in {line[:160]!r}")
            local = email.lower().split("@")[0]
            if email and (email.lower() in folded or (len(local) >= 4 and local + "@" in folded)):
                leaks.append(f"{where}: e-mail in {line[:160]!r}")
    return leaks


def say(stack: Stack, sender: str, text: str) -> None:
    stack.say(sender, text, idempotency_key=uuid.uuid4().hex)


# Few examples (each is three turns of the real stack) and no shrinking (each try would be three more).
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=typed_phones(), email=typed_emails(), context=st.sampled_from(CONTEXTS))
def test_typed_phones_and_addresses_leave_no_trace(doors, phone, email, context):
    stack, _ = doors
    typed, national = phone
    if to_e164(national) in REGISTERED:
        return  # a registered number is in the backend's accounts by design
    sender = f"doors-{uuid.uuid4().hex[:12]}"
    say(stack, sender, context.format(typed))
    say(stack, sender, context.format(email))
    say(stack, sender, "/" + context.format(f"{typed} {email}"))
    assert len([row for row in stored_texts(stack)["tracker store"] if row.startswith(f"rest:{sender} ")]) > 3
    assert traces(stack, typed, national, email) == []


def test_the_audits_dotted_phone_and_percent_address(doors):
    stack, _ = doors
    sender = f"doors-{uuid.uuid4().hex[:12]}"
    say(stack, sender, "nie działa mi skrzynka, mój numer 604.111.222")
    say(stack, sender, "nowy adres jan%kowalski@example.pl")
    assert traces(stack, "604.111.222", "604111222", "jan%kowalski@example.pl") == []
    assert not any("jan%[e-mail]" in line for lines in stored_texts(stack).values() for line in lines)


def test_a_contact_shared_as_a_sessions_first_message_is_not_kept(doors):
    stack, fake = doors
    user = 7001
    shared = message(user, contact={"phone_number": "48692888999", "first_name": "Barbara", "user_id": user})
    shared["update_id"] = secrets.randbelow(10**9)  # Redis remembers update ids between runs
    assert post(stack, shared) == 200
    assert fake.messages(user), "the contact was answered"
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        events = [json.loads(data) for (data,) in db.execute("SELECT data FROM events WHERE sender_id = ?",
                                                             (f"tg:{user}",))]
    slots = [event for event in events if event.get("name") == "session_started_metadata"]
    assert slots, "Rasa kept the session's metadata (so the test reads the right event)"
    assert "692888999" not in json.dumps(events) and "phone_attestation" not in json.dumps(events)
    assert traces(stack, "+48692888999", "692888999") == []
