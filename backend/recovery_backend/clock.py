"""The one source of "now": real time, or the pinned RECOVERY_NOW in development."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional


class Clock:
    def __init__(self, pinned: Optional[datetime] = None):
        self.pinned = pinned

    def now(self) -> datetime:
        # Always UTC: SQLite keeps datetimes without an offset.
        return (self.pinned or datetime.now(timezone.utc)).astimezone(timezone.utc)
