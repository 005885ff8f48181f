"""runtime/action_replay.py: one customer message, one run of an action, however often
Rasa asks (a turn retried on another instance), even when the first caller hung up."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import ActionExecutor

from runtime import action_replay


def call(message_id: str, events: int = 3, action: str = "action_turn") -> dict:
    user = {"event": "user", "text": "601 234 567", "message_id": message_id}
    return {"next_action": action, "tracker": {"sender_id": "rest:a",
                                               "events": [{"event": "action"}] * (events - 1) + [user]}}


@pytest.fixture
def runs(monkeypatch):
    made = []

    async def slow_action(self, action_call):
        made.append(action_call["tracker"]["events"][-1]["message_id"])
        await asyncio.sleep(0.2)
        return {"events": [{"event": "slot", "value": len(made)}], "responses": []}

    monkeypatch.setattr(action_replay, "_original", slow_action)
    monkeypatch.setattr(action_replay, "_calls", type(action_replay._calls)())
    monkeypatch.setattr(ActionExecutor, "run", ActionExecutor.run)
    action_replay.install()
    return made


def test_a_repeated_call_joins_or_replays_the_first_one(runs):
    executor = ActionExecutor()

    async def scenario():
        first, second = await asyncio.gather(executor.run(call("m1")), executor.run(call("m1")))
        third = await executor.run(call("m1"))
        other = await executor.run(call("m2"))
        later_in_the_turn = await executor.run(call("m1", events=5))
        return first, second, third, other, later_in_the_turn

    first, second, third, other, later = asyncio.run(scenario())
    assert first == second == third
    assert other != first and later != first
    assert runs == ["m1", "m2", "m1"]


def test_a_caller_that_hangs_up_does_not_cancel_the_action(runs):
    executor = ActionExecutor()

    async def scenario():
        dying = asyncio.ensure_future(executor.run(call("m1")))
        await asyncio.sleep(0.05)
        dying.cancel()  # the Rasa instance died: its HTTP request is gone
        return await executor.run(call("m1"))  # the retried turn on the other instance

    answer = asyncio.run(scenario())
    assert answer["events"][0]["value"] == 1 and runs == ["m1"]
