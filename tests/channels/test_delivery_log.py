"""A send to a channel's provider that fails and later recovers leaves a trace: a log line per failed
try, one for the recovery or the final failure (with the message's request id and conversation
pseudonym), and `assistant_deliveries_total{channel, outcome}`."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest
from prometheus_client import REGISTRY

from channels import delivery
from channels.delivery import Outcome, deliver
from runtime import message_log


def count(channel: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("assistant_deliveries_total", {"channel": channel, "outcome": outcome}) or 0.0


def lines(caplog) -> list[dict]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == delivery.log.name]


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(delivery, "INLINE_DELAYS", (0, 0))
    monkeypatch.setattr(delivery, "BACKGROUND_DELAYS", (0, 0, 0))


def provider(*outcomes: Outcome):
    answers = list(outcomes)

    async def attempt() -> Outcome:
        return answers.pop(0)
    return attempt


def test_a_send_that_fails_then_recovers_is_logged_and_counted(caplog):
    before = {outcome: count("telegram", outcome) for outcome in ("retrying", "recovered", "delivered")}

    async def send():
        message_log._CURRENT.set(("r-abcdefghabcdefgh", "c-abcdefghabcdefgh"))
        return await deliver(provider(Outcome(False, retry=True, error="502"), Outcome(True)), "Telegram sendMessage",
                             "telegram")
    with caplog.at_level(logging.INFO, logger=delivery.log.name):
        assert asyncio.run(send())
    assert [(line["outcome"], line["tries"]) for line in lines(caplog)] == [("retrying", 1), ("recovered", 2)]
    assert all(line["request_id"] == "r-abcdefghabcdefgh" and line["conversation"] == "c-abcdefghabcdefgh"
               and line["channel"] == "telegram" for line in lines(caplog))
    assert count("telegram", "retrying") - before["retrying"] == 1
    assert count("telegram", "recovered") - before["recovered"] == 1
    assert count("telegram", "delivered") == before["delivered"]


def test_a_send_recovered_in_the_background_and_one_given_up(caplog):
    recovered, failed = count("slack", "recovered"), count("slack", "failed")

    async def sends():
        passing = Outcome(False, retry=True, error="503 service_unavailable")
        await deliver(provider(passing, passing, passing, Outcome(True)), "Slack chat.postMessage", "slack")
        await deliver(provider(*[passing] * 7), "Slack chat.postMessage", "slack")
        await deliver(provider(Outcome(False, error="400 channel_not_found")), "Slack chat.postMessage", "slack")
        await asyncio.gather(*delivery._background)
    with caplog.at_level(logging.INFO, logger=delivery.log.name):
        asyncio.run(sends())
    outcomes = [(line["outcome"], line.get("why")) for line in lines(caplog) if line["outcome"] != "retrying"]
    assert sorted(outcomes, key=str) == sorted([("recovered", None), ("failed", "not delivered"),
                                                ("failed", "refused")], key=str)
    assert count("slack", "recovered") - recovered == 1 and count("slack", "failed") - failed == 2


def test_a_send_delivered_at_once_is_only_counted(caplog):
    before = count("telegram", "delivered")
    with caplog.at_level(logging.INFO, logger=delivery.log.name):
        assert asyncio.run(deliver(provider(Outcome(True)), "Telegram sendMessage", "telegram"))
    assert not lines(caplog) and count("telegram", "delivered") - before == 1


class Rooms:
    """python-socketio's manager as the web chat's output reads it: who is in a room."""

    def __init__(self, rooms: dict):
        self.rooms = rooms

    def get_participants(self, namespace, room):
        yield from ((sid, sid) for sid in self.rooms[namespace][room])


class Server:
    def __init__(self, rooms: dict):
        self.manager, self.emitted = Rooms(rooms), []

    async def emit(self, event, data, room=None, **kwargs):
        self.emitted.append((event, room))


def test_a_web_chat_answer_with_no_client_left_is_logged_and_counted(caplog):
    from channels.socketio import SocketIOOutput

    server = Server({"/": {"sio:here": ["a1"]}})
    output = SocketIOOutput(server, "bot_uttered")
    delivered, failed = count("socketio", "delivered"), count("socketio", "failed")
    with caplog.at_level(logging.INFO, logger=delivery.log.name):
        asyncio.run(output.send_text_message("sio:here", "Dzień dobry"))
        asyncio.run(output.send_text_message("sio:gone", "Dzień dobry"))
    assert count("socketio", "delivered") - delivered == 1 and count("socketio", "failed") - failed == 1
    [line] = lines(caplog)
    assert (line["channel"], line["outcome"], line["why"]) == ("socketio", "failed", "no client connected")
    assert ("bot_uttered", "sio:gone") in server.emitted
