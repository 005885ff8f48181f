"""Slack channel of the project's own (Events API + Interactivity, Web API chat.postMessage).

Rasa 3.6's Slack channel posts custom payloads to Slack as they are (Slack refuses a
message without text, `no_text`, and the error aborts the turn), passes Slack's
markup (`<mailto:a@b.pl|a@b.pl>`) to the NLU, processes a redelivered event again
and ignores thread replies that do not mention the bot. This one:

* checks Slack's request signature (HMAC-SHA256 of `v0:{timestamp}:{body}`, 5-minute
  window) and stays off while its token or signing secret is empty;
* handles every event once: `event_id`s, and the channel+ts of each message (Slack
  sends both `app_mention` and `message` for one mention), are remembered in the
  shared delivery store, so a retry of a handled event is acknowledged and dropped
  while a retry of one that never arrived is handled;
* in direct messages, answers everything; in channels, a mention and then every
  reply in that thread (with or without a mention) are answered in a direct
  message with the customer (`conversations.open`, scope `im:write`): a recovery
  names the account (a masked login, "numer potwierdzony"), which a channel's
  members must not read. The thread is told once that the conversation moved;
  without the scope, it is told to write to the bot directly and nothing else
  is answered there;
* names conversations `slack:<team>:<user>`;
* answers an edit of a message it heard (`message_changed` with a new text; not the link
  previews Slack adds) asking for the corrected text as a new message, without a turn;
* reads typed text through channels.inbound.slack (mailto/tel/links/mentions);
* posts plain text (`mrkdwn: false`, `&<>` escaped as Slack requires), buttons as
  Block Kit, nothing empty and nothing meant for another channel, in pieces Slack
  accepts; failed posts are retried (channels/delivery.py), never the turn.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import inbound
from channels.conversation import conversation_id
from channels.delivery import Outcome, deliver
from channels.idempotency import deliveries
from channels.limits import EDITED, EMPTY, TOO_LONG, too_long
from channels.outbound import is_channel_hint

log = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://slack.com/api/"
SIGNATURE_WINDOW = 5 * 60
# Block Kit limits (Slack's reference): section text 3000, button text 75, value 2000,
# 25 elements per actions block.
SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
# Slack's documented errors worth another try; everything else is a refusal.
PASSING_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
THREAD_SECONDS = 7 * 24 * 3600
HANDLED_SUBTYPES = {None, "thread_broadcast", "file_share"}
MOVED_TO_DIRECT = ("Odpowiem w wiadomości prywatnej — tam dokończymy, żeby dane konta nie trafiały na kanał. "
                   "Proszę nie podawać tutaj numeru telefonu ani adresu e-mail.")
WRITE_DIRECTLY = ("Sprawy konta załatwiam tylko w wiadomości prywatnej — proszę napisać do mnie bezpośrednio. "
                  "Proszę nie podawać tutaj numeru telefonu ani adresu e-mail.")


def escape(text: str) -> str:
    """Slack requires &, < and > escaped in text; nothing else is special with mrkdwn off."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pieces(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    text = (text or "").strip()
    return [text[start:start + limit] for start in range(0, len(text), limit)] if text else []


class SlackOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "slack"

    def __init__(self, api_base: str, token: str, channel: Optional[str], thread_ts: Optional[str]) -> None:
        self.url = api_base.rstrip("/") + "/chat.postMessage"
        self.token, self.channel, self.thread_ts = token, channel, thread_ts

    async def _attempt(self, body: dict[str, Any]) -> Outcome:
        timeout = aiohttp.ClientTimeout(total=10)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json; charset=utf-8"}
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(self.url, data=json.dumps(body), headers=headers) as answer:
                status, retry_after = answer.status, answer.headers.get("Retry-After")
                payload = await answer.json(content_type=None) if status < 500 else {}
        if isinstance(payload, dict) and payload.get("ok"):
            return Outcome(True)
        error = (payload or {}).get("error", "") if isinstance(payload, dict) else ""
        return Outcome(False, retry=status >= 500 or status == 429 or error in PASSING_ERRORS,
                       retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
                       error=f"{status} {error}")

    async def post(self, **body: Any) -> None:
        if not self.channel:
            log.error("Slack reply without a channel dropped")
            return
        body["channel"] = self.channel
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        await deliver(lambda: self._attempt(body), "Slack chat.postMessage", "slack")

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in pieces(text):
            await self.post(text=escape(piece), mrkdwn=False)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        usable = [button for button in buttons if str(button.get("title", "")).strip()
                  and 0 < len(str(button.get("payload", ""))) <= BUTTON_VALUE_LIMIT]
        parts = pieces(text)
        if not usable:
            return await self.send_text_message(recipient_id, text)
        for piece in parts[:-1]:
            await self.post(text=escape(piece), mrkdwn=False)
        last = parts[-1] if parts else "Proszę wybrać:"
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "plain_text", "text": last}}]
        for start in range(0, len(usable), BUTTONS_PER_BLOCK):
            blocks.append({"type": "actions", "elements": [
                {"type": "button", "action_id": f"choice-{start + index}",
                 "text": {"type": "plain_text", "text": str(button["title"])[:BUTTON_TEXT_LIMIT]},
                 "value": str(button["payload"])}
                for index, button in enumerate(usable[start:start + BUTTONS_PER_BLOCK])]})
        await self.post(text=escape(last), blocks=blocks)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.send_text_message(recipient_id, attachment)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if is_channel_hint(json_message):
            return  # Telegram's share-contact button: nothing Slack can show
        if json_message.get("text") or json_message.get("blocks"):
            await self.post(**{key: value for key, value in json_message.items() if key not in ("channel", "as_user")})


class SlackInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> SlackInput:
        credentials = credentials or {}
        return cls(credentials.get("slack_token") or "", credentials.get("slack_signing_secret") or "",
                   credentials.get("api_base") or DEFAULT_API_BASE)

    def __init__(self, slack_token: str, slack_signing_secret: str, api_base: str = DEFAULT_API_BASE) -> None:
        self.slack_token, self.slack_signing_secret, self.api_base = slack_token, slack_signing_secret, api_base
        self.tasks: set[asyncio.Task] = set()
        self.direct: dict[str, str] = {}  # user -> direct-message channel, as conversations.open gave it

    async def direct_channel(self, user: str) -> Optional[str]:
        """The direct-message channel with a user (opened if need be), or None when Slack refuses."""
        if user in self.direct:
            return self.direct[user]
        timeout = aiohttp.ClientTimeout(total=10)
        headers = {"Authorization": f"Bearer {self.slack_token}", "Content-Type": "application/json; charset=utf-8"}
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(self.api_base.rstrip("/") + "/conversations.open",
                                        data=json.dumps({"users": user}), headers=headers) as answer:
                    body = await answer.json(content_type=None)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as error:
            log.error("Slack conversations.open failed: %s", type(error).__name__)
            return None
        channel = ((body or {}).get("channel") or {}).get("id") if isinstance(body, dict) else None
        if not (isinstance(body, dict) and body.get("ok") and channel):
            log.error("Slack conversations.open refused: %s", (body or {}).get("error") if isinstance(body, dict) else "")
            return None
        self.direct[user] = channel
        return channel

    async def _moved(self, channel: str, thread: str, user: str) -> Optional[SlackOutput]:
        """Where to answer a message from a channel's thread: the user's direct messages. The thread
        is told so once (or, when no direct channel can be opened, to write directly)."""
        direct = await self.direct_channel(user)
        if await deliveries().first_time(f"slack-moved:{channel}:{thread}"):
            note = MOVED_TO_DIRECT if direct else WRITE_DIRECTLY
            await self.get_output_channel(channel, thread).send_text_message(user, note)
        return self.get_output_channel(direct, None) if direct else None

    def is_request_from_slack_authentic(self, request: Any) -> bool:
        if not (self.slack_signing_secret and self.slack_token):
            return False  # off: an empty HMAC key would be guessable
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        try:
            if abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
                return False
        except ValueError:
            return False
        expected = "v0=" + hmac.new(self.slack_signing_secret.encode(), f"v0:{timestamp}:".encode() + request.body,
                                    hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, request.headers.get("X-Slack-Signature", ""))

    def get_output_channel(self, channel: Optional[str] = None, thread_ts: Optional[str] = None) -> SlackOutput:
        return SlackOutput(self.api_base, self.slack_token, channel, thread_ts)

    def _run(self, coroutine: Awaitable[Any]) -> None:
        """Slack wants an answer within 3 s: the turn runs after the acknowledgement."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _say(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str, team: str, user: str,
                   out: SlackOutput) -> None:
        sender = conversation_id("slack", team, user)
        if too_long(text) or inbound.blank(text):
            await out.send_text_message(sender, TOO_LONG if too_long(text) else EMPTY)
            return
        try:
            await on_new_message(UserMessage(text, out, sender, input_channel=self.name()))
        except Exception:
            log.exception("Slack message could not be handled")

    async def on_edit(self, event: dict[str, Any]) -> None:
        """An edit runs no turn (it would change one already answered); the customer is told
        where they wrote to the bot: the direct messages, also for a thread the bot answers."""
        edited, before = event.get("message") or {}, event.get("previous_message") or {}
        user, channel = edited.get("user"), str(event.get("channel", ""))
        if not user or edited.get("bot_id") or edited.get("text") == before.get("text"):
            return  # a bot's edit, or Slack adding a link preview
        if event.get("channel_type") == "im" or channel.startswith("D"):
            out: Optional[SlackOutput] = self.get_output_channel(channel, edited.get("thread_ts"))
        elif await deliveries().known(f"slack-thread:{channel}:{edited.get('thread_ts') or edited.get('ts')}"):
            direct = await self.direct_channel(str(user))
            out = self.get_output_channel(direct, None) if direct else None
        else:
            return  # channel chatter the bot does not answer
        if out is not None:
            await out.send_text_message(str(user), EDITED)

    async def on_event(self, body: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        event, seen = body.get("event") or {}, deliveries()
        if event.get("type") == "message" and event.get("subtype") == "message_changed":
            await self.on_edit(event)
            return
        if event.get("type") not in ("message", "app_mention") or event.get("bot_id") \
                or event.get("subtype") not in HANDLED_SUBTYPES or not event.get("user"):
            return
        channel, ts, thread_ts = event.get("channel", ""), event.get("ts", ""), event.get("thread_ts")
        if not await seen.first_time(f"slack-message:{channel}:{ts}"):
            return  # the same message as `app_mention` and as `message`
        bot_ids = [auth.get("user_id") for auth in body.get("authorizations") or [] if auth.get("user_id")]
        bot_ids += list(body.get("authed_users") or [])
        direct = event.get("channel_type") == "im" or channel.startswith("D")
        mentioned = event.get("type") == "app_mention" or any(f"<@{bot}>" in event.get("text", "") for bot in bot_ids)
        thread_key = f"slack-thread:{channel}:{thread_ts or ts}"
        if not direct:
            if mentioned:
                await seen.first_time(thread_key)  # from now on this thread is a conversation with the bot
            elif not (thread_ts and await seen.known(thread_key)):
                return
        text = inbound.slack(event.get("text", ""), bot_ids)
        out = self.get_output_channel(channel, thread_ts) if direct else \
            await self._moved(channel, thread_ts or ts, str(event["user"]))
        if out is None:
            return
        await self._say(on_new_message, text, str(body.get("team_id") or event.get("team") or "T"),
                        str(event["user"]), out)

    async def on_interaction(self, payload: dict[str, Any],
                             on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        actions = payload.get("actions") or []
        if payload.get("type") != "block_actions" or not actions or actions[0].get("type") != "button":
            return
        value = actions[0].get("value")
        user = (payload.get("user") or {}).get("id")
        if not value or not user:
            return
        message, channel = payload.get("message") or {}, (payload.get("channel") or {}).get("id")
        direct = str(channel or "").startswith("D")
        team = (payload.get("team") or {}).get("id") or (payload.get("user") or {}).get("team_id") or "T"
        # A button left in a channel by an older version: answered in the direct messages too.
        out = self.get_output_channel(channel, message.get("thread_ts")) if direct else \
            await self._moved(str(channel), message.get("thread_ts") or message.get("ts") or "", str(user))
        if out is not None:
            await self._say(on_new_message, value, str(team), str(user), out)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack = Blueprint("project_slack_webhook", __name__)

        @slack.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.slack_token and self.slack_signing_secret else "off"})

        @slack.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return response.text("not signed by Slack", status=401)
            seen = deliveries()
            if "json" in (request.headers.get("content-type") or ""):
                body = request.json if isinstance(request.json, dict) else {}
                if body.get("type") == "url_verification":
                    return response.json({"challenge": body.get("challenge", "")})
                if body.get("type") == "event_callback":
                    event_id = body.get("event_id")
                    if event_id and not await seen.first_time(f"slack-event:{event_id}"):
                        return response.text("", headers={"X-Slack-No-Retry": "1"})  # handled already
                    self._run(self.on_event(body, on_new_message))
                return response.text("")
            try:
                payload = json.loads(request.form.get("payload") or "{}")
            except ValueError:
                return response.text("bad payload", status=400)
            trigger = payload.get("trigger_id") or payload.get("action_ts")
            if trigger and not await seen.first_time(f"slack-action:{trigger}"):
                return response.text("")
            self._run(self.on_interaction(payload, on_new_message))
            return response.text("")

        return slack
