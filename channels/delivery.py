"""Sending to a provider without losing the message and without re-running the turn.

A send that fails for a passing reason (network, 5xx, rate limit) is retried a
few times at once and then in the background; a send the provider refuses for
good is logged (never with the text) and dropped. Nothing raises into Rasa, so
a provider's hiccup never aborts a turn that already happened (and was saved).
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Set

log = logging.getLogger(__name__)
INLINE_DELAYS = (0.3, 1.0)           # retries while the turn is being answered
BACKGROUND_DELAYS = (5, 15, 45, 120)  # then, off the turn
MAX_WAIT = 30.0


@dataclass
class Outcome:
    ok: bool
    retry: bool = False
    retry_after: Optional[float] = None
    error: str = ""


_background: Set[asyncio.Task] = set()


async def deliver(attempt: Callable[[], Awaitable[Outcome]], what: str) -> bool:
    """True once delivered; False when refused for good (or handed to the background)."""
    outcome = await _try(attempt, what)
    for delay in INLINE_DELAYS:
        if outcome.ok or not outcome.retry:
            break
        await asyncio.sleep(min(outcome.retry_after or delay, MAX_WAIT))
        outcome = await _try(attempt, what)
    if outcome.ok:
        return True
    if outcome.retry:
        task = asyncio.ensure_future(_later(attempt, what, outcome))
        _background.add(task)
        task.add_done_callback(_background.discard)
    else:
        log.error("%s refused: %s", what, outcome.error)
    return False


async def _later(attempt: Callable[[], Awaitable[Outcome]], what: str, outcome: Outcome) -> None:
    for delay in BACKGROUND_DELAYS:
        await asyncio.sleep(min(outcome.retry_after or delay, MAX_WAIT * 4))
        outcome = await _try(attempt, what)
        if outcome.ok or not outcome.retry:
            break
    if not outcome.ok:
        log.error("%s not delivered: %s", what, outcome.error)


async def _try(attempt: Callable[[], Awaitable[Outcome]], what: str) -> Outcome:
    try:
        return await attempt()
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
        return Outcome(False, retry=True, error=type(error).__name__)
    except Exception as error:  # a bug must not abort the turn either
        log.exception("%s failed", what)
        return Outcome(False, error=type(error).__name__)
