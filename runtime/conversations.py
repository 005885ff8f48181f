"""The stored conversations, read (only read) from the tracker store an endpoints file names, as
sessions with what the funnel needs: the channel, the turns (the customer's text redacted once
more by the one redactor, the assistant's reply, the turn's outcome), the stages the conversation
reached (`State.funnel`, written by action_turn: actions/engine/funnel.py) and when.

`make report` (runtime/report.py) and the export of conversations to learn from
(runtime/export_conversations.py) both read them through `sessions()`.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from rasa.utils.endpoints import read_endpoint_config

from contact_rules import redact

STATE_SLOT = "recovery"          # actions/dialogue/state.py (the action's environment is not imported here)
NONE = "none"


@dataclass
class Turn:
    customer: str
    at: float
    replies: list[str] = field(default_factory=list)
    outcome: Optional[str] = None


@dataclass
class Session:
    conversation: str
    channel: str = "unknown"
    turns: list[Turn] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)     # `path:stage` -> when first stored
    path: Optional[str] = None                                 # the path the session was last on
    previous_path: Optional[str] = None
    language: str = "pl"
    case: bool = False
    last_at: float = 0.0

    @property
    def started_at(self) -> float:
        return self.turns[0].at if self.turns else self.last_at

    def paths(self, stage: str) -> list[str]:
        return [key.split(":", 1)[0] for key in self.stages if key.split(":", 1)[1] == stage]

    @property
    def goal(self) -> bool:
        return bool(self.paths("goal"))

    def abandoned(self, now: float, silence_seconds: float) -> bool:
        """A path taken, no goal reached, and nothing said for `silence_seconds`."""
        return bool(self.paths("path_chosen")) and not self.goal and now - self.last_at >= silence_seconds

    def time_to_goal(self) -> list[tuple[str, float]]:
        return [(key.split(":", 1)[0], at - self.started_at) for key, at in self.stages.items()
                if key.endswith(":goal")]

    @property
    def fallbacks(self) -> int:
        return sum(turn.outcome == "fallback" for turn in self.turns)

    @property
    def empty_replies(self) -> int:
        return sum(not any(reply.strip() for reply in turn.replies) for turn in self.turns)


def store_url(endpoints: str) -> sa.engine.URL | str:
    """The tracker store's database, as Rasa builds it from the endpoints file."""
    from rasa.core.tracker_store import SQLTrackerStore

    config = read_endpoint_config(endpoints, "tracker_store")
    if config is None or not (config.type == "SQL" or str(config.type).endswith("SQLTrackerStore")):
        raise SystemExit(f"{endpoints} names no SQL tracker store")
    kwargs = config.kwargs
    return SQLTrackerStore.get_db_url(kwargs.get("dialect", "sqlite"), config.url, kwargs.get("port"),
                                      kwargs.get("db", "rasa.db"), kwargs.get("username"), kwargs.get("password"),
                                      kwargs.get("login_db"), kwargs.get("query"))


def read_only_engine(url: sa.engine.URL | str) -> sa.engine.Engine:
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).exists():
            raise SystemExit(f"no stored conversations at {url.database}")
        # Opened read-only: a report never creates, locks for writing or changes the store.
        return sa.create_engine(f"sqlite:///file:{url.database}?mode=ro&uri=true")
    return sa.create_engine(url, execution_options={"postgresql_readonly": True})


def sessions(engine: sa.engine.Engine, since: float = 0.0, until: float = float("inf")) -> Iterator[Session]:
    """Every session that has a customer message between `since` and `until` (epoch seconds)."""
    events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                      sa.column("timestamp"), sa.column("data"))
    senders = (sa.select(events.c.sender_id).where(events.c.type_name == "user")
               .where(events.c.timestamp >= since).where(events.c.timestamp < until).distinct())
    with engine.connect() as connection:
        for (sender,) in list(connection.execute(senders)):
            rows = connection.execute(sa.select(events.c.data).where(events.c.sender_id == sender)
                                      .order_by(events.c.id))
            for session in _split(sender, (json.loads(row[0]) for row in rows)):
                if any(since <= turn.at < until for turn in session.turns):
                    yield session


def _split(sender: str, events: Iterator[dict]) -> Iterator[Session]:
    session = Session(sender)
    for event in events:
        kind = event.get("event")
        at = float(event.get("timestamp") or 0.0)
        if kind == "session_started":
            if session.turns:
                yield session
            session = Session(sender)
            continue
        session.last_at = max(session.last_at, at)
        if kind == "user":
            session.channel = event.get("input_channel") or session.channel
            session.turns.append(Turn(redact(event.get("text") or ""), at))
        elif kind == "bot" and session.turns:
            session.turns[-1].replies.append(redact(event.get("text") or ""))
        elif kind == "slot" and session.turns and event.get("name") == "turn_outcome":
            session.turns[-1].outcome = event.get("value")
        elif kind == "slot" and event.get("name") == STATE_SLOT and isinstance(event.get("value"), dict):
            state = event["value"]
            session.path, session.previous_path = state.get("path"), state.get("previous_path")
            session.language = state.get("language") or session.language
            session.case = session.case or bool(state.get("case_number"))
            for key in state.get("funnel") or []:
                session.stages.setdefault(key, at)
    if session.turns:
        yield session
