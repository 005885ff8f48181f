"""A person's reply reaches a web-chat customer whichever Rasa instance the backend pushes it to
(issue 20): two instances on one PostgreSQL conversation store and one Redis (lock store and the
socket.io rooms, channels/socketio.py), PostgreSQL and Redis our own. The customer's socket is on
the first instance (connected to it directly, not through nginx, so the test knows which one holds
it); the hand-over push goes to the second."""
from __future__ import annotations

import asyncio
import json
import secrets
import urllib.request

import pytest

from channels.conversation import conversation_id
from devstack import PostgresCluster, RedisServer, Stack, own_servers_missing
from tests.channels.socketio_client import ChatClient
from tests.conftest import require_service

PUSH_TOKEN = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    missing = own_servers_missing()
    if missing:
        require_service(f"PostgreSQL 15 and redis-server ({', '.join(missing)} missing)")
        raise RuntimeError(f"missing: {missing}")
    workdir = tmp_path_factory.mktemp("web-chat-scaled")
    stack = Stack(workdir)
    postgres, redis_server = PostgresCluster(), RedisServer(workdir / "redis")
    try:
        postgres.start()
        redis_server.start()
        stack.extra_env = {"REDIS_URL": redis_server.url, "HANDOVER_PUSH_TOKEN": PUSH_TOKEN}
        endpoints = stack.scaled_endpoints(postgres.connection, postgres.create_database("rasa"), redis_server.connection,
                                           "webchat")
        yield stack.start_scaled(endpoints), stack.second_rasa_url
    finally:
        stack.stop()
        redis_server.stop()
        postgres.stop()


def push(rasa_url: str, conversation: str, text: str) -> dict:
    """What the backend sends during a live hand-over (backend/recovery_backend/handovers.py)."""
    body = json.dumps({"conversation_id": conversation, "text": text, "speaker": "agent"}).encode()
    request = urllib.request.Request(f"{rasa_url}/webhooks/handover/push", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {PUSH_TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_a_push_to_the_other_instance_reaches_the_web_chat_customer(two_instances):
    stack, second = two_instances
    reply = "Dzień dobry, tu Anna z obsługi. Już sprawdzam."

    async def scenario() -> str:
        chat = ChatClient(stack.rasa_url, origin=f"http://127.0.0.1:{stack.web_port}")
        await chat.connect()
        try:
            token = await chat.session()
            conversation = conversation_id("socketio", token.split(".")[0])
            answered = await chat.say("dzień dobry")  # an ordinary turn, on the instance holding the socket
            assert answered["ok"] and chat.bot, "the first instance answers its own client"
            before = len(chat.bot)
            assert await asyncio.to_thread(push, second, conversation, reply) == {"delivered": True}
            await chat.wait(lambda: any(reply in str(m.get("text", "")) for m in chat.bot[before:]), timeout=10)
            return conversation
        finally:
            await chat.close()

    conversation = asyncio.run(scenario())
    events = stack.tracker(conversation, rasa_url=second)["events"]
    assert [e["text"] for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("agent")] == [reply]
