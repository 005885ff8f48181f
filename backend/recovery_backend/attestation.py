"""The channel connector's signed statement that it saw the customer prove a phone (issue 9 M3):
format in docs/backend-api.md ("Connector attestation format"). Standard library only, so a
connector can use the same two functions.

The secret (CONNECTOR_ATTESTATION_SECRET) is shared by the connectors and this backend only;
the action server just forwards the proof, so the backend's API key alone cannot make one."""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Optional

VERSION = "v1"
MAX_AGE_SECONDS, MAX_SKEW_SECONDS = 60, 5
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def sign(secret: str, kind: str, conversation_id: str, channel: str, phone: str, issued_at: int, nonce: str) -> str:
    fields = (VERSION, kind, conversation_id, channel, phone, str(int(issued_at)), nonce)
    if any("\n" in field for field in fields):
        raise ValueError("attested fields cannot contain newlines")
    return hmac.new(secret.encode(), "\n".join(fields).encode(), hashlib.sha256).hexdigest()


def problem(secret: str, kind: str, conversation_id: str, channel: str, phone: str, issued_at: int, nonce: str,
            signature: str, now: float) -> Optional[str]:
    """Why the proof is refused (for the log), or None when its signature and age are right.
    Whether the nonce is new is the caller's to check: it needs storage."""
    if not _NONCE.match(nonce or ""):
        return "malformed nonce"
    if not (now - MAX_AGE_SECONDS <= issued_at <= now + MAX_SKEW_SECONDS):
        return "expired or from the future"
    try:
        expected = sign(secret, kind, conversation_id, channel, phone, issued_at, nonce)
    except ValueError:
        return "newline in a field"
    if not hmac.compare_digest(expected, (signature or "").lower()):
        return "bad signature"
    return None
