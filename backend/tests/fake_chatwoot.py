"""A small in-memory Chatwoot answering the application API the way Chatwoot documents it, and
refusing what Chatwoot refuses; agents act through `agent_reply`, `resolve` and `hand_back`, which
deliver signed webhooks like a Chatwoot account webhook. Standard library and devstack only: the
backend's tests (Python 3.11) and the assistant's whole-stack tests (Python 3.10) both use it."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Optional

from devstack.fake_http import FakeHttpServer

TOKEN, ACCOUNT, INBOX, WEB_INBOX = "cw-agent-bot-token-0123456789", 3, 11, 12
WEBHOOK_SECRET = "cw-webhook-secret-0123456789"
STATUSES = ("open", "resolved", "pending", "snoozed")
PATH = re.compile(r"^/api/v1/accounts/(\d+)/(contacts|conversations)(?:/(\d+)/(messages|toggle_status))?$")
NOT_FOUND = {"error": "Resource could not be found"}


class FakeChatwoot:
    def __init__(self) -> None:
        self.contacts: dict[int, dict] = {}
        self.contact_inboxes: dict[str, dict] = {}          # source_id -> {contact_id, inbox_id}
        self.conversations: dict[int, dict] = {}
        self.messages: list[dict] = []
        self.refused: list[tuple[int, str]] = []             # (status, path) of every refusal
        self.webhook_url: Optional[str] = None
        self.deliveries: list[tuple[int, dict]] = []         # (our endpoint's status, payload)
        self.down = False                                    # answers 503 like a server in maintenance
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.http = FakeHttpServer(lambda request: self.respond(request.path, request.headers, request.body),
                                   methods=("POST",))
        self.url = self.http.url

    def close(self) -> None:
        self.http.close()

    # --- the application API --------------------------------------------------------------
    def respond(self, path: str, headers: dict, body: bytes) -> tuple[int, Any]:
        status, payload = self._respond(path, {k.lower(): v for k, v in headers.items()}, body)
        if status >= 300:
            self.refused.append((status, path))
        return status, payload

    def _respond(self, path: str, headers: dict, body: bytes) -> tuple[int, Any]:
        if self.down:
            return 503, {"error": "Service Unavailable"}
        # Chatwoot authenticates API clients by the `api_access_token` header (an access token).
        if headers.get("api_access_token") != TOKEN:
            return 401, {"errors": ["You need to sign in or sign up before continuing."]}
        match = PATH.match(path)
        if not match:
            return 404, NOT_FOUND
        if int(match.group(1)) != ACCOUNT:
            return 401, {"error": "You are not authorized to access this account"}
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": "Bad Request"}
        with self._lock:
            if match.group(2) == "contacts" and not match.group(3):
                return self.create_contact(data)
            if match.group(2) == "conversations" and not match.group(3):
                return self.create_conversation(data)
            conversation = self.conversations.get(int(match.group(3) or 0))
            if match.group(2) != "conversations" or conversation is None:
                return 404, NOT_FOUND
            if match.group(4) == "messages":
                return self.create_message(conversation, data)
            return self.toggle_status(conversation, data)

    def create_contact(self, data: dict) -> tuple[int, Any]:
        if data.get("inbox_id") not in (INBOX, WEB_INBOX):
            return 422, {"message": "Inbox can't be blank", "attributes": ["inbox_id"]}
        email = data.get("email")
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", str(email)):
            return 422, {"message": "Email Invalid email", "attributes": ["email"]}
        if email and any(c.get("email") == email for c in self.contacts.values()):
            return 422, {"message": "Email has already been taken", "attributes": ["email"]}
        contact = {"id": next(self._ids), "name": data.get("name") or "", "email": email,
                   "identifier": data.get("identifier"), "custom_attributes": data.get("custom_attributes") or {}}
        self.contacts[contact["id"]] = contact
        source_id = str(uuid.uuid4())
        self.contact_inboxes[source_id] = {"contact_id": contact["id"], "inbox_id": data["inbox_id"]}
        return 200, {"payload": {"contact": contact, "contact_inbox": {
            "inbox": {"id": data["inbox_id"], "channel_type": "Channel::Api"}, "source_id": source_id}}}

    def create_conversation(self, data: dict) -> tuple[int, Any]:
        if not data.get("source_id") or not data.get("inbox_id"):
            return 422, {"message": "source_id and inbox_id are required"}
        contact_inbox = self.contact_inboxes.get(str(data["source_id"]))
        if contact_inbox is None or contact_inbox["inbox_id"] != data["inbox_id"]:
            return 404, NOT_FOUND
        if data.get("contact_id") not in (None, contact_inbox["contact_id"]):
            return 422, {"message": "Contact does not belong to the contact inbox"}
        status = data.get("status") or "open"
        if status not in ("open", "resolved", "pending"):
            return 422, {"message": f"'{status}' is not a valid status"}
        conversation = {"id": next(self._ids), "account_id": ACCOUNT, "inbox_id": data["inbox_id"], "status": status,
                        "contact_inbox": {"source_id": data["source_id"], "contact_id": contact_inbox["contact_id"]},
                        "custom_attributes": data.get("custom_attributes") or {},
                        "additional_attributes": data.get("additional_attributes") or {}}
        self.conversations[conversation["id"]] = conversation
        return 200, conversation

    def create_message(self, conversation: dict, data: dict) -> tuple[int, Any]:
        content = data.get("content")
        if not isinstance(content, str) or not content.strip():
            return 422, {"message": "Content can't be blank"}
        message_type = data.get("message_type", "outgoing")
        if message_type not in ("incoming", "outgoing"):
            return 422, {"message": f"'{message_type}' is not a valid message_type"}
        if message_type == "incoming" and conversation["inbox_id"] != INBOX:
            # Only API-channel inboxes take messages from the contact's side through this API.
            return 422, {"message": "Incoming messages are only allowed in Api inboxes"}
        if not isinstance(data.get("private", False), bool):
            return 422, {"message": "private must be a boolean"}
        message = {"id": next(self._ids), "conversation_id": conversation["id"], "content": content,
                   "message_type": message_type, "private": bool(data.get("private", False))}
        self.messages.append(message)
        return 200, message

    def toggle_status(self, conversation: dict, data: dict) -> tuple[int, Any]:
        if data.get("status") not in STATUSES:
            return 422, {"message": "invalid status"}
        conversation["status"] = data["status"]
        return 200, {"payload": {"success": True, "conversation_id": conversation["id"],
                                 "current_status": data["status"]}}

    # --- what tests read --------------------------------------------------------------------
    def conversation_for(self, assistant_conversation: str) -> dict:
        found = [c for c in self.conversations.values()
                 if c["custom_attributes"].get("assistant_conversation") == assistant_conversation]
        assert found, f"no Chatwoot conversation for {assistant_conversation}"
        return found[-1]

    def messages_of(self, conversation_id: int, private: Optional[bool] = None) -> list[dict]:
        return [m for m in self.messages if m["conversation_id"] == conversation_id
                and (private is None or m["private"] == private)]

    # --- agents at work, through the webhook ---------------------------------------------------
    def agent_reply(self, conversation_id: int, text: str, agent: str = "Anna", private: bool = False) -> int:
        return self.deliver(self.agent_message(conversation_id, text, agent, private))

    def agent_message(self, conversation_id: int, text: str, agent: str = "Anna", private: bool = False,
                      sender_type: str = "user") -> dict:
        """An agent's message in Chatwoot, as its message_created webhook payload."""
        message = {"id": next(self._ids), "conversation_id": conversation_id, "content": text,
                   "message_type": "outgoing", "private": private}
        self.messages.append(message)
        conversation = self.conversations[conversation_id]
        return {
            "event": "message_created", "id": message["id"], "content": text, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "message_type": "outgoing", "content_type": "text", "content_attributes": {}, "source_id": None,
            "private": private, "sender": {"id": 1, "name": agent, "available_name": agent, "type": sender_type},
            "inbox": {"id": conversation["inbox_id"], "name": "Asystent"}, "account": {"id": ACCOUNT, "name": "Kylos"},
            "conversation": {"id": conversation_id, "status": conversation["status"], "inbox_id": conversation["inbox_id"],
                             "contact_inbox": conversation["contact_inbox"],
                             "custom_attributes": conversation["custom_attributes"]}}

    def set_status(self, conversation_id: int, status: str) -> int:
        return self.deliver(self.status_change(conversation_id, status))

    def status_change(self, conversation_id: int, status: str) -> dict:
        """An agent changing the conversation's status, as the conversation_status_changed payload."""
        conversation = self.conversations[conversation_id]
        previous, conversation["status"] = conversation["status"], status
        return {
            "event": "conversation_status_changed", "id": conversation_id, "status": status,
            "inbox_id": conversation["inbox_id"], "contact_inbox": conversation["contact_inbox"],
            "custom_attributes": conversation["custom_attributes"], "account": {"id": ACCOUNT, "name": "Kylos"},
            "changed_attributes": [{"status": {"previous_value": previous, "current_value": status}}]}

    def resolve(self, conversation_id: int) -> int:
        return self.set_status(conversation_id, "resolved")

    def hand_back(self, conversation_id: int) -> int:
        return self.set_status(conversation_id, "pending")

    def deliver(self, payload: dict, secret: str = WEBHOOK_SECRET, timestamp: Optional[int] = None) -> int:
        """POSTs the event as Chatwoot's webhook does (signed_request); returns our endpoint's status."""
        assert self.webhook_url, "no webhook configured"
        body, headers = signed_request(payload, secret, timestamp)
        request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        self.deliveries.append((status, payload))
        return status


def signed_request(payload: dict, secret: str = WEBHOOK_SECRET, timestamp: Optional[int] = None) -> tuple[bytes, dict]:
    """A webhook delivery as Chatwoot makes it: JSON, X-Chatwoot-Signature `sha256=` HMAC-SHA256 of
    "<timestamp>.<body>" with the webhook's secret, X-Chatwoot-Timestamp, X-Chatwoot-Delivery."""
    body = json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Chatwoot-Signature": signature,
                  "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Delivery": str(uuid.uuid4())}
