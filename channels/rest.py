"""REST for scripts and integrations, behind a bearer token.

Rasa's own REST channel lets any caller pick the conversation id, the
`input_channel` and the message metadata, so it could join (and take over) a
conversation of another channel. Here the token comes from the environment
(`REST_API_TOKEN`; unset = channel off), the id is always `rest:<sender>`, the
channel is always "rest" and client metadata is dropped.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.conversation import conversation_id
from channels.limits import MAX_BODY_BYTES, TOO_LONG, too_long
from channels.outbound import is_channel_hint

log = logging.getLogger(__name__)


class RestOutput(CollectingOutputChannel):
    """Collects the replies; hints meant for other channels are left out."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if not is_channel_hint(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
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
            conversation = conversation_id("rest", sender.strip())
            if too_long(text):
                return response.json([{"recipient_id": conversation, "text": TOO_LONG}])
            collector = RestOutput()
            try:
                await on_new_message(UserMessage(text, collector, conversation, input_channel=self.name()))
            except Exception:
                log.exception("REST message could not be handled")
            return response.json(collector.messages)

        return rest
