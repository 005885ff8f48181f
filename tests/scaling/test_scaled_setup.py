"""The scaled set-up: two Rasa instances sharing one PostgreSQL tracker store
and a Redis lock store (endpoints-scaled.yml), against the real services on
this machine. A customer's conversation may hop between instances, as it does
behind a load balancer, and must carry on as if one server answered."""
from __future__ import annotations

import concurrent.futures
import contextlib
import json
import secrets
import uuid

import psycopg2
import pytest
import redis

from devstack import MACHINE_POSTGRES, MACHINE_REDIS, Stack, own_database, postgres_admin
from tests.conftest import require_service
from tests.runtime.test_stored_conversations import strings_in


@pytest.fixture(scope="module")
def database():
    with contextlib.ExitStack() as cleanup:
        try:
            redis.Redis(socket_connect_timeout=3, **MACHINE_REDIS).ping()
            name = cleanup.enter_context(own_database("rasa_scaled"))
        except (psycopg2.OperationalError, redis.exceptions.ConnectionError):
            require_service("PostgreSQL and Redis")
            raise
        yield name


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, database):
    stack = Stack(tmp_path_factory.mktemp("scaled"))
    endpoints = stack.scaled_endpoints(MACHINE_POSTGRES, database, MACHINE_REDIS, f"test{secrets.token_hex(3)}")
    try:
        yield stack.start_scaled(endpoints), [stack.rasa_url, stack.second_rasa_url]
    finally:
        stack.stop()


def stored_events(database: str, sender: str) -> list[dict]:
    with psycopg2.connect(dbname=database, **MACHINE_POSTGRES) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (f"rest:{sender}",))
        return [json.loads(row[0]) for row in cursor.fetchall()]


def test_a_conversation_hopping_between_instances_keeps_its_form_and_verification(scaled, database):
    stack, (first, second) = scaled
    sender = f"scaled-{uuid.uuid4().hex}"
    phone = "+48601234567"

    assert stack.say(sender, "nie działa mi skrzynka mailowa, domena wygasła", rasa_url=first)
    assert stack.say(sender, "601 234 567", rasa_url=second)
    code = stack.latest_code(phone)  # the second instance continued the form the first one opened
    assert stack.say(sender, code, rasa_url=first)

    events = stored_events(database, sender)
    states = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "recovery"]
    assert states and states[-1]["proven"] is True, "the second instance continued the first one's step"
    assert sum(1 for e in events if e.get("event") == "user") == 3


def test_simultaneous_messages_to_two_instances_are_both_kept(scaled, database):
    stack, urls = scaled
    sender = f"scaled-{uuid.uuid4().hex}"
    stack.say(sender, "dzień dobry", rasa_url=urls[0])
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda i: stack.say(sender, ["jakie są godziny pracy?", "dziękuję"][i % 2],
                                                     rasa_url=urls[i % 2]), range(4)))
    assert all(replies), "every message got an answer"
    user_texts = [e["text"] for e in stored_events(database, sender) if e.get("event") == "user"]
    assert len(user_texts) == 5, "the Redis lock serialised the conversation: no message lost"


def test_postgresql_store_keeps_no_typed_phone_code_or_email(scaled, database):
    stack, (first, second) = scaled
    sender = f"scaled-{uuid.uuid4().hex}"
    stack.say(sender, "nie działa mi skrzynka mailowa", rasa_url=first)
    stack.say(sender, "602 345 678", rasa_url=second)
    code = stack.latest_code("+48602345678")
    stack.say(sender, code, rasa_url=first)
    stack.say(sender, "ewa.nowa@example.org", rasa_url=second)
    stored = [e for e in stored_events(database, sender) if e.get("event") in ("user", "bot")]
    assert len(stored) >= 8
    for event in stored:
        for text in strings_in(event):
            digits = "".join(ch for ch in text if ch.isdigit())
            assert "602345678" not in digits and code not in digits and "ewa.nowa@example.org" not in text, text


def test_conversations_survive_the_loss_of_every_database_connection(scaled, database):
    """Connections killed under Rasa (as a PostgreSQL failover or restart does) are
    replaced on the next message; the conversation goes on where it was."""
    stack, (first, second) = scaled
    sender = f"scaled-{uuid.uuid4().hex}"
    stack.say(sender, "nie działa mi skrzynka mailowa", rasa_url=first)
    stack.say(sender, "dzień dobry", rasa_url=second)
    with postgres_admin() as admin, admin.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", (database,))
        assert cursor.fetchone()[0] >= 2, "both instances had pooled connections to lose"
    for url in (first, second):
        assert stack.say(sender, "jakie są godziny pracy?", rasa_url=url)
    stack.say(sender, "691 777 888", rasa_url=first)
    assert stack.sms_messages("+48691777888"), "the phone form, opened before the loss, went on"
    assert sum(1 for e in stored_events(database, sender) if e.get("event") == "user") == 5
