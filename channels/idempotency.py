"""Remembers which deliveries were already handled, so a redelivery (Slack's
`event_id`, Telegram's `update_id`, a re-sent web chat message) is never
answered twice. Redis when `REDIS_URL` (or the scaled set-up's `REDIS_HOST`…) is
set, so several Rasa instances share it; else this process's memory.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Optional

from runtime.settings import rasa_process_settings

log = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600  # longer than any provider retries (Slack: ~1 h, Telegram: ~1 day)
MEMORY_LIMIT = 100_000


class MemoryDeliveries:
    def __init__(self) -> None:
        self.seen: "OrderedDict[str, float]" = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = time.monotonic()
        while self.seen and next(iter(self.seen.values())) < now - KEEP_SECONDS:
            self.seen.popitem(last=False)
        if key in self.seen:
            return False
        self.seen[key] = now
        if len(self.seen) > MEMORY_LIMIT:
            self.seen.popitem(last=False)
        return True

    async def forget(self, key: str) -> None:
        self.seen.pop(key, None)

    async def known(self, key: str) -> bool:
        return key in self.seen


class RedisDeliveries:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis  # only where Redis is configured

        self.redis = redis.from_url(url)

    async def first_time(self, key: str) -> bool:
        # SET NX is atomic: of two instances receiving the same delivery, one wins.
        return bool(await self.redis.set(f"delivery:{key}", b"1", nx=True, ex=KEEP_SECONDS))

    async def forget(self, key: str) -> None:
        await self.redis.delete(f"delivery:{key}")

    async def known(self, key: str) -> bool:
        return bool(await self.redis.exists(f"delivery:{key}"))


_shared: Optional[object] = None


def deliveries():
    """One store per process."""
    global _shared
    if _shared is None:
        url = rasa_process_settings().redis_url
        _shared = RedisDeliveries(url) if url else MemoryDeliveries()
        log.info("Delivery ids kept in %s", "Redis" if url else "memory")
    return _shared
