"""Chatwoot (self-hosted, open source) as the human inbox, through its documented application API.

Every call carries the `api_access_token` header (an agent's or an agent bot's access token) and goes
under `/api/v1/accounts/{account_id}`: a contact is created in the configured inbox (an API-channel
inbox: the customer is on our channels, not on Chatwoot's widget), which answers the `source_id` that a
conversation needs; the conversation is opened `open` with a private note carrying the facts and the
redacted transcript; the customer's messages are posted as `incoming`. Agents answer in Chatwoot and
its webhook (message_created, conversation_status_changed) brings the answers back (handovers.py).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Optional

import requests

from ..ports import InboxThread, ProviderError
from .http_gateway import TIMEOUT

# Chatwoot signs webhooks with HMAC-SHA256 of "<timestamp>.<body>" (X-Chatwoot-Signature:
# sha256=<hex>, X-Chatwoot-Timestamp); older deliveries than this are refused as replays.
SIGNATURE_WINDOW = 300


class ChatwootInbox:
    name = "chatwoot"

    def __init__(self, base_url: str, api_token: str, account_id: int, inbox_id: int):
        self.base = f"{base_url.rstrip('/')}/api/v1/accounts/{account_id}"
        self.inbox_id = inbox_id
        self.session = requests.Session()
        self.session.headers.update({"api_access_token": api_token})

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.session.post(self.base + path, json=body, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise ProviderError(f"Chatwoot {path}: {type(error).__name__}") from None
        if response.status_code >= 300:
            # 401 a wrong token or account, 404 an unknown conversation or source_id, 422 a field refused.
            raise ProviderError(f"Chatwoot {path.split('/')[1]} (HTTP {response.status_code}): {response.text[:160]}")
        try:
            answer = response.json()
        except ValueError:
            raise ProviderError(f"Chatwoot {path}: not JSON") from None
        if not isinstance(answer, dict):
            raise ProviderError(f"Chatwoot {path}: not a JSON object")
        return answer

    def create_conversation(self, conversation_id: str, contact_name: str, contact_email: Optional[str],
                            note: str, live: bool) -> InboxThread:
        contact: dict[str, Any] = {"inbox_id": self.inbox_id, "name": contact_name[:100],
                                   # the channel's conversation, hashed: what staff search by is the note's id
                                   "identifier": "asystent-" + hashlib.sha256(conversation_id.encode()).hexdigest()[:24]}
        if contact_email:
            contact["email"] = contact_email
        created = self._post("/contacts", contact).get("payload") or {}
        contact_id = (created.get("contact") or {}).get("id")
        source_id = (created.get("contact_inbox") or {}).get("source_id")
        if contact_id is None or not source_id:
            raise ProviderError("Chatwoot contacts: no contact id or source_id in the answer")
        conversation = self._post("/conversations", {
            "source_id": source_id, "inbox_id": self.inbox_id, "contact_id": contact_id, "status": "open",
            "custom_attributes": {"assistant_conversation": conversation_id, "live": live}})
        if conversation.get("id") is None:
            raise ProviderError("Chatwoot conversations: no id in the answer")
        reference = str(conversation["id"])
        self.post_note(reference, note)
        return InboxThread(reference)

    def post_message(self, reference: str, text: str) -> None:
        self._post(f"/conversations/{int(reference)}/messages",
                   {"content": text, "message_type": "incoming", "private": False})

    def post_note(self, reference: str, text: str) -> None:
        self._post(f"/conversations/{int(reference)}/messages",
                   {"content": text, "message_type": "outgoing", "private": True})


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str, now: Optional[float] = None) -> bool:
    """A webhook delivery Chatwoot signed with the webhook's secret, recently."""
    if not secret or not timestamp.isdigit() or not signature.startswith("sha256="):
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, signature)
