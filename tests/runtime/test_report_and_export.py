"""`make report` and `make learn` on a small tracker store written by Rasa's own SQL store: the funnel
counted from what the conversations stored, the PNG plots, and the conversations that went wrong
exported redacted in the conversation suite's format (read back by its loader)."""
from __future__ import annotations

import asyncio
import hashlib
import re
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from runtime import export_conversations, report
from runtime.conversations import read_only_engine, sessions, store_url
from runtime.pseudonym import pseudonym
from tests.conversations import spec

NOW = time.time()
SECRET = "s" * 32


def turn(at: float, text: str, channel: str, replies: list[str], outcome: str, state: dict | None = None) -> list:
    events = [UserUttered(text, {"name": "x", "confidence": 0.9}, input_channel=channel, timestamp=at)]
    events += [BotUttered(reply, timestamp=at + 0.1) for reply in replies]
    events.append(SlotSet("turn_outcome", outcome, timestamp=at + 0.2))
    if state is not None:
        events.append(SlotSet("recovery", state, timestamp=at + 0.2))
    return [*events, ActionExecuted("action_listen", timestamp=at + 0.3)]


def state(path: str | None, *stages: str, **more) -> dict:
    return {"path": path, "language": "pl", "funnel": list(stages), **more}


CONVERSATIONS = {
    # reached its goal: counted, not exported
    "rest:happy": [SessionStarted(timestamp=NOW - 900),
                   *turn(NOW - 900, "skrzynka nie dziala, tel 601 234 567", "rest", ["Wysłałem kod."], "progress",
                         state("dead_email", "dead_email:path_chosen", "dead_email:proof_started")),
                   *turn(NOW - 840, "123456", "rest", ["Numer potwierdzony."], "progress",
                         state("dead_email", "dead_email:path_chosen", "dead_email:proof_started",
                               "dead_email:proof_passed")),
                   *turn(NOW - 750, "nowy: jan.nowy@gmail.com", "rest", ["Wysłałem link."], "progress",
                         state("dead_email", "dead_email:path_chosen", "dead_email:proof_started",
                               "dead_email:proof_passed", "dead_email:goal"))],
    # a path and silence: abandoned
    "tg:4242": [SessionStarted(timestamp=NOW - 7200),
                *turn(NOW - 7200, "nie pamietam maila ani hasla", "telegram", ["Czy masz telefon?"], "progress",
                      state("no_login", "no_login:path_chosen"))],
    # not understood, then a person: fallback and hand-over
    "sio:abc": [SessionStarted(timestamp=NOW - 600),
                *turn(NOW - 600, "qwerty", "socketio", ["Nie zrozumiałem.\x1b[31m\x00"], "fallback", state(None)),
                *turn(NOW - 500, "konsultant, jan@example.pl, tel 601 234 568", "socketio", ["Sprawa K-1."], "progress",
                      state("handoff", "handoff:path_chosen", "handoff:goal", previous_path="password",
                            case_number="K-1"))],
    # an old session (outside the period) and a new one with an empty reply
    "rest:twice": [SessionStarted(timestamp=NOW - 40 * 86400),
                   *turn(NOW - 40 * 86400, "hej", "rest", ["Dzień dobry"], "fallback", state(None)),
                   SessionStarted(timestamp=NOW - 300),
                   *turn(NOW - 300, "haslo zapomnialem", "rest", [], "answered",
                         state("password", "password:path_chosen"))],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("store")
    database = directory / "rasa-tracker.sqlite3"
    tracker_store = SQLTrackerStore(dialect="sqlite", db=str(database))
    for sender, events in CONVERSATIONS.items():
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, events)))
    tracker_store.engine.dispose()
    endpoints = directory / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {database}\n")
    return endpoints


def found(endpoints: Path, days: float = 30):
    return list(sessions(read_only_engine(store_url(str(endpoints))), since=NOW - days * 86400))


def test_the_funnel_is_counted_from_the_stored_conversations(store):
    result = report.funnel(found(store), NOW, 60 * 60)
    assert result.started == {"rest": 2, "telegram": 1, "socketio": 1}
    assert result.reached["path_chosen"] == 4 and result.reached["goal"] == 2
    assert dict(result.stages["path_chosen"]) == {"dead_email": 1, "no_login": 1, "handoff": 1, "password": 1}
    assert dict(result.stages["proof_passed"]) == {"dead_email": 1}
    assert dict(result.stages["goal"]) == {"dead_email": 1, "handoff": 1}
    assert dict(result.abandoned) == {"no_login": 1}, "the password conversation is 5 minutes old: not yet"
    assert dict(result.handovers) == {"password": 1}
    assert result.time_to_goal["dead_email"] == [pytest.approx(150, abs=1)]
    assert sum(result.fallbacks.values()) == 1 and sum(result.empty.values()) == 1 and sum(result.turns.values()) == 7
    assert len(found(store, days=60)) == 5, "the old session counts when the period covers it"


def test_make_report_writes_the_plots_and_leaves_the_store_alone(store, tmp_path, capsys):
    database = Path(store.read_text().split("db: ")[1].strip())
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    report.main(["--endpoints", str(store), "--out", str(tmp_path / "report")])
    for name in ("funnel.png", "rates.png"):
        data = (tmp_path / "report" / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    printed = capsys.readouterr().out
    assert re.search(r"dead_email\s+1\s+1\s+1\s+1\s+0\s+0\s+100%", printed), printed
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_the_conversations_that_went_wrong_are_exported_redacted_as_suite_files(store, tmp_path):
    out = tmp_path / "learn"
    written = export_conversations.export(found(store), out, SECRET, NOW, 60 * 60)
    names = {path.name.split("-", 2)[2].removesuffix(".yml") for path in written}
    assert names == {pseudonym(sender, SECRET) for sender in ("tg:4242", "sio:abc", "rest:twice")}
    for path in written:
        text = path.read_text().replace(path.stem.split("-", 2)[2], "")
        loaded = spec.load(path, root=tmp_path)
        assert loaded.turns and loaded.written == "designer"
        assert not re.search(r"\d{3}\s?\d{3}\s?\d{3}|@example\.pl|4242|sio:abc", text), text
    abandoned = next(path for path in written if pseudonym("tg:4242", SECRET) in path.name)
    assert "abandoned" in abandoned.read_text()
    fallback = next(path for path in written if pseudonym("sio:abc", SECRET) in path.name).read_text()
    assert "fallback, hand-over" in fallback and '- customer: "qwerty"' in fallback
    assert "# turn outcome: fallback" in fallback
    assert "empty reply" in next(path for path in written if pseudonym("rest:twice", SECRET) in path.name).read_text()


def test_the_period_is_chosen_on_the_command_line(store, tmp_path, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", SECRET)
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(NOW - 3600))
    export_conversations.main(["--endpoints", str(store), "--out", str(tmp_path / "hour"), "--since", since])
    assert {path.name.split("-", 2)[2] for path in (tmp_path / "hour").iterdir()} == {
        f"{pseudonym(sender, SECRET)}.yml" for sender in ("sio:abc", "rest:twice")}
