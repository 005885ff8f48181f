"""The web chat's socket.io channel with sessions the server issues.

Rasa's channel with `session_persistence` uses whatever `session_id` a client
sends as the conversation id, so a client could join any conversation (a
Slack or Telegram user's included). Here the server issues the session: a
random id, the time of issue, a nonce and an HMAC of them. A client that
reconnects sends the token back and is re-joined only when the signature holds,
the token is younger than SESSION_LIFETIME_SECONDS (the widget keeps a
conversation as long) and it was never used to re-join before: each re-join
spends its token (in the shared delivery store) and is confirmed with a fresh
one for the same session, so a token copied from a client that has since
re-joined opens nothing. Anything else gets a new session. Messages are attributed to the session of the socket that sent
them, never to an id in the message; client metadata is dropped; browsers from
origins that are not configured cannot connect.

The acknowledgement of a message carries `kept`, and every bot message is followed
by a `bot_kept` event with it: the text as the widget may keep it in the browser,
redacted by the same redactor as the conversation store (runtime/redaction.py).
"""
from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncManager, AsyncRedisManager, AsyncServer

from channels import client, delivery, inbound
from channels.conversation import conversation_id
from channels.cors import without_credentials
from channels.idempotency import deliveries
from channels.limits import EMPTY, MAX_MESSAGE_CHARS, TOO_LONG, too_long
from channels.outbound import escape_markdown, is_channel_hint, unescape_markdown
from runtime.redaction import redact_text
from runtime.settings import rasa_process_settings

log = logging.getLogger(__name__)
SIGNATURE_HEX = 32
# Follows each bot message: its text as the widget may keep it in the browser.
KEPT_EVENT = "bot_kept"
# As long as the widget keeps a conversation in the tab (web/static/chat.js, KEEP_MS).
SESSION_LIFETIME_SECONDS = 30 * 60


class SessionSigner:
    """`<random>.<issued>.<nonce>.<signature>` tokens; the conversation is `sio:<random>`."""

    def __init__(self, secret: str, clock=time.time) -> None:
        if not secret:
            log.warning("CHAT_SESSION_SECRET is not set: web chat sessions will not survive a restart")
            secret = secrets.token_hex(32)
        self.key, self.clock = secret.encode(), clock

    def _sign(self, session: str, issued: str, nonce: str) -> str:
        message = f"socketio-session\n{session}\n{issued}\n{nonce}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:SIGNATURE_HEX]

    def issue(self, session: Optional[str] = None) -> str:
        """A token for a new session (or, given one, a fresh token for it)."""
        session = session or secrets.token_urlsafe(24)
        issued, nonce = str(int(self.clock())), secrets.token_hex(8)
        return f"{session}.{issued}.{nonce}.{self._sign(session, issued, nonce)}"

    def session(self, token: Any) -> Optional[str]:
        """The session a token names, or None when it was not issued here or has expired."""
        if not isinstance(token, str) or token.count(".") != 3:
            return None
        session, issued, nonce, signature = token.split(".")
        if not session or not issued.isdigit() or not hmac.compare_digest(self._sign(session, issued, nonce), signature):
            return None
        if not 0 <= self.clock() - int(issued) <= SESSION_LIFETIME_SECONDS:
            return None
        return session

    def conversation(self, token: Any) -> Optional[str]:
        session = self.session(token)
        return conversation_id("socketio", session) if session else None


class RelayingManager(AsyncRedisManager):
    """Rooms across Rasa instances: an emit to a room with no socket in this process is published on
    Redis, and the instance whose socket is in the room sends it (a hand-over push may reach any
    instance, channels/handover.py). A room here is sent to directly, as without Redis, so a web chat's
    own answers neither wait for Redis nor depend on it."""

    async def emit(self, event: str, data: Any, namespace: Optional[str] = None, room: Any = None,
                   skip_sid: Any = None, callback: Any = None, **kwargs: Any) -> None:
        if room is not None and here(self, namespace or "/", room):
            kwargs["ignore_queue"] = True
        await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback,
                           **kwargs)


def here(manager: AsyncManager, namespace: str, room: str) -> bool:
    """Whether a socket of this process is in the room."""
    try:
        return any(True for _ in manager.get_participants(namespace, room))
    except KeyError:
        return False


def client_manager(redis_url: str) -> AsyncManager:
    """Shared through Redis when the instances share one (REDIS_URL, or the scaled set-up's REDIS_HOST),
    else this process's own rooms."""
    return RelayingManager(redis_url, channel="assistant-socketio") if redis_url else AsyncManager()


class SocketIOOutput(RasaSocketIOOutput):
    """Text escaped for clients that render Markdown (the community rasa-webchat),
    buttons as quick replies, hints for other channels left out."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, escape_markdown(text), **kwargs)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        await super().send_text_with_buttons(recipient_id, escape_markdown(text), buttons, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if not is_channel_hint(json_message):
            await self._send_message(recipient_id, json_message)

    async def _send_message(self, socket_id: str, response: Any) -> None:
        # `socket_id` is the conversation's room. A turn runs on the instance that holds its socket, so
        # this process's rooms tell whether the client is still there (channels/delivery.py counts); a
        # room elsewhere is handed to Redis for the instance that holds it, which nobody here can count.
        if here(self.sio.manager, "/", socket_id):
            delivery.sent("socketio")
        elif isinstance(self.sio.manager, RelayingManager):
            delivery.relayed("socketio")
        else:
            delivery.lost("socketio", "socket.io bot_uttered", "no client connected")
        await super()._send_message(socket_id, response)
        if isinstance(response, dict) and isinstance(response.get("text"), str):
            # Redacted as written, so a masked `pa***@n***.pl` is recognised as masked. A separate
            # event: rasa-webchat shows a text message only when `text` is its one key.
            kept = escape_markdown(redact_text(unescape_markdown(response["text"])))
            await self.sio.emit(KEPT_EVENT, {"kept": kept}, room=socket_id)


def _origins(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(origin).rstrip("/") for origin in value if origin]
    return [origin.rstrip("/") for origin in str(value or "").replace(",", " ").split()]


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> SocketIOInput:
        credentials = credentials or {}
        channel = cls(credentials.get("user_message_evt", "user_uttered"),
                      credentials.get("bot_message_evt", "bot_uttered"),
                      credentials.get("namespace"), True, credentials.get("socketio_path", "/socket.io"))
        channel.signer = SessionSigner(credentials.get("session_secret") or "")
        channel.allowed_origins = _origins(credentials.get("allowed_origins"))
        channel.seen = deliveries()
        return channel

    def origin_allowed(self, environ: dict[str, Any]) -> bool:
        origin = (environ.get("HTTP_ORIGIN") or "").rstrip("/")
        if not origin:
            return True  # not a browser page: nothing cross-site to guard against
        if self.allowed_origins:
            return origin in self.allowed_origins
        host = environ.get("HTTP_HOST", "")
        return origin.split("://", 1)[-1] == host  # unconfigured: same origin only

    def get_output_channel(self) -> Optional[SocketIOOutput]:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Origins are checked in `connect` (engine.io's own CORS handling stays off,
        # Rasa's --cors answers the polling transport's requests).
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[],
                          client_manager=client_manager(rasa_process_settings().redis_url))
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        sessions: dict[str, str] = {}  # socket id -> conversation id, this process only
        clients: dict[str, dict[str, Any]] = {}  # socket id -> who connected (channels/client.py)
        webhook.listener("before_server_start")(without_credentials)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: Optional[dict] = None) -> bool:
            if not self.origin_allowed(environ):
                log.warning("socket.io connection refused from origin %s", environ.get("HTTP_ORIGIN"))
                return False
            clients[sid] = client.metadata(environ.get("sanic.request"))
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)
            clients.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            session = self.signer.session(token)
            if session is not None and not await self.seen.first_time(f"sio-token:{token}"):
                session = None  # spent: it re-joined once already (perhaps from another client)
            token = self.signer.issue(session)
            conversation = self.signer.conversation(token)
            previous = sessions.get(sid)
            if previous and previous != conversation:
                await _maybe_await(sio.leave_room(sid, previous, namespace=self.namespace))
            sessions[sid] = conversation
            await _maybe_await(sio.enter_room(sid, conversation, namespace=self.namespace))
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> dict[str, Any]:
            """The answer is the client's acknowledgement: it re-sends what was not `ok`."""
            conversation = sessions.get(sid)
            if conversation is None:
                # The client must ask for a session first; it keeps the message and re-sends it.
                return {"ok": False, "reason": "session"}
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                return {"ok": False, "reason": "message"}
            message_id = data.get("message_id")
            if isinstance(message_id, str) and not await self.seen.first_time(f"{conversation}:{message_id[:64]}"):
                return {"ok": True, "kept": redact_text(text[:MAX_MESSAGE_CHARS])}  # a re-send already handled
            output = SocketIOOutput(sio, self.bot_message_evt)
            kept = redact_text(text[:MAX_MESSAGE_CHARS])
            if too_long(text) or inbound.blank(text):
                await output.send_text_message(conversation, TOO_LONG if too_long(text) else EMPTY)
                return {"ok": True, "kept": kept}
            await on_new_message(UserMessage(text, output, conversation, input_channel=self.name(),
                                             metadata=clients.get(sid) or None))
            return {"ok": True, "kept": kept}

        return webhook


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result
