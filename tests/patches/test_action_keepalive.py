"""rasa_patches/action_keepalive.py: action calls reuse one connection instead of a new one per message."""
from __future__ import annotations

import asyncio
import json
import subprocess

import pytest
from rasa.utils.endpoints import EndpointConfig

from rasa_patches import action_keepalive


class CountingServer:
    """A keep-alive HTTP/1.1 server answering `{}` that counts the connections it accepted."""

    def __init__(self) -> None:
        self.connections = 0
        self.headers_seen: list[str] = []

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()
        await asyncio.sleep(0.05)  # let the connection handlers see their clients go

    async def _serve(self, reader, writer) -> None:
        self.connections += 1
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break  # the client closed the connection
            self.headers_seen.append(head.decode("latin-1"))
            length = next((int(line.split(":")[1]) for line in head.decode("latin-1").split("\r\n")
                           if line.lower().startswith("content-length:")), 0)
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()
        writer.close()


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "session", action_keepalive._original)
    action_keepalive.apply()
    assert action_keepalive.is_applied()
    yield
    action_keepalive._sessions.clear()


async def test_calls_share_one_connection_and_keep_rasas_headers(patched):
    server = CountingServer()
    url = await server.start()
    endpoint = EndpointConfig(url=f"{url}/webhook", headers={"Authorization": "Bearer s3cret"})
    for _ in range(3):
        assert await endpoint.request(json={"next_action": "action_turn"}, method="post") == {}
    # an equal configuration built again (Rasa does) gets the same session
    assert await EndpointConfig(url=f"{url}/webhook", headers={"Authorization": "Bearer s3cret"}).request(
        json={}, method="post") == {}
    assert server.connections == 1
    assert all("Authorization: Bearer s3cret" in head for head in server.headers_seen)
    assert len(server.headers_seen) == 4
    for session in action_keepalive._sessions.values():
        await session.close()
    await server.stop()


async def test_unpatched_rasa_connects_for_every_call(monkeypatch):
    # The cost the patch takes out, shown on Rasa's own code: a new connection per call.
    monkeypatch.setattr(EndpointConfig, "session", action_keepalive._original)
    server = CountingServer()
    url = await server.start()
    endpoint = EndpointConfig(url=f"{url}/webhook")
    for _ in range(3):
        await endpoint.request(json={}, method="post")
    await server.stop()
    assert server.connections == 3


def test_the_running_server_keeps_its_action_server_connection(stack, sender_id):
    rasa_pid = stack.services["rasa"].process.pid

    def rasa_connections_to_actions() -> set[str]:
        listing = subprocess.run(["ss", "-Htnp", "state", "established", "dst", f"127.0.0.1:{stack.actions_port}"],
                                 capture_output=True, text=True, check=True).stdout
        return {line.split()[2] for line in listing.splitlines() if f"pid={rasa_pid}," in line}

    stack.say(sender_id, "dzien dobry")
    first = rasa_connections_to_actions()
    stack.say(sender_id, "w jakich godzinach pracujecie?")
    assert first and rasa_connections_to_actions() == first, json.dumps(sorted(first))
