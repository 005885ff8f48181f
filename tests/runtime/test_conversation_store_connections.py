"""The SQLite conversation store keeps its connections: loading and saving a conversation on every message
opened and closed the file before (and the last close checkpointed the write-ahead log)."""
from __future__ import annotations

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.tracker_store import RedactingSQLTrackerStore


async def test_messages_reuse_the_stores_connections(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "store.sqlite3"))
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    for turn in range(5):
        tracker = await store.retrieve("rest:pool") or DialogueStateTracker("rest:pool", [])
        tracker.update(UserUttered(f"wiadomosc {turn}", {"name": "greet"}))
        await store.save(tracker)
    assert len((await store.retrieve("rest:pool")).events) == 5
    assert len(opened) <= 1
