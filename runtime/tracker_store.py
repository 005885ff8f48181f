"""The conversation store: Rasa's SQL tracker store, with three changes (and a long
conversation loaded as its state plus its recent turns: scaling/recent_window.py).

- Events are redacted before they are saved (runtime/redaction.py): what a customer
  typed (codes, phones, e-mails) and the Telegram phone proof are never stored. A turn's
  events go in one INSERT.
- A SQLite file is created 0600 and written in WAL mode (no fsync wait per message).
- PostgreSQL: pooled connections are checked before use and a lost database is waited
  for (up to STORE_RETRY_SECONDS), so a database restart costs no conversation.
  Rasa would otherwise swallow the error, start the conversation from scratch and
  keep it in memory only (FailSafeTrackerStore).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Optional, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from runtime.metrics import MESSAGES
from runtime.private_files import ensure_private_file
from runtime.redaction import redact_event, redact_text
from runtime.settings import rasa_process_settings
from scaling.recent_window import RecentWindowMixin

log = logging.getLogger("runtime.tracker_store")
T = TypeVar("T")
RETRY_PAUSE_SECONDS = 0.5


def _sqlite_write_ahead_log(connection, _record) -> None:
    # Rasa calls the store synchronously on its event loop: with SQLite's default journal every
    # save waited for two fsyncs (a quarter of the server's time under load). In WAL mode NORMAL
    # loses nothing when a process dies, only possibly the last turns if the machine loses power.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class RedactingSQLTrackerStore(RecentWindowMixin, SQLTrackerStore):
    def __init__(self, domain=None, dialect: str = "sqlite", host: Optional[str] = None,
                 db: str = "rasa.db", **kwargs: Any) -> None:
        if dialect == "sqlite" and db and db != ":memory:" and not host:
            ensure_private_file(Path(db))
        super().__init__(domain=domain, dialect=dialect, host=host, db=db, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy gives a SQLite file no pool: every load and save opened the file, and the
            # last close checkpointed the log. A pool keeps connections (Rasa uses them from its loop).
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.retry_seconds = rasa_process_settings().store_retry_seconds
        self._ids_redacted: tuple[tuple[str, ...], dict[str, str]] = ((), {})

    async def _with_retries(self, operation: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.retry_seconds
        while True:
            try:
                return await operation()
            except sqlalchemy.exc.OperationalError as error:
                if time.monotonic() > deadline:
                    raise
                log.warning("conversation store unavailable, retrying: %s", type(error).__name__)
                await asyncio.sleep(RETRY_PAUSE_SECONDS)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super()._retrieve
        return await self._with_retries(lambda: parent(sender_id, fetch_events_from_all_sessions))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await self._with_retries(lambda: self._save_redacted(tracker))

    async def _save_redacted(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            rows = []
            rasas_ids = self._redacted_ids(tracker)
            for event in new_events:
                data = redact_event(event.as_dict(), rasas_ids)
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "action_name": data.get("name"), "data": json.dumps(data)})
            if rows:
                # One INSERT for all of a turn's events, in their order: the ORM's unit of work per
                # event (Rasa's session.add) was a twentieth of the server's CPU under load.
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        # Counted here because the store sees every message of every channel once.
        for event in new_events:
            if event.type_name == "user":
                MESSAGES.labels(getattr(event, "input_channel", None) or "unknown").inc()

    def _redacted_ids(self, tracker: DialogueStateTracker) -> dict[str, str]:
        """The model's and assistant's ids Rasa puts in every event's metadata, redacted once per
        model rather than once per event (a model id is hexadecimal: the phone finder reads it)."""
        ids = tuple(value for value in (tracker.model_id, tracker.assistant_id) if isinstance(value, str))
        if self._ids_redacted[0] != ids:
            self._ids_redacted = (ids, {value: redact_text(value) for value in ids})
        return self._ids_redacted[1]

    def purge_older_than(self, cutoff_timestamp: float) -> int:
        """Deletes whole conversations whose last event is older than the cutoff; returns how many."""
        events = self.SQLEvent.__table__
        stale = (sa.select([events.c.sender_id]).group_by(events.c.sender_id)
                 .having(sa.func.max(events.c.timestamp) < cutoff_timestamp))
        with self.session_scope() as session:
            senders = [row[0] for row in session.execute(stale)]
            for start in range(0, len(senders), 500):
                session.execute(events.delete().where(events.c.sender_id.in_(senders[start:start + 500])))
            session.commit()
        return len(senders)
