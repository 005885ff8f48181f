"""Keep the cost of a message flat as a conversation grows: a SQL tracker store
that loads the conversation's state and its recent turns, not every event.

Rasa's SQL tracker store reads every event of the current session for each
message, rebuilds the tracker from all of them, and Rasa then sends all of them
to the action server and walks all of them to predict: the 60th message of a
conversation cost about three times the 1st (docs/benchmarks.md). The dialogue
keeps its state in slots (docs/dialogue.md), so a long session is loaded as

- its `session_started` event, the latest value of every slot set in it and its
  latest active loop, then
- its last turns (at least `WINDOW_EVENTS` events, from an `action_listen`),

which gives the same slots, loop and recent history. Where an older event
carries state that the slots and loop do not (a restart, slot reset, pause,
follow-up, reminder, …), the whole session is read as Rasa does.
New events are told from stored ones as Rasa does (skip as many as are
stored), shifted by what was left out. Rasa's HTTP API reads whole
conversations (`retrieve_full_tracker`), unchanged. Every query is built once
per store (a session read whole with Rasa's own query), not once per message.
"""
from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator
from typing import Any, Optional

import sqlalchemy as sa
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

# One to two turns of this dialogue: its one rule needs the last turn and the actions read only slots and the
# latest message. 40 cost the 60th message of docs/benchmarks.md's long conversation ~1.5 ms more than 16.
WINDOW_EVENTS = 16
# Event types whose effect on the state, once older than the window, is all in the
# latest slot values and active loop (or none at all).
STATE_IN_SLOTS_AND_LOOP = frozenset({"user", "bot", "action", "slot", "active_loop", "user_featurization", "entities",
                                     "session_started"})
_LOADED = "_recent_window"  # on a tracker loaded in part: (session start id, events loaded, events stored then)


class _Statements:
    """The window's queries, built once per store: building a query anew for each message, and its
    cache key, cost more than running it (about 2 ms of the server's CPU per message)."""

    def __init__(self, table: sa.Table) -> None:
        c, param = table.c, sa.bindparam
        in_session = sa.and_(c.sender_id == param("sender"), c.id >= param("start"))
        older = sa.and_(in_session, c.id < param("turn_start"))
        self.session_start = sa.select(sa.func.max(c.id)).where(
            c.sender_id == param("sender"), c.type_name == SessionStarted.type_name)
        self.stored = sa.select(sa.func.count(c.id)).where(in_session)
        recent = sa.select(c.id).where(in_session).order_by(c.id.desc()).limit(WINDOW_EVENTS).subquery()
        self.oldest_recent = sa.select(sa.func.min(recent.c.id))
        self.turn_start = sa.select(sa.func.max(c.id)).where(
            in_session, c.id <= param("oldest_recent"), c.type_name == "action", c.action_name == "action_listen")
        self.older_types = sa.select(c.type_name).where(older).distinct()
        # A slot event's `action_name` column holds the slot's name (Rasa stores `data["name"]`).
        self.latest_slots = sa.select(sa.func.max(c.id)).where(older, c.type_name == "slot").group_by(c.action_name)
        self.latest_loop = sa.select(sa.func.max(c.id)).where(older, c.type_name == "active_loop")
        # Rasa's own reading of the current session (SQLTrackerStore._event_query: the events from the
        # latest session start's timestamp on, or all where none), for sessions read whole.
        session_start = sa.select(sa.func.max(c.timestamp).label("session_start")).where(
            c.sender_id == param("sender"), c.type_name == SessionStarted.type_name).subquery()
        whole_session = sa.and_(c.sender_id == param("sender"), sa.or_(
            c.timestamp >= session_start.c.session_start, session_start.c.session_start.is_(None)))
        self.whole_session = sa.select(c.data).where(whole_session).order_by(c.id)
        self.whole_session_count = sa.select(sa.func.count()).select_from(table).where(whole_session)
        self.rows = sa.select(c.data).where(sa.or_(
            c.id.in_(param("state_ids", expanding=True)),
            sa.and_(c.sender_id == param("sender"), c.id >= param("turn_start")))).order_by(c.id)


class RecentWindowMixin:
    """For a subclass of Rasa's SQLTrackerStore: `class Store(RecentWindowMixin, SQLTrackerStore)`."""

    @functools.cached_property
    def _window_statements(self) -> _Statements:
        return _Statements(self.SQLEvent.__table__)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions or not self.domain:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        return self._retrieve_recent(sender_id) or self._retrieve_session(sender_id)

    def _retrieve_session(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The whole current session, as Rasa reads it."""
        with self.session_scope() as session:
            rows = session.execute(self._window_statements.whole_session, {"sender": sender_id}).scalars().all()
        if not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    def _retrieve_recent(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The session's state and recent turns, or None where the whole session must be read."""
        if not self.domain:
            return None
        statements = self._window_statements
        with self.session_scope() as session:
            def scalar(statement: Any, **params: Any) -> Any:
                return session.execute(statement, {"sender": sender_id, **params}).scalar()

            start = scalar(statements.session_start)
            if start is None:
                return None
            stored = scalar(statements.stored, start=start)
            if stored <= WINDOW_EVENTS:
                return None  # a short session: read whole
            oldest_recent = scalar(statements.oldest_recent, start=start)
            turn_start = scalar(statements.turn_start, start=start, oldest_recent=oldest_recent)
            if turn_start is None:
                return None
            older = {"sender": sender_id, "start": start, "turn_start": turn_start}
            older_types = set(session.execute(statements.older_types, older).scalars())
            if not older_types <= STATE_IN_SLOTS_AND_LOOP:
                return None
            state_ids = {start} | {event_id for statement in (statements.latest_slots, statements.latest_loop)
                                   for event_id in session.execute(statement, older).scalars() if event_id is not None}
            rows = session.execute(statements.rows, {**older, "state_ids": sorted(state_ids)}).scalars().all()
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)
        tracker.__dict__[_LOADED] = (start, len(tracker.events), stored)
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The tracker's events not stored yet: those after the loaded ones and after any
        stored since (Rasa's own rule — skip as many as are stored — shifted by what the
        window left out)."""
        loaded = tracker.__dict__.get(_LOADED)
        if loaded is None:  # read whole, or not read by this store (new, or replaced through the HTTP API)
            stored = session.execute(self._window_statements.whole_session_count, {"sender": tracker.sender_id}).scalar()
            return itertools.islice(tracker.events, stored, len(tracker.events))
        start, loaded_events, stored_then = loaded
        stored_now = session.execute(self._window_statements.stored,
                                     {"sender": tracker.sender_id, "start": start}).scalar()
        return itertools.islice(tracker.events, loaded_events + stored_now - stored_then, len(tracker.events))
