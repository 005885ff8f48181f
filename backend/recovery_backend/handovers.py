"""Live hand-over to a person in the human inbox (HUMAN_INBOX, ports.HumanInbox).

The assistant asks for it in office hours; a conversation opens in the inbox with the facts and the
redacted transcript. From then on the assistant relays the customer's messages here (redacted) and
says nothing itself; the inbox's webhook brings the agents' replies, which are pushed to the customer's
channel (Rasa's hand-over channel, channels/handover.py) naming who writes. The hand-over ends when the
agent resolves the conversation or hands it back (Chatwoot: `resolved` or `pending`), or when nobody
answered within HANDOVER_PICKUP_SECONDS (`unanswered`: the customer is offered a case). Whether a person
has the conversation is decided here and by the engine, never by what the customer writes.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

import requests
import sqlalchemy as sa

from . import notices
from .cases import scrub_summary
from .clock import Clock
from .office_hours import OfficeHours
from .ports import HumanInbox, ProviderError
from .storage import handovers

log = logging.getLogger("recovery_backend.handovers")
ACTIVE = ("waiting", "talking")
PUSH_TIMEOUT = 5.0
RELAYED_LIMIT = 2000
# Chatwoot's statuses that give the conversation back: resolved, or pending (handed back to the bot).
GIVEN_BACK = ("resolved", "pending")


class Unavailable(Exception):
    """No live hand-over now: no inbox configured, the office closed, or the inbox failing."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Handover:
    status: str                 # waiting | talking | resolved | unanswered | none
    pickup_seconds: float = 0


def _hash(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode()).hexdigest()


class AssistantPush:
    """Sends a text into a customer's conversation through Rasa's hand-over channel."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def send(self, conversation_id: str, text: str, speaker: str) -> bool:
        try:
            answer = requests.post(self.url, json={"conversation_id": conversation_id, "text": text, "speaker": speaker},
                                   headers={"Authorization": f"Bearer {self.token}"}, timeout=PUSH_TIMEOUT)
        except requests.RequestException as error:
            log.warning("push to the assistant failed", extra={"error": type(error).__name__})
            return False
        if answer.status_code >= 300:
            log.warning("push to the assistant refused", extra={"status": answer.status_code})
        return answer.status_code < 300


class HandoverService:
    def __init__(self, engine: sa.Engine, clock: Clock, hours: OfficeHours, inbox: Optional[HumanInbox],
                 push: Optional[AssistantPush], pickup_seconds: float):
        self._engine, self._clock, self._hours = engine, clock, hours
        self.inbox, self._push, self.pickup_seconds = inbox, push, pickup_seconds
        self._stopping = threading.Event()
        self._seen: OrderedDict[str, None] = OrderedDict()   # agents' message ids already delivered
        self._seen_lock = threading.Lock()

    def first_delivery(self, key: str, keep: int = 5000) -> bool:
        """A signed delivery sent again (a replay within the signature's window) is delivered once."""
        with self._seen_lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > keep:
                self._seen.popitem(last=False)
            return True

    def _active(self, db: sa.Connection, column: sa.Column[Any], value: object) -> Optional[sa.RowMapping]:
        return db.execute(sa.select(handovers).where(column == value, handovers.c.status.in_(ACTIVE))
                          .order_by(handovers.c.id.desc()).limit(1)).mappings().first()

    def start(self, conversation_id: str, language: str, contact_name: str, contact_email: Optional[str],
              note: str) -> Handover:
        if self.inbox is None or self._push is None:
            raise Unavailable("no_inbox")
        now = self._clock.now()
        if not self._hours.is_open(now):
            raise Unavailable("office_closed")
        with self._engine.connect() as db:
            if self._active(db, handovers.c.conversation_hash, _hash(conversation_id)) is not None:
                return Handover("waiting", self.pickup_seconds)   # asked again: the same person is on it
        try:
            thread = self.inbox.create_conversation(conversation_id, contact_name, contact_email, note, live=True)
        except ProviderError as error:
            log.warning("the human inbox refused a hand-over", extra={"error": str(error)[:200]})
            raise Unavailable("inbox_unavailable") from error
        with self._engine.begin() as db:
            db.execute(handovers.insert().values(
                conversation_hash=_hash(conversation_id), conversation_id=conversation_id[:200],
                inbox=self.inbox.name, reference=thread.reference, status="waiting",
                language="en" if language == "en" else "pl", created_at=now))
        return Handover("waiting", self.pickup_seconds)

    def relay(self, conversation_id: str, text: str) -> Handover:
        """The customer wrote while a hand-over may be on: relayed when it is (the answer says so),
        otherwise how the last one ended (`resolved`, `unanswered`) or `none`."""
        self.expire_unanswered()
        with self._engine.connect() as db:
            row = db.execute(sa.select(handovers).where(handovers.c.conversation_hash == _hash(conversation_id))
                             .order_by(handovers.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return Handover("none")
        if row["status"] in ACTIVE and self.inbox is not None:
            try:
                self.inbox.post_message(row["reference"], scrub_summary(text)[:RELAYED_LIMIT] or "…")
            except ProviderError as error:
                log.warning("relaying to the human inbox failed", extra={"error": str(error)[:200]})
        return Handover(row["status"], self.pickup_seconds)

    def agent_replied(self, reference: str, agent_name: str, text: str) -> bool:
        with self._engine.begin() as db:
            row = self._active(db, handovers.c.reference, reference)
            if row is None:
                return False
            db.execute(handovers.update().where(handovers.c.id == row["id"]).values(
                status="talking", agent_name=(agent_name or "")[:100] or None,
                picked_up_at=row["picked_up_at"] or self._clock.now()))
        self._push_text(row["conversation_id"], notices.agent_line(agent_name, text, row["language"]), "agent")
        return True

    def given_back(self, reference: str) -> bool:
        with self._engine.begin() as db:
            row = self._active(db, handovers.c.reference, reference)
            if row is None:
                return False
            db.execute(handovers.update().where(handovers.c.id == row["id"]).values(
                status="resolved", closed_at=self._clock.now()))
        self._push_text(row["conversation_id"], notices.handover_resolved(row["language"]), "assistant")
        return True

    def expire_unanswered(self) -> int:
        """Hand-overs nobody picked up in time: the customer is offered a case, staff get a note."""
        deadline = self._clock.now() - timedelta(seconds=self.pickup_seconds)
        with self._engine.begin() as db:
            rows = db.execute(sa.select(handovers).where(handovers.c.status == "waiting",
                                                         handovers.c.created_at < deadline)).mappings().all()
            expired = [row for row in rows if db.execute(handovers.update().where(
                handovers.c.id == row["id"], handovers.c.status == "waiting").values(
                status="unanswered", closed_at=self._clock.now())).rowcount == 1]
        for row in expired:
            self._push_text(row["conversation_id"], notices.handover_unanswered(row["language"]), "assistant")
            if self.inbox is not None:
                try:
                    self.inbox.post_note(row["reference"], notices.UNANSWERED_NOTE)
                except ProviderError as error:
                    log.warning("note to the human inbox failed", extra={"error": str(error)[:200]})
        return len(expired)

    def _push_text(self, conversation_id: str, text: str, speaker: str) -> None:
        if self._push is not None:
            self._push.send(conversation_id, text, speaker)

    def watch(self, every: float = 5.0) -> None:
        """The pickup deadline is kept even when the customer writes nothing (a background thread)."""
        def loop() -> None:
            while not self._stopping.wait(every):
                try:
                    self.expire_unanswered()
                except Exception as error:  # noqa: BLE001 — the next round tries again
                    log.warning("checking hand-overs failed", extra={"error": type(error).__name__})
        if self.inbox is not None:
            threading.Thread(target=loop, name="handovers", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
