"""A socket.io client speaking the web chat's protocol, for tests (python-socketio's own client)."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Optional

import socketio


class ChatClient:
    def __init__(self, url: str, origin: Optional[str] = None):
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.bot: list[dict] = []
        self.confirmed: list[Any] = []
        self.client.on("bot_uttered", lambda message: self.bot.append(message))
        self.client.on("session_confirm", lambda token: self.confirmed.append(token))

    async def connect(self) -> None:
        headers = {"Origin": self.origin} if self.origin else {}
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"], headers=headers)

    async def session(self, token: Any = None, timeout: float = 10) -> str:
        before = len(self.confirmed)
        await self.client.emit("session_request", {"session_id": token} if token is not None else {})
        await self.wait(lambda: len(self.confirmed) > before, timeout)
        return self.confirmed[-1]

    async def say(self, text: str, timeout: float = 30, **extra: Any) -> Any:
        """Sends a message; returns the server's acknowledgement (after the whole turn)."""
        return await self.client.call("user_uttered", {"message": text, **extra}, timeout=timeout)

    async def wait(self, condition, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the chat server")
            await asyncio.sleep(0.05)

    def texts(self) -> str:
        return "\n".join(str(message.get("text", "")) for message in self.bot)

    async def close(self) -> None:
        await self.client.disconnect()
