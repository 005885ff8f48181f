"""The connector's signed statement that it saw the customer prove a phone
(Telegram: a contact whose user_id is the sender's own), in the format the
backend verifies (docs/backend-api.md, "Connector attestation format").

Signed with CONNECTOR_ATTESTATION_SECRET, which only the connector and the
backend hold; it covers the conversation, the channel, the issue time and a
random nonce, so the backend accepts it for about a minute, once, and only for
this conversation. It travels in the message metadata under `phone_attestation`,
which the tracker store drops before saving.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any, Optional

METADATA_KEY = "phone_attestation"
VERSION = "v1"


def signature(secret: str, kind: str, conversation_id: str, channel: str, phone: str, issued_at: int,
              nonce: str) -> str:
    fields = (VERSION, kind, conversation_id, channel, phone, str(issued_at), nonce)
    if any("\n" in field for field in fields):
        raise ValueError("attested fields cannot contain newlines")
    return hmac.new(secret.encode(), "\n".join(fields).encode(), hashlib.sha256).hexdigest()


def attest(secret: str, kind: str, conversation_id: str, channel: str, phone: str,
           now: Optional[float] = None) -> dict[str, Any]:
    """Metadata for the message the connector forwards to Rasa."""
    issued_at, nonce = int(now if now is not None else time.time()), secrets.token_urlsafe(16)
    return {METADATA_KEY: {
        "kind": kind, "conversation_id": conversation_id, "channel": channel, "phone": phone,
        "proof": {"issued_at": issued_at, "nonce": nonce,
                  "signature": signature(secret, kind, conversation_id, channel, phone, issued_at, nonce)},
    }}
