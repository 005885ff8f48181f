"""Signed proof, passed from a channel connector to the actions, that the
channel itself verified the customer's phone (a Telegram contact whose
user_id is the sender's own).

Metadata in a user message can come from any client (the REST channel lets a
caller send arbitrary metadata), so the actions trust it only when it carries
an HMAC made with a secret that only our connectors and our action server know.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any, Mapping, Optional

METADATA_KEY = "phone_attestation"
SECRET_ENV = "CHANNEL_ATTESTATION_SECRET"


def _secret() -> bytes:
    secret = os.environ.get(SECRET_ENV, "")
    if len(secret) < 16:
        raise RuntimeError(f"{SECRET_ENV} must be set (16+ characters) to attest phones")
    return secret.encode()


def _signature(kind: str, sender_id: str, phone: str) -> str:
    message = f"{kind}\n{sender_id}\n{phone}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()


def attest(kind: str, sender_id: str, phone: str) -> dict[str, str]:
    """Metadata a connector attaches to the message it forwards to Rasa."""
    return {
        METADATA_KEY: {
            "kind": kind,
            "sender_id": sender_id,
            "phone": phone,
            "signature": _signature(kind, sender_id, phone),
        }
    }


def verified_phone(metadata: Optional[Mapping[str, Any]], sender_id: str) -> Optional[tuple[str, str]]:
    """(kind, phone) when metadata holds a valid attestation for this sender, else None."""
    if not metadata:
        return None
    claim = metadata.get(METADATA_KEY)
    if not isinstance(claim, Mapping):
        return None
    kind, claimed_sender, phone, signature = (
        str(claim.get(key, "")) for key in ("kind", "sender_id", "phone", "signature")
    )
    if not (kind and phone and signature) or claimed_sender != sender_id:
        return None
    try:
        expected = _signature(kind, sender_id, phone)
    except RuntimeError:
        return None
    if not hmac.compare_digest(expected, signature):
        return None
    return kind, phone
