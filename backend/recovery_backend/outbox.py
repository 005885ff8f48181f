"""Durable delivery of SMS and e-mails (issue 11 #2).

A message is a row in the `outbox` table, written in the same transaction as what caused it
(a verification start, an e-mail change), so nothing is lost when the process dies. Workers
(threads, OUTBOX_WORKERS) claim due rows one at a time with a conditional UPDATE, so no row is
sent by two workers or two replicas; each send has a deadline (the providers' HTTP and SMTP
timeouts); a failed send is retried with exponential backoff until its give-up time.

A row found "sending" after a restart was interrupted mid-send: whether the provider got it is
unknown, and a second SMS is worse than asking the customer to request a new code, so it is
marked failed (at most once) and audited. Every outcome is audited with the recipient masked.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import sqlalchemy as sa

from contact_rules import mask_email, mask_phone

from .audit import AuditLog
from .clock import Clock
from .metrics import Metrics
from .ports import ProviderError
from .sealing import SealBroken, Sealer, unseal_before_aes_gcm
from .storage import outbox

log = logging.getLogger("recovery_backend.outbox")

# A row's payload as its sender reads it: "to" and the fields of its kind (text, subject, language…).
Message = dict[str, Any]


def _utc(moment: datetime) -> datetime:
    """Datetimes read back from SQLite lose their offset; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Outbox:
    def __init__(self, engine: sa.Engine, clock: Clock, sealer: Sealer, audit: AuditLog,
                 senders: dict[str, Callable[[Message], None]], workers: int = 4, send_deadline: float = 15,
                 backoff: float = 2.0, metrics: Optional[Metrics] = None):
        self._engine, self._clock, self._sealer, self._audit = engine, clock, sealer, audit
        self._senders, self._workers, self._deadline, self._backoff = senders, workers, send_deadline, backoff
        self._metrics = metrics
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0

    # --- writing -------------------------------------------------------------------------
    def add(self, db: sa.Connection, kind: str, to: str, message: Message, give_up_after: timedelta) -> None:
        """Queue a message inside the caller's transaction."""
        now = self._clock.now()
        db.execute(outbox.insert().values(
            kind=kind, masked_to=mask_email(to) if "@" in to else mask_phone(to),
            payload=self._sealer.seal(json.dumps({"to": to, **message})), status="pending", attempts=0,
            created_at=now, next_attempt_at=now, give_up_at=now + give_up_after))

    def notify(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def send_email(self, to: str, subject: str, body: str, give_up_after: timedelta = timedelta(hours=24)) -> None:
        """EmailSender for the services: queued in its own transaction."""
        with self._engine.begin() as db:
            self.add(db, "email", to, {"subject": subject, "body": body}, give_up_after)
        self.notify()

    def send_sms(self, to: str, text: str, give_up_after: timedelta = timedelta(hours=1)) -> None:
        with self._engine.begin() as db:
            self.add(db, "sms", to, {"text": text}, give_up_after)
        self.notify()

    # --- workers ---------------------------------------------------------------------------
    def start(self, legacy_secret: bytes = b"") -> None:
        self._recover_interrupted()
        self.reseal_pending(legacy_secret)
        for number in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"outbox-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 20) -> None:
        """Let in-flight sends finish (each within its deadline); pending rows wait for the next start."""
        self._stopping.set()
        self.notify()
        for thread in self._threads:
            thread.join(timeout)

    def _recover_interrupted(self) -> None:
        now = self._clock.now()
        with self._engine.begin() as db:
            rows = db.execute(sa.select(outbox.c.id, outbox.c.kind, outbox.c.masked_to).where(
                outbox.c.status == "sending", outbox.c.lease_until < now)).all()
            for row in rows:
                db.execute(outbox.update().where(outbox.c.id == row.id, outbox.c.status == "sending").values(
                    status="failed", payload="", finished_at=now, last_error="interrupted mid-send; not repeated"))
        for row in rows:
            self._audit.record(f"outbox_{row.kind}_failed", "backend", None, f"to {row.masked_to}: interrupted, not repeated")

    def reseal_pending(self, legacy_secret: bytes = b"") -> int:
        """Pending rows sealed before AES-GCM (with `legacy_secret`, CODE_SECRET) or with an older
        SEAL_KEYS key are sealed again with the newest key, so old keys can be dropped once this ran."""
        moved = 0
        with self._engine.begin() as db:
            rows = db.execute(sa.select(outbox.c.id, outbox.c.payload).where(
                outbox.c.status.in_(("pending", "sending")), outbox.c.payload != "")).all()
            for row in rows:
                if self._sealer.is_current(row.payload):
                    continue
                try:
                    text = (self._sealer.unseal(row.payload) if row.payload.startswith("g1.")
                            else unseal_before_aes_gcm(legacy_secret, row.payload))
                except (SealBroken, ValueError):
                    log.warning("outbox row cannot be unsealed with the configured keys", extra={"row": row.id})
                    continue
                db.execute(outbox.update().where(outbox.c.id == row.id, outbox.c.payload == row.payload)
                           .values(payload=self._sealer.seal(text)))
                moved += 1
        if moved:
            log.info("outbox rows sealed again with the newest key", extra={"count": moved})
        return moved

    def _work(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                self._busy += 1  # from the claim until this worker waits again (join() counts on it)
            try:
                claimed = self._claim()
                if claimed is not None:
                    self._deliver(claimed)
                    continue
            except Exception as error:  # the database is away: wait and try again, never die
                log.warning("outbox cannot reach the database", extra={"error": type(error).__name__})
                self._stopping.wait(2)
                continue
            finally:
                # No notify here: it would wake the other idle workers, each of which would claim, find
                # nothing and wake the rest again: a storm that kept a core busy (join() polls instead).
                with self._wake:
                    self._busy -= 1
            with self._wake:
                self._wake.wait(0.5)

    def _claim(self) -> Optional[sa.Row[Any]]:
        now = self._clock.now()
        with self._engine.begin() as db:
            due = sa.select(outbox.c.id).where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now) \
                .order_by(outbox.c.id).limit(1)
            if db.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            row_id = db.execute(due).scalar()
            if row_id is None:
                return None
            claimed = db.execute(outbox.update().where(outbox.c.id == row_id, outbox.c.status == "pending").values(
                status="sending", attempts=outbox.c.attempts + 1,
                lease_until=now + timedelta(seconds=self._deadline * 2 + 30),
            ).returning(outbox.c.id, outbox.c.kind, outbox.c.masked_to, outbox.c.payload, outbox.c.attempts,
                        outbox.c.give_up_at)).first()
        return claimed

    def _deliver(self, row: sa.Row[Any]) -> None:
        error = None
        try:
            message = json.loads(self._sealer.unseal(row.payload))
        except SealBroken:
            # Sealed with a key no longer configured: it can never be sent; fail it instead of looping.
            self._finish(row, "sealed with a key no longer configured", retry=False)
            return
        try:
            self._senders[row.kind](message)
        except ProviderError as failure:
            error = str(failure)[:200]
        except Exception as failure:  # a broken sender must not stop the worker
            log.exception("outbox send crashed")
            error = f"{type(failure).__name__}"
        self._finish(row, error)

    def _finish(self, row: sa.Row[Any], error: Optional[str], retry: bool = True) -> None:
        now = self._clock.now()
        kind = row.kind
        if error is None:
            values, outcome = {"status": "sent", "payload": "", "finished_at": now, "last_error": None}, "sent"
        else:
            retry_at = now + timedelta(seconds=self._backoff * 2 ** (row.attempts - 1))
            if retry and retry_at < _utc(row.give_up_at):
                values, outcome = {"status": "pending", "next_attempt_at": retry_at, "last_error": error}, "retried"
            else:
                values, outcome = {"status": "failed", "payload": "", "finished_at": now, "last_error": error}, "failed"
        with self._engine.begin() as db:
            db.execute(outbox.update().where(outbox.c.id == row.id, outbox.c.status == "sending").values(**values))
        if self._metrics:
            self._metrics.delivery(kind, outcome)
        if kind == "none":
            return  # the stand-in for a number that gets no SMS: nothing was sent, nothing to audit
        self._audit.record(f"outbox_{kind}_{outcome}", "backend", None,
                           f"to {row.masked_to}, attempt {row.attempts}" + (f": {error}" if error else ""))
        (log.info if outcome == "sent" else log.warning)(
            f"outbox {kind} {outcome}", extra={"to": row.masked_to, "attempt": row.attempts,
                                              **({"error": error} if error else {})})

    # --- for tests and readiness -------------------------------------------------------------
    def pending(self) -> int:
        now = self._clock.now()
        with self._engine.connect() as db:
            return db.execute(sa.select(sa.func.count()).select_from(outbox).where(
                outbox.c.status.in_(("pending", "sending")), outbox.c.next_attempt_at <= now)).scalar_one()

    def join(self, timeout: float = 10) -> None:
        """Wait until nothing due is waiting or being sent (retries scheduled later don't count)."""
        deadline = time.monotonic() + timeout
        self.notify()
        while time.monotonic() < deadline:
            with self._wake:
                busy = self._busy
            if busy == 0 and self.pending() == 0:
                return
            time.sleep(0.02)
        raise TimeoutError(f"outbox still busy after {timeout} s")
