"""Rasa's Slack channel, adjusted where an operator needs it:

* the Slack Web API address is configurable (`api_base`), so the channel can be
  tested against a local fake and run behind a proxy;
* an empty signing secret switches the channel off instead of stopping Rasa,
  and then nothing is accepted (an empty HMAC key would be guessable);
* every retry is ignored, whatever its reason: replies were already sent once;
* conversation ids are `slack:<team>:<user>`, so no other channel can name them.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from channels.conversation import conversation_id

DEFAULT_API_BASE = "https://www.slack.com/api/"
# Slack's documented X-Slack-Retry-Reason values.
ALL_RETRY_REASONS = ["http_timeout", "too_many_websockets", "ssl_error", "connection_failed", "http_error",
                     "unknown_error"]


class SlackInput(RasaSlackInput):
    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            slack_token=credentials.get("slack_token") or "",
            slack_channel=credentials.get("slack_channel"),
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
            errors_ignore_retry=credentials.get("errors_ignore_retry") or ALL_RETRY_REASONS,
            use_threads=credentials.get("use_threads", True),
            slack_signing_secret=credentials.get("slack_signing_secret") or "",
        )
        channel.api_base = credentials.get("api_base") or DEFAULT_API_BASE
        return channel

    def _validate_credentials(self) -> None:
        """An unconfigured channel stays off (see is_request_from_slack_authentic)."""

    def is_request_from_slack_authentic(self, request: Request) -> bool:
        if not (self.slack_signing_secret and self.slack_token):
            return False
        return super().is_request_from_slack_authentic(request)

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        bot = SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        base = getattr(self, "api_base", DEFAULT_API_BASE)
        bot.client = AsyncWebClient(self.slack_token, base_url=base if base.endswith("/") else base + "/")
        return bot

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        if sender_id:
            sender_id = conversation_id("slack", team_of(request), sender_id)
        return await super().process_message(request, on_new_message, text, sender_id, metadata)


def team_of(request: Request) -> str:
    """The workspace an event or an interaction came from."""
    if "json" in (request.headers.get("content-type") or ""):
        return str((request.json or {}).get("team_id") or "unknown")
    payload = json.loads(request.form.get("payload") or "{}")
    return str((payload.get("team") or {}).get("id") or "unknown")
