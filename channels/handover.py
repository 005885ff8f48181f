"""Where a person's replies come into a customer's conversation (issue 20 #1).

While a person has a conversation (a live hand-over to the human inbox, backend/recovery_backend/
handovers.py), the backend receives the agent's replies from the inbox's webhook and POSTs each one
here: `{"conversation_id", "text", "speaker": "agent" | "assistant"}` with `Authorization: Bearer
$HANDOVER_PUSH_TOKEN` (unset: the channel is off and answers 404). The text goes out on the channel the
conversation belongs to (its id says which: `sio:`, `tg:`, `slack:`), through that channel's own
output, and is added to the conversation's tracker as a bot message marked `agent` (so the transcript
and the stored conversation have it, redacted like everything stored). No turn runs: a person's words
never pass through the model, and nothing a customer sends can reach this route.
"""
from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.conversation import PREFIXES, channel_part
from channels.limits import MAX_BODY_BYTES

log = logging.getLogger(__name__)
SPEAKERS = ("agent", "assistant")
MAX_TEXT = 4000
AGENT = "agent"   # the bot event's metadata key (actions/engine/case_text.py reads it)


class HandoverInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "handover"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> HandoverInput:
        return cls((credentials or {}).get("token") or "")

    def __init__(self, token: str) -> None:
        self.token = token

    async def output_for(self, app: Any, conversation: str) -> Optional[OutputChannel]:
        """The output of the channel that owns the conversation, as that channel builds it."""
        channels = {channel.name(): channel for channel in getattr(app.ctx, "input_channels", None) or []}
        owner = next((name for name, prefix in PREFIXES.items() if conversation.startswith(prefix + ":")), None)
        channel = channels.get(owner or "")
        if channel is None or owner == "rest":
            return None   # REST answers only the request it was asked in: nothing to push to
        if owner == "slack":
            user = (channel_part(conversation, "slack") or "").split(":")[-1]
            direct = await channel.direct_channel(user) if user else None
            return channel.get_output_channel(direct, None) if direct else None
        return channel.get_output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handover = Blueprint("handover_webhook", __name__)

        @handover.route("/push", methods=["POST"])
        async def push(request: Request) -> HTTPResponse:
            given = request.headers.get("Authorization", "")
            if not self.token or not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                return response.json({"error": "not_found"}, status=404)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "too_large"}, status=413)
            body = request.json if isinstance(request.json, dict) else {}
            conversation, text, speaker = body.get("conversation_id"), body.get("text"), body.get("speaker")
            if not isinstance(conversation, str) or not isinstance(text, str) or not text.strip() \
                    or speaker not in SPEAKERS:
                return response.json({"error": "invalid_request"}, status=422)
            text = text.strip()[:MAX_TEXT]
            output = await self.output_for(request.app, conversation)
            if output is None:
                return response.json({"error": "no_channel"}, status=409)
            agent = request.app.ctx.agent
            # Under the conversation's lock: a turn running now keeps its events, this message follows them.
            async with agent.lock_store.lock(conversation):
                tracker = await agent.tracker_store.get_or_create_tracker(conversation)
                tracker.update(BotUttered(text, metadata={AGENT: speaker == "agent"}))
                await agent.tracker_store.save(tracker)
            await output.send_text_message(conversation, text)
            return response.json({"delivered": True})

        return handover
