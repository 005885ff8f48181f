"""Telegram connector of the project's own.

Rasa 3.6's Telegram channel authenticates nothing and drops shared contacts.
This one:

* accepts only updates carrying the secret token set with setWebhook;
* answers every update at most once: `update_id`s are remembered in the shared
  delivery store, so Telegram's redelivery (after a slow or failed answer) is
  acknowledged and dropped;
* names conversations `tg:<user id>` and holds them in the private chat only: a message
  in a group (or a button pressed there) runs no turn; the group is told that accounts are
  recovered in a private chat with the bot, with a link that opens it
  (`https://t.me/<bot username>?start=pomoc`, the username from getMe);
* answers an edited message (`edited_message`) asking for the corrected text as a new
  message: an edit would change a turn already answered;
* turns a contact the customer shared *from their own account* (the
  share-contact button: `contact.user_id` is the sender, not forwarded, in the
  private chat) into a proof signed for the backend (channels/attestation.py),
  passed in the message metadata, never as text;
* sends plain text (no parse_mode, so nothing is read as Markdown), buttons as
  inline keyboards, the share-contact keyboard only where the assistant asks for
  the phone; sends that fail for a passing reason are retried, never the turn.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import inbound
from channels.attestation import METADATA_KEY, attest
from channels.conversation import channel_part, conversation_id
from channels.delivery import Outcome, deliver
from channels.idempotency import deliveries
from channels.limits import EDITED, EMPTY, TOO_LONG, too_long
from channels.outbound import is_channel_hint
from contact_rules import to_e164

log = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://api.telegram.org"
SHARE_BUTTON = "📱 Udostępnij mój numer telefonu"
SHARE_KEYBOARD = {"keyboard": [[{"text": SHARE_BUTTON, "request_contact": True}]],
                  "one_time_keyboard": True, "resize_keyboard": True}
SHARE_HINT = "Można też udostępnić numer z Telegrama jednym przyciskiem — wtedy kod SMS nie jest potrzebny."
ONLY_OWN_CONTACT = ("Jako dowód przyjmę tylko Pana/Pani własny numer, udostępniony przyciskiem "
                    f"„{SHARE_BUTTON}” poniżej (nie przekazaną ani cudzą wizytówkę).")
TEXT_ONLY = "Rozumiem tylko wiadomości tekstowe — proszę napisać, w czym pomóc."
# A recovery names the account (a masked login, "numer potwierdzony"), which a group's members must not read.
IN_PRIVATE_ONLY = ("Sprawy konta załatwiam tylko w prywatnej rozmowie ze mną{link} — proszę nie podawać tutaj "
                   "numeru telefonu ani adresu e-mail.")
PRIVATE_BUTTON = "Napisz do mnie prywatnie"
# The deep link's start parameter; the private chat receives it as "/start pomoc" (channels/inbound.py).
DEEP_LINK_START = "pomoc"
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for inline-button data
MESSAGE_LIMIT = 4096
# Fields Telegram sets on a message that was forwarded (Bot API 7.0+ and older ones).
FORWARD_FIELDS = ("forward_origin", "forward_from", "forward_from_chat", "forward_sender_name", "forward_date",
                  "is_automatic_forward")


def chat_id(recipient_id: str) -> str:
    """The private chat of a `tg:<user id>` conversation (a private chat's id is the user's)."""
    return channel_part(recipient_id, "telegram") or recipient_id


class TelegramOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api_base: str, token: str) -> None:
        self.url = f"{api_base.rstrip('/')}/bot{token}"

    async def _attempt(self, method: str, payload: dict[str, Any]) -> Outcome:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(f"{self.url}/{method}", json=payload) as answer:
                body = await answer.json(content_type=None)
                status = answer.status
        if isinstance(body, dict) and body.get("ok"):
            return Outcome(True)
        body = body if isinstance(body, dict) else {}
        retry_after = (body.get("parameters") or {}).get("retry_after")
        # Telegram's documented passing failures: 429 (with retry_after) and server errors.
        return Outcome(False, retry=status == 429 or status >= 500, retry_after=retry_after,
                       error=f"{status} {body.get('description', '')}")

    async def call(self, method: str, payload: dict[str, Any]) -> bool:
        return await deliver(lambda: self._attempt(method, payload), f"Telegram {method}", "telegram")

    async def send(self, recipient_id: str, text: str, reply_markup: Optional[dict[str, Any]] = None) -> None:
        text = (text or "").strip()
        if not text:
            return  # Telegram refuses empty messages, and there is nothing to show
        chunks = [text[start:start + MESSAGE_LIMIT] for start in range(0, len(text), MESSAGE_LIMIT)]
        for index, chunk in enumerate(chunks):
            payload: dict[str, Any] = {"chat_id": chat_id(recipient_id), "text": chunk}
            if index == len(chunks) - 1 and reply_markup:
                payload["reply_markup"] = reply_markup
            await self.call("sendMessage", payload)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(recipient_id, text, {"remove_keyboard": True})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        keyboard = [[{"text": button["title"], "callback_data": button["payload"]}] for button in buttons
                    if button.get("title") and 0 < len(str(button.get("payload", "")).encode()) <= CALLBACK_DATA_LIMIT]
        await self.send(recipient_id, text, {"inline_keyboard": keyboard} if keyboard else {"remove_keyboard": True})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if is_channel_hint(json_message):
            await self.send(recipient_id, SHARE_HINT, SHARE_KEYBOARD)


def own_contact_phone(message: dict[str, Any]) -> Optional[str]:
    """E.164 of a contact the sender shared from their own account, else None.

    Telegram's documentation promises the sender's own number only for the
    `request_contact` button. A contact card can also be forwarded: its user_id
    is the sender's when they forward their own old card, but the number in it
    is whatever it was then (Telegram lets users change numbers, and operators
    recycle them) — so a forwarded card, or one sent outside the private chat,
    proves nothing.
    """
    contact, sender, chat = message.get("contact") or {}, message.get("from") or {}, message.get("chat") or {}
    if not contact.get("user_id") or contact.get("user_id") != sender.get("id"):
        return None
    if any(message.get(field) for field in FORWARD_FIELDS) or message.get("via_bot"):
        return None
    if chat.get("type", "private") != "private":
        return None
    # Telegram gives the number in international form, with or without the "+".
    return to_e164("+" + str(contact.get("phone_number", "")).lstrip("+"), region=None)


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> TelegramInput:
        credentials = credentials or {}
        return cls(credentials.get("access_token") or "", credentials.get("webhook_secret") or "",
                   credentials.get("api_base") or DEFAULT_API_BASE, credentials.get("attestation_secret") or "")

    def __init__(self, access_token: str, webhook_secret: str, api_base: str = DEFAULT_API_BASE,
                 attestation_secret: str = "") -> None:
        self.access_token, self.webhook_secret, self.api_base = access_token, webhook_secret, api_base
        self.attestation_secret = attestation_secret
        self._username: Optional[str] = None

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.api_base, self.access_token)

    async def bot_username(self) -> Optional[str]:
        """The bot's @username (getMe), asked once; None while Telegram does not say."""
        if self._username is None:
            try:
                timeout = aiohttp.ClientTimeout(total=10)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.post(f"{self.get_output_channel().url}/getMe") as answer:
                        body = await answer.json(content_type=None)
                result = body.get("result") if isinstance(body, dict) and body.get("ok") else None
                self._username = (result or {}).get("username") or None
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as error:
                log.error("Telegram getMe failed: %s", type(error).__name__)
        return self._username

    async def answer_in_group(self, out: TelegramOutput, chat: dict[str, Any], message_id: Optional[int]) -> None:
        """A group is told where recovery happens, with a link to the private chat; nothing else."""
        username = await self.bot_username()
        link = f"https://t.me/{username}?start={DEEP_LINK_START}" if username else ""
        payload: dict[str, Any] = {"chat_id": chat["id"],
                                   "text": IN_PRIVATE_ONLY.format(link=f" ({link})" if link else "")}
        if link:
            payload["reply_markup"] = {"inline_keyboard": [[{"text": PRIVATE_BUTTON, "url": link}]]}
        if message_id:
            payload["reply_parameters"] = {"message_id": message_id, "allow_sending_without_reply": True}
        await out.call("sendMessage", payload)

    def contact_metadata(self, sender: str, phone: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {METADATA_KEY: {}}
        if self.attestation_secret:
            metadata = attest(self.attestation_secret, "telegram_contact", sender, self.name(), phone)
        return metadata

    async def handle(self, update: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        out = self.get_output_channel()
        if "callback_query" in update:
            query = update["callback_query"]
            await out.call("answerCallbackQuery", {"callback_query_id": query["id"]})
            chat = (query.get("message") or {}).get("chat") or {}
            if chat.get("type", "private") != "private":
                await self.answer_in_group(out, chat, None)
                return
            sender = conversation_id("telegram", query["from"]["id"])
            await on_new_message(UserMessage(str(query.get("data", "")), out, sender, input_channel=self.name()))
            return
        message = update.get("message") or update.get("edited_message")
        if not message or "from" not in message:
            return  # channel posts, joins: nothing to answer
        chat = message.get("chat") or {}
        if chat.get("type", "private") != "private":
            # What was said to the bot; not service messages (joins, pins) nor edits of it.
            if "message" in update and ("text" in message or "contact" in message):
                await self.answer_in_group(out, chat, message.get("message_id"))
            return
        sender = conversation_id("telegram", message["from"]["id"])
        if "edited_message" in update:
            await out.send_text_message(sender, EDITED)
            return
        if "contact" in message:
            phone = own_contact_phone(message)
            if phone is None:
                # The button stays, so the customer can do what the answer asks.
                await out.send(sender, ONLY_OWN_CONTACT, SHARE_KEYBOARD)
                return
            await on_new_message(UserMessage("/share_contact", out, sender, input_channel=self.name(),
                                             metadata=self.contact_metadata(sender, phone)))
            return
        if not isinstance(message.get("text"), str):
            await out.send_text_message(sender, TEXT_ONLY)
            return
        if too_long(message["text"]):
            await out.send_text_message(sender, TOO_LONG)
            return
        text = inbound.telegram(message)
        if inbound.blank(text):
            await out.send_text_message(sender, EMPTY)
            return
        await on_new_message(UserMessage(text, out, sender, input_channel=self.name()))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("custom_telegram_webhook", __name__)
        seen = deliveries()

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.access_token and self.webhook_secret else "off"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not (self.access_token and self.webhook_secret):
                return response.json({"error": "channel off"}, status=503)
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
                return response.json({"error": "forbidden"}, status=403)
            update = request.json if isinstance(request.json, dict) else {}
            if "update_id" in update and not await seen.first_time(f"telegram:{update['update_id']}"):
                return response.text("ok")  # a redelivery: already answered
            try:
                await self.handle(update, on_new_message)
            except Exception:
                # Answering 500 would make Telegram redeliver, and the turn (an SMS…) would run twice.
                log.exception("Telegram update %s could not be handled", update.get("update_id"))
            return response.text("ok")

        return telegram
