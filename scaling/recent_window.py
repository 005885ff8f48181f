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
conversations (`retrieve_full_tracker`), unchanged.
"""
from __future__ import annotations

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


class RecentWindowMixin:
    """For a subclass of Rasa's SQLTrackerStore: `class Store(RecentWindowMixin, SQLTrackerStore)`."""

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        recent = None if fetch_events_from_all_sessions else self._retrieve_recent(sender_id)
        if recent is not None:
            return recent
        return await super()._retrieve(sender_id, fetch_events_from_all_sessions)

    def _retrieve_recent(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The session's state and recent turns, or None where the whole session must be read."""
        if not self.domain:
            return None
        events = self.SQLEvent
        with self.session_scope() as session:
            start = session.query(sa.func.max(events.id)).filter(
                events.sender_id == sender_id, events.type_name == SessionStarted.type_name).scalar()
            if start is None:
                return None
            session_events = [events.sender_id == sender_id, events.id >= start]
            stored = session.query(sa.func.count(events.id)).filter(*session_events).scalar()
            if stored <= WINDOW_EVENTS:
                return None  # a short session: read whole
            recent = [event_id for (event_id,) in session.query(events.id).filter(*session_events)
                      .order_by(events.id.desc()).limit(WINDOW_EVENTS)]
            turn_start = session.query(sa.func.max(events.id)).filter(
                *session_events, events.id <= min(recent), events.type_name == "action",
                events.action_name == "action_listen").scalar()
            if turn_start is None:
                return None
            older = [*session_events, events.id < turn_start]
            older_types = {name for (name,) in session.query(events.type_name).filter(*older).distinct()}
            if not older_types <= STATE_IN_SLOTS_AND_LOOP:
                return None
            # A slot event's `action_name` column holds the slot's name (Rasa stores `data["name"]`).
            slots = session.query(sa.func.max(events.id)).filter(*older, events.type_name == "slot").group_by(
                events.action_name)
            loop = session.query(sa.func.max(events.id)).filter(*older, events.type_name == "active_loop")
            state_ids = {start} | {event_id for (event_id,) in [*slots, *loop] if event_id is not None}
            rows = session.query(events.data).filter(
                sa.or_(events.id.in_(state_ids), sa.and_(events.sender_id == sender_id, events.id >= turn_start))
            ).order_by(events.id).all()
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)
        tracker.__dict__[_LOADED] = (start, len(tracker.events), stored)
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The tracker's events not stored yet: those after the loaded ones and after any
        stored since (Rasa's own rule — skip as many as are stored — shifted by what the
        window left out)."""
        loaded = tracker.__dict__.get(_LOADED)
        if loaded is None:  # read whole, or not read by this store (new, or replaced through the HTTP API)
            return super()._additional_events(session, tracker)
        start, loaded_events, stored_then = loaded
        stored_now = session.query(sa.func.count(self.SQLEvent.id)).filter(
            self.SQLEvent.sender_id == tracker.sender_id, self.SQLEvent.id >= start).scalar()
        return itertools.islice(tracker.events, loaded_events + stored_now - stored_then, len(tracker.events))
