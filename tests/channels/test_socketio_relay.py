"""The web chat's rooms across Rasa instances (channels/socketio.py): with Redis, an emit to a room
with no socket here is published for the instance that holds it, one with a socket here is sent
directly (a web chat's own answers do not depend on Redis); without Redis, rooms stay in the process.
The whole path between two instances: tests/scaling/test_web_chat_across_instances.py."""
from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY
from socketio import AsyncManager, AsyncServer

from channels.socketio import RelayingManager, SocketIOOutput, client_manager


def count(outcome: str) -> float:
    return REGISTRY.get_sample_value("assistant_deliveries_total", {"channel": "socketio", "outcome": outcome}) or 0.0


def server_with_a_client(room: str) -> tuple[AsyncServer, list, list]:
    """A server on a Redis manager (never contacted) with one socket in `room`; what it sends and publishes."""
    manager = RelayingManager("redis://127.0.0.1:9/0")
    server = AsyncServer(async_mode="asgi", client_manager=manager)
    sent, published = [], []

    async def send(eio_sid, packet):
        sent.append(eio_sid)

    async def publish(data):
        published.append((data["event"], data["room"]))

    server._send_eio_packet, manager._publish = send, publish
    sid = manager.connect("eio-1", "/")
    manager.enter_room(sid, "/", room)
    return server, sent, published


def test_a_room_here_is_sent_directly_and_one_elsewhere_goes_through_redis():
    server, sent, published = server_with_a_client("sio:here")
    output = SocketIOOutput(server, "bot_uttered")
    delivered, relayed, failed = count("delivered"), count("relayed"), count("failed")

    async def both() -> None:
        await output.send_text_message("sio:here", "Dzień dobry")
        await asyncio.sleep(0)  # the manager's send tasks
        await output.send_text_message("sio:elsewhere", "Dzień dobry")

    asyncio.run(both())
    assert sent == ["eio-1", "eio-1"] and published == [("bot_uttered", "sio:elsewhere"), ("bot_kept", "sio:elsewhere")]
    assert (count("delivered") - delivered, count("relayed") - relayed, count("failed") - failed) == (1, 1, 0)


def test_without_redis_the_rooms_are_this_process_own():
    assert type(client_manager("")) is AsyncManager
    assert isinstance(client_manager("redis://127.0.0.1:9/0"), RelayingManager)
