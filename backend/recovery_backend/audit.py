"""The audit trail of every change made on a customer's behalf (masked values only)."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

from .clock import Clock
from .storage import audit_log


class AuditLog:
    def __init__(self, engine: sa.Engine, clock: Clock):
        self._engine, self._clock = engine, clock

    def record(self, action: str, channel: str, account_id: Optional[int], details: str) -> None:
        with self._engine.begin() as db:
            db.execute(audit_log.insert().values(at=self._clock.now(), action=action, channel=channel[:30],
                                                 account_id=account_id, details=details[:500]))

    def entries(self) -> list[dict[str, Any]]:
        with self._engine.connect() as db:
            return [dict(row) for row in db.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings()]
