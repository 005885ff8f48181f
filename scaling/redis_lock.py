"""A Redis lock store whose lock is atomic across Rasa instances.

Rasa 3.6's RedisLockStore hands out "tickets" with a GET followed by a SET, so
two instances receiving messages of one conversation at the same moment can
both take ticket 0 and both save the conversation: one message is then lost
(tests/scaling shows it). This store keeps Rasa's interface but guards each
conversation with Redis's own atomic lock (SET NX with an expiry).
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import LockError as RedisLockError

POLL_SECONDS = 0.02


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = dict(endpoint_config.kwargs)
        super().__init__(host=endpoint_config.url or "localhost", port=int(kwargs.pop("port", 6379)),
                         db=int(kwargs.pop("db", 1)), password=kwargs.pop("password", None),
                         key_prefix=kwargs.pop("key_prefix", None))

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        mutex = self.red.lock(f"{self.key_prefix}mutex:{conversation_id}", timeout=lock_lifetime)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lock_lifetime
        while not mutex.acquire(blocking=False):
            if loop.time() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield TicketLock(conversation_id)
        finally:
            try:
                mutex.release()
            except RedisLockError:
                pass  # it expired while the message was being handled; nothing to release
