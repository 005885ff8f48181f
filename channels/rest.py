"""REST for scripts and integrations, behind a bearer token.

Rasa's own REST channel lets any caller pick the conversation id, the
`input_channel` and the message metadata, so it could join (and take over) a
conversation of another channel. Here the token comes from the environment
(`REST_API_TOKEN`; unset = channel off), the id is always `rest:<sender>`, the
channel is always "rest" and client metadata is dropped.

A client that sets `Idempotency-Key` (one value per message it means to send) may
send a message again whenever it got no answer — a connection cut, a 502/503/504:
the retry is answered with the first answer (channels/idempotency.py), or, when
the first attempt's instance died after saving the turn, with what the
conversation holds (rasa_patches/message_once.py); it is never a second turn.
A key sent again with a different message is a 422 (for a day: the key's record).
A message that could not be handled is a 503, never an empty answer; a message with
nothing in it (spaces, invisible characters) gets a short answer and no turn.
"""
from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import idempotency, inbound
from channels.conversation import conversation_id
from channels.limits import EMPTY, MAX_BODY_BYTES, TOO_LONG, too_long
from channels.outbound import is_channel_hint
from rasa_patches.message_once import AlreadyHandled

log = logging.getLogger(__name__)
MAX_KEY_LENGTH = 200
# An instance that stores its answer right after releasing the conversation: how long a
# retry that found the message already handled waits for that answer before reading the
# conversation instead (whose texts are redacted).
ANSWER_WAIT_SECONDS = 1.0


class RestOutput(CollectingOutputChannel):
    """Collects the replies; hints meant for other channels are left out."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if not is_channel_hint(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> RestInput:
        return cls((credentials or {}).get("token") or "")

    def __init__(self, token: str) -> None:
        self.token = token

    def authorised(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "")
        return bool(self.token) and hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("authenticated_rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "off"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.token:
                return _error(503, "Kanał REST jest wyłączony (brak REST_API_TOKEN).")
            if not self.authorised(request):
                return _error(401, "Brak lub błędny token (nagłówek Authorization: Bearer …).")
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _error(413, "Zapytanie jest za duże.")
            try:
                body = request.json
            except Exception:  # Sanic raises its own error types for broken JSON
                body = None
            if not isinstance(body, dict):
                return _error(400, "Treść musi być obiektem JSON: {\"sender\": …, \"message\": …}.")
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender.strip():
                return _error(400, "Brak pola \"sender\" (identyfikatora rozmowy).")
            if not isinstance(text, str):
                return _error(400, "Brak pola \"message\" (tekstu wiadomości).")
            key = request.headers.get("Idempotency-Key", "")
            if len(key) > MAX_KEY_LENGTH or not key.isprintable():
                return _error(400, f"Nagłówek Idempotency-Key: najwyżej {MAX_KEY_LENGTH} drukowalnych znaków.")
            conversation = conversation_id("rest", sender.strip())
            if too_long(text):
                return response.json([{"recipient_id": conversation, "text": TOO_LONG}])
            if inbound.blank(text):
                # Answered, not refused: a client told to resend (503) would loop on it.
                return response.json([{"recipient_id": conversation, "text": EMPTY}])
            message_id = idempotency.message_id(conversation, key) if key else None
            if message_id:
                first = await idempotency.answers().claim(message_id, idempotency.fingerprint(text))
                if first is not None and first != idempotency.fingerprint(text):
                    return _error(422, "Ten Idempotency-Key był już użyty z inną wiadomością; "
                                       "nowa wiadomość potrzebuje nowego klucza.")
                stored = await idempotency.answers().get(message_id)
                if stored is not None:
                    return response.json(stored)
            collector = RestOutput()
            try:
                await on_new_message(UserMessage(text, collector, conversation, input_channel=self.name(),
                                                 message_id=message_id))
                answer = collector.messages
            except AlreadyHandled as handled:
                answer = await idempotency.answer_within(message_id, ANSWER_WAIT_SECONDS) or \
                    [message for message in handled.answer if not is_channel_hint(message.get("custom") or {})]
            except Exception:
                log.exception("REST message could not be handled")
                return response.json({"error": "Nie udało się teraz obsłużyć wiadomości; proszę wysłać ją ponownie."},
                                     status=503, headers={"Retry-After": "1"})
            if message_id:
                await idempotency.answers().put(message_id, answer)
            return response.json(answer)

        return rest
