"""A Redis lock store whose lock is atomic across Rasa instances.

Rasa 3.6's RedisLockStore hands out "tickets" with a GET followed by a SET, so
two instances receiving messages of one conversation at the same moment can
both take ticket 0 and both save the conversation: one message is then lost
(tests/scaling shows it). This store keeps Rasa's interface but guards each
conversation with Redis's own atomic lock (SET NX with an expiry).

The expiry is short and renewed while the message is handled: a lock whose
instance was killed frees itself within HOLD_SECONDS, so the client's retry on
another instance waits that long, not Rasa's 60-second lock lifetime. While
Redis is unreachable (a restart) taking the lock is retried until the usual
deadline; a lock that cannot be released or renewed then simply expires.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, suppress

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import LockError as RedisLockError
from redis.exceptions import LockNotOwnedError, RedisError

log = logging.getLogger(__name__)
POLL_SECONDS = 0.02
HOLD_SECONDS = 5.0
RENEW_SECONDS = HOLD_SECONDS / 3


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = dict(endpoint_config.kwargs)
        super().__init__(host=endpoint_config.url or "localhost", port=int(kwargs.pop("port", 6379)),
                         db=int(kwargs.pop("db", 1)), password=kwargs.pop("password", None),
                         key_prefix=kwargs.pop("key_prefix", None))

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        mutex = self.red.lock(f"{self.key_prefix}mutex:{conversation_id}", timeout=HOLD_SECONDS)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lock_lifetime
        while not _try_acquire(mutex):
            if loop.time() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(POLL_SECONDS)
        renewal = asyncio.ensure_future(_keep(mutex))
        try:
            yield TicketLock(conversation_id)
        finally:
            renewal.cancel()
            with suppress(RedisLockError, RedisError):
                mutex.release()  # else it expired, or Redis is away and it will


def _try_acquire(mutex) -> bool:
    try:
        return bool(mutex.acquire(blocking=False))
    except RedisError as error:
        log.warning("lock store unavailable, retrying: %s", type(error).__name__)
        return False


async def _keep(mutex) -> None:
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            mutex.reacquire()
        except LockNotOwnedError:
            # Expired (the event loop stalled past HOLD_SECONDS) or lost with a Redis restart.
            log.warning("conversation lock lost while handling a message")
            return
        except RedisError as error:
            log.warning("conversation lock not renewed: %s", type(error).__name__)
