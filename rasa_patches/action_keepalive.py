"""Keep the connection to the action server open between calls.

Rasa 3.6.21's `EndpointConfig.request` (every action call, once per customer
message here) opens an aiohttp session, connects, sends and closes it again: a
TCP connect and teardown per message on both sides. The patched `session()`
hands out one long-lived session per endpoint (same headers, authentication and
total timeout as Rasa's) and running event loop; leaving its `async with` does
not close it. Idle connections are dropped after KEEPALIVE_SECONDS, well before
the action server (Sanic) drops them, so a connection is never reused just as
the server closes it.
"""
from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

KEEPALIVE_SECONDS = 2.0  # Sanic's KEEP_ALIVE_TIMEOUT, the action server's, is 5 s
_original = EndpointConfig.session
_sessions: dict[tuple[Any, ...], aiohttp.ClientSession] = {}


class _KeptOpen:
    """What `async with endpoint.session() as session` gets: the shared session, not closed on exit."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: Any) -> None:
        return None


def _key(endpoint: EndpointConfig, loop: asyncio.AbstractEventLoop) -> tuple[Any, ...]:
    # By value: Rasa may build equal EndpointConfig objects more than once (they are not hashable).
    return (id(loop), endpoint.url, tuple(sorted((endpoint.headers or {}).items())),
            tuple(sorted((endpoint.basic_auth or {}).items())))


def session(self: EndpointConfig):
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _original(self)  # outside a loop: Rasa's own, closed after use
    key = _key(self, loop)
    kept = _sessions.get(key)
    if kept is None or kept.closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        kept = aiohttp.ClientSession(
            headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS))
        _sessions[key] = kept
    return _KeptOpen(kept)


async def close_sessions(*_: Any) -> None:
    """Closes this loop's kept sessions; the server calls it when it stops (asyncio logs an
    "Unclosed client session" ERROR for each session still open when the loop ends)."""
    loop = asyncio.get_running_loop()
    for key, kept in list(_sessions.items()):
        if key[0] == id(loop):
            del _sessions[key]
            await kept.close()


def is_applied() -> bool:
    return EndpointConfig.session is session


def apply() -> None:
    EndpointConfig.session = session
