"""A message with nothing in it — empty, spaces, only invisible characters — gets a short answer
on every channel and runs no turn (issue 17, finding 6: REST answered 503, which tells clients to
resend, so they looped; socket.io gave no acknowledgement; Telegram did not answer a zero-width
space)."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from channels.limits import EMPTY
from devstack import Stack
from tests.channels import test_slack
from tests.channels.fake_slack import FakeSlackApi
from tests.channels.fake_telegram import FakeBotApi
from tests.channels.socketio_client import ChatClient
from tests.channels.test_conversation_ids import post_rest
from tests.channels.test_telegram import SECRET, TOKEN, message, post

BLANKS = ["", "   ", "\u200b", "\u200b\u200d\ufeff\u2060", "\u3164", "\n\t \u00a0"]


@pytest.fixture(scope="module")
def channels(tmp_path_factory):
    telegram = FakeBotApi(TOKEN)
    slack = FakeSlackApi(test_slack.TOKEN, {test_slack.DM, test_slack.GENERAL})
    stack = Stack(tmp_path_factory.mktemp("blank"), extra_env={
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE": telegram.url,
        "SLACK_BOT_TOKEN": test_slack.TOKEN, "SLACK_SIGNING_SECRET": test_slack.SECRET, "SLACK_API_BASE": slack.url})
    try:
        yield stack.start_all(), telegram, slack
    finally:
        stack.stop()
        telegram.stop()
        slack.stop()


def user_turns(stack, conversation: str) -> int:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (conversation,)).fetchone()[0]


@pytest.mark.parametrize("text", BLANKS)
def test_rest_answers_without_a_turn(channels, text, sender_id):
    stack, _, _ = channels
    status, replies = post_rest(stack, {"sender": sender_id, "message": text})
    assert status == 200 and [reply["text"] for reply in replies] == [EMPTY]
    assert user_turns(stack, f"rest:{sender_id}") == 0


def test_socketio_acknowledges_and_answers(channels):
    stack, _, _ = channels

    async def scenario():
        client = ChatClient(stack.rasa_url, origin=f"http://127.0.0.1:{stack.web_port}")
        await client.connect()
        token = await client.session()
        for index, text in enumerate(BLANKS):
            assert (await client.say(text, timeout=10))["ok"] is True
            await client.wait(lambda seen=index: len(client.bot) > seen)
        assert [message["text"] for message in client.bot] == [EMPTY] * len(BLANKS)
        assert user_turns(stack, "sio:" + token.split(".")[0]) == 0
        await client.close()

    asyncio.run(scenario())


def test_telegram_answers_a_zero_width_space(channels):
    stack, telegram, _ = channels
    for user, text in enumerate(BLANKS[1:], start=8101):
        assert post(stack, message(user, text=text)) == 200
        assert [sent["text"] for sent in telegram.messages(user)] == [EMPTY]
        assert user_turns(stack, f"tg:{user}") == 0


def test_slack_answers_an_empty_message(channels):
    stack, _, slack = channels
    assert test_slack.send(stack, test_slack.event("\u200b")) == 200
    assert test_slack.wait_for(lambda: slack.to(test_slack.DM))
    assert [post["text"] for post in slack.to(test_slack.DM)] == [EMPTY]
