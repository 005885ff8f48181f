"""Remembers which deliveries were already handled, so a redelivery (Slack's
`event_id`, Telegram's `update_id`, a re-sent web chat message) is never
answered twice, and the answer given to a REST client's `Idempotency-Key`, so a
retry gets that answer instead of a second turn. Redis when `REDIS_URL` (or the
scaled set-up's `REDIS_HOST`…) is set, so several Rasa instances share it; else
this process's memory.

An answer is kept redacted (runtime/redaction.py), as the conversation keeps it: a retry is
told the same thing, without an address or a number the assistant repeated back.

The answers are a convenience, the conversation is the record: a retry whose
answer Redis lost (a restart) or never got (the instance died right after the
turn was saved) is recognised by its message id in the stored conversation
(rasa_patches/message_once.py) and answered from there.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from typing import Optional

from runtime.redaction import redact_value
from runtime.settings import rasa_process_settings

log = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600  # longer than any provider retries (Slack: ~1 h, Telegram: ~1 day)
MEMORY_LIMIT = 100_000
# A client retries within seconds; answers carry what the customer was shown, so not for long.
ANSWER_KEEP_SECONDS = 600
ANSWER_POLL_SECONDS = 0.05


class MemoryDeliveries:
    def __init__(self) -> None:
        self.seen: OrderedDict[str, float] = OrderedDict()

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

        # Short timeouts: while Redis restarts a call fails fast and the caller decides.
        self.redis = redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)

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


def fingerprint(text: str) -> str:
    """What a key's first message was, kept to recognise the same key sent with another message."""
    return hashlib.sha256(text.encode()).hexdigest()


def message_id(conversation: str, key: str) -> str:
    """The message id of a client's message: the same for every retry of it (same key, same
    conversation), so Rasa can tell a retry from a new message."""
    return hashlib.sha256(f"{conversation}\0{key}".encode()).hexdigest()[:32]


def kept_answer(answer: list) -> list:
    """An answer as it may be kept: its texts (and buttons, custom payloads) redacted."""
    return [{key: value if key == "recipient_id" else redact_value(value) for key, value in message.items()}
            if isinstance(message, dict) else redact_value(message) for message in answer]


class MemoryAnswers:
    def __init__(self) -> None:
        self.kept: OrderedDict[str, tuple[float, list]] = OrderedDict()
        self.claims: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def claim(self, message: str, digest: str) -> Optional[str]:
        """The fingerprint of the message first sent with this id, recording `digest` when none was."""
        now = time.monotonic()
        while self.claims and next(iter(self.claims.values()))[0] < now - KEEP_SECONDS:
            self.claims.popitem(last=False)
        if message in self.claims:
            return self.claims[message][1]
        self.claims[message] = (now, digest)
        if len(self.claims) > MEMORY_LIMIT:
            self.claims.popitem(last=False)
        return None

    async def get(self, message: str) -> Optional[list]:
        now = time.monotonic()
        while self.kept and next(iter(self.kept.values()))[0] < now - ANSWER_KEEP_SECONDS:
            self.kept.popitem(last=False)
        found = self.kept.get(message)
        return found[1] if found else None

    async def put(self, message: str, answer: list) -> None:
        self.kept[message] = (time.monotonic(), kept_answer(answer))
        if len(self.kept) > MEMORY_LIMIT:
            self.kept.popitem(last=False)


class RedisAnswers:
    """Best effort: Redis unreachable means no stored answer, never a failed message."""

    def __init__(self, deliveries: RedisDeliveries) -> None:
        self.redis = deliveries.redis

    async def claim(self, message: str, digest: str) -> Optional[str]:
        try:
            # SET NX: of two instances given the same key at once, one records its message.
            if await self.redis.set(f"claim:{message}", digest, nx=True, ex=KEEP_SECONDS):
                return None
            first = await self.redis.get(f"claim:{message}")
        except Exception as error:
            log.warning("message fingerprints unavailable: %s", type(error).__name__)
            return None
        return first.decode() if first else None

    async def get(self, message: str) -> Optional[list]:
        try:
            stored = await self.redis.get(f"answer:{message}")
        except Exception as error:  # redis-py reconnects on the next call
            log.warning("stored answers unavailable: %s", type(error).__name__)
            return None
        return json.loads(stored) if stored else None

    async def put(self, message: str, answer: list) -> None:
        try:
            await self.redis.set(f"answer:{message}", json.dumps(kept_answer(answer)), ex=ANSWER_KEEP_SECONDS)
        except Exception as error:
            log.warning("answer not stored: %s", type(error).__name__)


_answers: Optional[object] = None


def answers():
    """One store per process, next to the delivery ids."""
    global _answers
    if _answers is None:
        store = deliveries()
        _answers = RedisAnswers(store) if isinstance(store, RedisDeliveries) else MemoryAnswers()
    return _answers


async def answer_within(message: str, seconds: float) -> Optional[list]:
    """The stored answer, waiting up to `seconds` for the instance that is still storing it."""
    deadline = time.monotonic() + seconds
    while True:
        found = await answers().get(message)
        if found is not None or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(ANSWER_POLL_SECONDS)
