"""Sending to a provider without losing the message and without re-running the turn.

A send that fails for a passing reason (network, 5xx, rate limit) is retried a
few times at once and then in the background; a send the provider refuses for
good is logged (never with the text) and dropped. Nothing raises into Rasa, so
a provider's hiccup never aborts a turn that already happened (and was saved).

Every failed try, every recovery (delivered after a failed try) and every final failure is a
structured log line with the message's request id and conversation pseudonym (runtime/message_log.py)
and is counted in `assistant_deliveries_total{channel, outcome}`; a send delivered at first try is only
counted.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Optional

import aiohttp
from prometheus_client import Counter

from runtime.message_log import current, line

log = logging.getLogger(__name__)
DELIVERIES = Counter("assistant_deliveries_total", "Sends to a channel's provider by outcome: delivered (at first "
                     "try), retrying (a try failed for a passing reason), recovered (delivered after failed tries), "
                     "failed (refused, or given up), relayed (to another instance's web-chat client)", ["channel", "outcome"])
INLINE_DELAYS = (0.3, 1.0)           # retries while the turn is being answered
BACKGROUND_DELAYS = (5, 15, 45, 120)  # then, off the turn
MAX_WAIT = 30.0


@dataclass
class Outcome:
    ok: bool
    retry: bool = False
    retry_after: Optional[float] = None
    error: str = ""


_background: set[asyncio.Task] = set()


async def deliver(attempt: Callable[[], Awaitable[Outcome]], what: str, channel: str) -> bool:
    """True once delivered; False when refused for good (or handed to the background)."""
    tries = 1
    outcome = await _try(attempt, what)
    for delay in INLINE_DELAYS:
        if outcome.ok or not outcome.retry:
            break
        _failed_try(channel, what, outcome, tries)
        await asyncio.sleep(min(outcome.retry_after or delay, MAX_WAIT))
        outcome = await _try(attempt, what)
        tries += 1
    if outcome.ok:
        _delivered(channel, what, tries)
        return True
    if outcome.retry:
        _failed_try(channel, what, outcome, tries)
        task = asyncio.ensure_future(_later(attempt, what, channel, outcome, tries))
        _background.add(task)
        task.add_done_callback(_background.discard)
    else:
        _gave_up(channel, what, outcome, tries, "refused")
    return False


async def _later(attempt: Callable[[], Awaitable[Outcome]], what: str, channel: str, outcome: Outcome,
                 tries: int) -> None:
    for number, delay in enumerate(BACKGROUND_DELAYS):
        await asyncio.sleep(min(outcome.retry_after or delay, MAX_WAIT * 4))
        outcome = await _try(attempt, what)
        tries += 1
        if outcome.ok or not outcome.retry:
            break
        if number < len(BACKGROUND_DELAYS) - 1:
            _failed_try(channel, what, outcome, tries)
    if outcome.ok:
        _delivered(channel, what, tries)
    else:
        _gave_up(channel, what, outcome, tries, "not delivered")


def sent(channel: str) -> None:
    """A message handed to a client connected to this process (the web chat)."""
    DELIVERIES.labels(channel, "delivered").inc()


def relayed(channel: str) -> None:
    """A message for a client of another instance, handed to Redis (the web chat in the scaled set-up)."""
    DELIVERIES.labels(channel, "relayed").inc()


def lost(channel: str, what: str, why: str) -> None:
    """A message nobody could receive (the web chat's client gone before its answer)."""
    DELIVERIES.labels(channel, "failed").inc()
    log.warning(line(**_fields(channel, what, 1), outcome="failed", why=why))


def _fields(channel: str, what: str, tries: int) -> dict:
    request_id, conversation = current()
    return {"event": "delivery", "channel": channel, "what": what, "conversation": conversation,
            "request_id": request_id, "tries": tries}


def _failed_try(channel: str, what: str, outcome: Outcome, tries: int) -> None:
    DELIVERIES.labels(channel, "retrying").inc()
    log.warning(line(**_fields(channel, what, tries), outcome="retrying", error=outcome.error))


def _delivered(channel: str, what: str, tries: int) -> None:
    if tries == 1:
        DELIVERIES.labels(channel, "delivered").inc()
        return
    DELIVERIES.labels(channel, "recovered").inc()
    log.info(line(**_fields(channel, what, tries), outcome="recovered"))


def _gave_up(channel: str, what: str, outcome: Outcome, tries: int, why: str) -> None:
    DELIVERIES.labels(channel, "failed").inc()
    log.error(line(**_fields(channel, what, tries), outcome="failed", why=why, error=outcome.error))


async def _try(attempt: Callable[[], Awaitable[Outcome]], what: str) -> Outcome:
    try:
        return await attempt()
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
        return Outcome(False, retry=True, error=type(error).__name__)
    except Exception as error:  # a bug must not abort the turn either
        log.exception("%s failed", what)
        return Outcome(False, error=type(error).__name__)
