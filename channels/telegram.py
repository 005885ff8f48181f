"""Telegram connector of the project's own.

Rasa 3.6's Telegram channel authenticates nothing and drops shared contacts.
This one accepts only updates carrying the secret token set with setWebhook,
and turns a contact the customer shared *from their own account* into a
signed proof of the phone, passed to the actions in the message metadata
(never as text, so typing a number or forwarding someone's contact proves nothing).
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
import phonenumbers
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.attestation import attest
from channels.conversation import channel_part, conversation_id

log = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://api.telegram.org"
SHARE_BUTTON = "📱 Udostępnij mój numer telefonu"
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for inline-button data
MESSAGE_LIMIT = 4096


class TelegramOutput(OutputChannel):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, api_base: str, token: str) -> None:
        self.url = f"{api_base.rstrip('/')}/bot{token}"

    async def call(self, method: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(f"{self.url}/{method}", json=payload) as answer:
                body = await answer.json(content_type=None)
        if not body.get("ok"):
            log.error("Telegram refused %s: %s", method, body.get("description"))
        return body

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        recipient_id = chat_id(recipient_id)
        for start in range(0, len(text), MESSAGE_LIMIT):
            await self.call("sendMessage", {"chat_id": recipient_id, "text": text[start:start + MESSAGE_LIMIT],
                                            "reply_markup": {"remove_keyboard": True}})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        recipient_id = chat_id(recipient_id)
        keyboard = [[{"text": button["title"], "callback_data": button["payload"]}] for button in buttons
                    if len(button["payload"].encode()) <= CALLBACK_DATA_LIMIT]
        await self.call("sendMessage", {"chat_id": recipient_id, "text": text,
                                        "reply_markup": {"inline_keyboard": keyboard}})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        recipient_id = chat_id(recipient_id)
        if (json_message.get("data") or {}).get("request_contact"):
            await self.call("sendMessage", {
                "chat_id": recipient_id,
                "text": "Można też udostępnić numer z Telegrama jednym przyciskiem — wtedy kod SMS nie jest potrzebny.",
                "reply_markup": {"keyboard": [[{"text": SHARE_BUTTON, "request_contact": True}]],
                                 "one_time_keyboard": True, "resize_keyboard": True}})


def chat_id(recipient_id: Text) -> Text:
    """The private chat of a `tg:<user id>` conversation (a private chat's id is the user's)."""
    return channel_part(recipient_id, "telegram") or recipient_id


def own_contact_phone(message: Dict[str, Any]) -> Optional[str]:
    """E.164 of a contact the sender shared from their own account, else None."""
    contact, sender = message.get("contact") or {}, message.get("from") or {}
    if not contact.get("user_id") or contact.get("user_id") != sender.get("id"):
        return None
    raw = str(contact.get("phone_number", ""))
    try:
        number = phonenumbers.parse(raw if raw.startswith("+") else f"+{raw}", None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        credentials = credentials or {}
        return cls(credentials.get("access_token") or "", credentials.get("webhook_secret") or "",
                   credentials.get("api_base") or DEFAULT_API_BASE)

    def __init__(self, access_token: str, webhook_secret: str, api_base: str = DEFAULT_API_BASE) -> None:
        self.access_token, self.webhook_secret, self.api_base = access_token, webhook_secret, api_base

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.api_base, self.access_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("custom_telegram_webhook", __name__)

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
            update = request.json or {}
            out = self.get_output_channel()
            if "callback_query" in update:
                query = update["callback_query"]
                await out.call("answerCallbackQuery", {"callback_query_id": query["id"]})
                sender = conversation_id("telegram", query["from"]["id"])
                await on_new_message(UserMessage(str(query.get("data", "")), out, sender, input_channel=self.name()))
                return response.text("ok")
            message = update.get("message")
            if not message or "from" not in message:
                return response.text("ok")  # edited messages, channel posts, joins: nothing to answer
            sender = conversation_id("telegram", message["from"]["id"])
            if "contact" in message:
                phone = own_contact_phone(message)
                if phone is None:
                    await out.send_text_message(sender, "Jako dowód przyjmę tylko Pana/Pani własny numer, "
                                                        "udostępniony przyciskiem „Udostępnij mój numer telefonu”.")
                    return response.text("ok")
                await on_new_message(UserMessage("/share_contact", out, sender, input_channel=self.name(),
                                                 metadata=attest("telegram_contact", sender, phone)))
                return response.text("ok")
            if not isinstance(message.get("text"), str):
                await out.send_text_message(sender, "Rozumiem tylko wiadomości tekstowe — proszę napisać, w czym pomóc.")
                return response.text("ok")
            await on_new_message(UserMessage(message["text"][:10_000], out, sender, input_channel=self.name()))
            return response.text("ok")

        return telegram
