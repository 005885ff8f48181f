"""A turn run again on another Rasa instance gets the action's first answer.

When a Rasa instance dies after calling an action but before saving the turn, the
client's retry runs the turn again on another instance with the same message id
(channels/rest.py). The action has already done its work at the backend (a code
sent); running it again would ask for a second code, which the cooldown refuses,
and the conversation would lose its step. So the action server remembers its
answer per conversation, message, action and position in the conversation for
REPLAY_SECONDS, and a call still running is joined, never repeated. The action
runs in a task of its own: a caller that hangs up (the dying instance) does not
cancel it half-way.

Kept in this process: a retry reaches the same action server when there is one,
or when the action servers are balanced by conversation.
"""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any, Optional

from rasa_sdk.executor import ActionExecutor

REPLAY_SECONDS = 600
LIMIT = 10_000
Key = tuple[str, str, str, int]

_original = ActionExecutor.run
_calls: OrderedDict[Key, tuple[float, asyncio.Future]] = OrderedDict()


def call_key(action_call: dict[str, Any]) -> Optional[Key]:
    tracker = action_call.get("tracker") or {}
    events = tracker.get("events") or []
    message_id = next((event.get("message_id") for event in reversed(events) if event.get("event") == "user"), None)
    if not message_id:
        return None
    return str(tracker.get("sender_id")), str(message_id), str(action_call.get("next_action")), len(events)


def _forget_old(now: float) -> None:
    while _calls:
        started, future = next(iter(_calls.values()))
        if len(_calls) <= LIMIT and (started > now - REPLAY_SECONDS or not future.done()):
            return
        _calls.popitem(last=False)


async def run(self: ActionExecutor, action_call: dict[str, Any]) -> Optional[dict[str, Any]]:
    key = call_key(action_call)
    if key is None:
        return await _original(self, action_call)
    now = time.monotonic()
    _forget_old(now)
    known = _calls.get(key)
    if known is None or (known[1].done() and known[1].exception() is not None):
        future = asyncio.ensure_future(_original(self, action_call))
        _calls[key] = (now, future)
    else:
        future = known[1]
    return await asyncio.shield(future)


def install() -> None:
    ActionExecutor.run = run
