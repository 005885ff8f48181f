"""scaling/recent_window.py: a long conversation is loaded as its state plus its
recent turns — the same slots, loop and latest message as a whole read — and
every event is stored exactly once."""
from __future__ import annotations

import asyncio

import psycopg2
import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, AllSlotsReset, BotUttered, SessionStarted, SlotSet, UserUttered

from devstack import MACHINE_POSTGRES, REPO, own_database
from runtime.tracker_store import RedactingSQLTrackerStore
from scaling.recent_window import WINDOW_EVENTS, RecentWindowMixin
from tests.conftest import require_service


class Store(RecentWindowMixin, SQLTrackerStore):
    pass


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """The store on SQLite and on PostgreSQL (the scaled set-up's), with what opens another store on it."""
    domain = Domain.load(str(REPO / "domain"))
    if request.param == "sqlite":
        connection = {"dialect": "sqlite", "db": str(tmp_path / "t.sqlite3")}
    else:
        try:
            name = request.getfixturevalue("postgres_database")
        except psycopg2.OperationalError:
            require_service("PostgreSQL")
            raise
        connection = {"dialect": "postgresql", "host": MACHINE_POSTGRES["host"], "port": MACHINE_POSTGRES["port"],
                      "username": MACHINE_POSTGRES["user"], "password": MACHINE_POSTGRES["password"], "db": name}
    store = Store(domain=domain, **connection)
    store.connection = connection
    yield store
    store.engine.dispose()


@pytest.fixture
def postgres_database():
    with own_database("recent_window") as name:
        yield name


def rasas_read(store, sender: str):
    """The current session as Rasa's own SQL store reads it from the same database."""
    rasas = SQLTrackerStore(domain=store.domain, **store.connection)
    try:
        return asyncio.run(SQLTrackerStore.retrieve(rasas, sender))
    finally:
        rasas.engine.dispose()


def turn(number: int) -> list:
    return [UserUttered(f"pytanie {number}", {"name": "ask_office_hours", "confidence": 0.9}),
            ActionExecuted("action_turn"), SlotSet("turn_outcome", "answered" if number % 2 else "progress"),
            *([SlotSet("recovery_path", f"path-{number}")] if number % 5 == 0 else []),
            BotUttered(f"odpowiedź {number}"), ActionExecuted("action_listen")]


def converse(store, sender: str, turns: int, extra_at: dict | None = None) -> list:
    """Message by message as Rasa does: retrieve, append the turn, save. Returns every event appended."""
    run = asyncio.run
    everything = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    tracker = store.init_tracker(sender)
    for event in everything:
        tracker.update(event)
    run(store.save(tracker))
    for number in range(turns):
        tracker = run(store.retrieve(sender))
        events = turn(number) + (extra_at or {}).get(number, lambda: [])()  # made now: Rasa orders sessions by time
        for event in events:
            tracker.update(event)
        run(store.save(tracker))
        everything += events
    return everything


def comparable(events) -> list:
    return [(e.type_name, getattr(e, "text", None), getattr(e, "key", None), getattr(e, "value", None),
             getattr(e, "action_name", None)) for e in events]


def test_a_long_conversation_loads_its_state_and_recent_turns(store):
    written = converse(store, "long", 30, extra_at={3: lambda: [ActiveLoop("some_loop")], 4: lambda: [SlotSet("recovery", {"a": 1})]})
    recent = asyncio.run(store.retrieve("long"))
    whole = asyncio.run(store.retrieve_full_tracker("long"))
    assert comparable(whole.events) == comparable(written), "every event stored once, in order"
    assert len(recent.events) < WINDOW_EVENTS + 15 < len(whole.events)
    assert recent.current_slot_values() == whole.current_slot_values() == rasas_read(store, "long").current_slot_values()
    assert recent.current_slot_values()["recovery"] == {"a": 1} and recent.active_loop_name == "some_loop"
    assert recent.latest_message.text == whole.latest_message.text == "pytanie 29"
    assert recent.latest_action_name == "action_listen"
    assert list(recent.events)[0].type_name == "session_started"
    assert comparable(list(recent.events)[-WINDOW_EVENTS:]) == comparable(list(whole.events)[-WINDOW_EVENTS:])


def test_saving_twice_or_after_another_save_stores_each_event_once(store):
    converse(store, "twice", 20)
    tracker = asyncio.run(store.retrieve("twice"))
    other = asyncio.run(store.retrieve("twice"))
    for event in turn(100):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))
    for event in turn(100) + turn(101):
        other.update(event)
    asyncio.run(store.save(other))  # the first turn(100) counts as stored already, as in Rasa's own rule
    texts = [e.text for e in asyncio.run(store.retrieve_full_tracker("twice")).events if e.type_name == "user"]
    assert texts.count("pytanie 100") == 1 and texts[-1] == "pytanie 101"


def test_a_state_change_beyond_the_slots_means_a_whole_read(store):
    converse(store, "reset", 30, extra_at={2: lambda: [AllSlotsReset()]})
    recent = asyncio.run(store.retrieve("reset"))
    assert comparable(recent.events) == comparable(rasas_read(store, "reset").events)


def test_a_short_conversation_is_read_whole(store):
    converse(store, "short", 3)
    assert comparable(asyncio.run(store.retrieve("short")).events) == comparable(rasas_read(store, "short").events)


def test_the_assistants_store_loads_recent_turns():
    assert issubclass(RedactingSQLTrackerStore, RecentWindowMixin)


def test_a_session_read_whole_and_counted_as_rasa_does(store):
    """The statements built once read and count what Rasa's own `_event_query` does: from the latest session start."""
    converse(store, "two-sessions", 2)
    tracker = asyncio.run(store.retrieve("two-sessions"))
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"), *turn(7)]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    converse(store, "new", 0)
    for sender in ("two-sessions", "new", "nobody"):
        with store.session_scope() as session:
            rasas_count = SQLTrackerStore._event_query(store, session, sender, False).count()
            ours = session.execute(store._window_statements.whole_session_count, {"sender": sender}).scalar()
        assert ours == rasas_count
        read = asyncio.run(store.retrieve(sender))
        assert comparable(read.events if read else []) == comparable(
            (rasas_read(store, sender) or store.init_tracker(sender)).events if read else [])
    whole = asyncio.run(store.retrieve_full_tracker("two-sessions"))
    assert [e.type_name for e in whole.events].count("session_started") == 2
    assert [e.text for e in whole.events if e.type_name == "user"].count("pytanie 7") == 1
