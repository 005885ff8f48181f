"""Stored conversations keep no secrets (issue 9 M6, L19): what a customer typed — phone,
SMS code, e-mail — and the Telegram phone proof never reach the tracker store or the log;
the store's file is 0600 and old conversations can be purged."""
from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import time
import uuid

import pytest

from devstack import ASSISTANT_BIN, QUIET, REPO, Stack

PHONE = "+48601234567"
TYPED_PHONE = "601 234 567"
NEW_EMAIL = "marek.nowy@example.org"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("privacy"))
    try:
        yield stack.start_all()
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def conversation(assistant):
    """A dead-mailbox recovery as a customer types it, plus a forged phone proof in metadata."""
    sender = f"privacy-{uuid.uuid4().hex}"
    assistant.say(sender, "nie działa mi skrzynka mailowa, domena wygasła")
    assistant.say(sender, f"mój numer to {TYPED_PHONE}",
                  metadata={"phone_attestation": {"phone": PHONE, "sig": "forged"}, "note": f"tel {PHONE}"})
    code = assistant.latest_code(PHONE)
    assistant.say(sender, f"kod {code[:3]} {code[3:]}")
    assistant.say(sender, code)
    assistant.say(sender, NEW_EMAIL)
    return sender, code


def rows(stack: Stack, sender: str) -> list[dict]:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        return [json.loads(data) for (data,) in db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id",
                                                           (f"rest:{sender}",))]


def strings_in(value) -> list[str]:
    """Every key and string value (numbers such as timestamps left out)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *strings_in(item)]]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def secrets_in(stored, code: str) -> list[str]:
    found = []
    for text in strings_in(stored):
        digits = "".join(ch for ch in text if ch.isdigit())  # "601 234 567" and "kod 123 456" count as typed
        found += [s for s in (NEW_EMAIL, "phone_attestation", "forged") if s in text]
        found += [s for s in ("601234567", code) if s in digits]
    return found


def test_user_and_bot_events_keep_no_phone_code_email_or_proof(assistant, conversation):
    sender, code = conversation
    events = [e for e in rows(assistant, sender) if e.get("event") in ("user", "bot")]
    assert sum(1 for e in events if e["event"] == "user") == 5, "every message was stored"
    leaks = {json.dumps(e, ensure_ascii=False)[:200]: secrets_in(e, code) for e in events}
    assert not {event: found for event, found in leaks.items() if found}


def test_the_redacted_entities_still_say_what_was_recognised(assistant, conversation):
    sender, _ = conversation
    entities = [ent["entity"] for e in rows(assistant, sender) if e.get("event") == "user"
                for ent in e["parse_data"]["entities"]]
    assert "phone" in entities and "email" in entities


def test_nothing_in_the_whole_store_holds_them(assistant, conversation):
    sender, code = conversation
    assert not secrets_in(rows(assistant, sender), code)


def test_the_store_files_are_private(assistant, conversation):
    store = assistant.workdir / "rasa-tracker.sqlite3"
    files = [store, *store.parent.glob(store.name + "-*")]  # the write-ahead log and its index too
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {path.name: 0o600 for path in files}


def test_the_store_writes_ahead_instead_of_syncing_every_message(assistant, conversation):
    # Rasa saves on its event loop: a synced rollback journal stalled every conversation per save.
    with sqlite3.connect(assistant.workdir / "rasa-tracker.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_log_does_not_quote_a_slash_message(assistant):
    sender = f"privacy-{uuid.uuid4().hex}"
    assistant.say(sender, "/601234567")
    assistant.say(sender, '/greet{"jan.kowalski@example.org": "x"}')
    time.sleep(0.5)
    log = (assistant.workdir / "rasa.log").read_text()
    assert "Failed to parse arguments" in log, "Rasa warned (so the test reads the right log)"
    assert "601234567" not in log and "jan.kowalski@example.org" not in log


def test_purge_deletes_only_conversations_older_than_the_retention(assistant, conversation):
    sender, _ = conversation
    old = f"privacy-old-{uuid.uuid4().hex}"
    assistant.say(old, "dzień dobry")
    with sqlite3.connect(assistant.workdir / "rasa-tracker.sqlite3") as db:
        db.execute("UPDATE events SET timestamp = timestamp - 31 * 86400 WHERE sender_id = ?", (f"rest:{old}",))
    result = subprocess.run([str(ASSISTANT_BIN / "python"), "-m", "runtime.purge", "--days", "30",
                             "--endpoints", str(assistant.workdir / "endpoints.yml")],
                            cwd=REPO, env={**assistant.env(), **QUIET}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "deleted 1 conversation" in result.stdout
    assert rows(assistant, old) == [] and rows(assistant, sender)
