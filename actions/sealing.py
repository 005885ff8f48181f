"""Personal data the conversation must remember (phone numbers, e-mail
addresses, the proof token) is kept in the conversation state only encrypted,
so the tracker store — a database that keeps conversations — never holds it
in clear. Only the action servers hold the key."""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from functools import lru_cache
from typing import Any, Optional

from cryptography.fernet import Fernet, InvalidToken

from .settings import seal_key

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    passphrase = seal_key()
    if not passphrase:
        # Development without a configured key: sealed values live as long as this process.
        log.warning("CONVERSATION_SEAL_KEY is not set: using a random key for this process")
        passphrase = secrets.token_urlsafe(32)
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(passphrase.encode()).digest()))


def seal(values: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(values, separators=(",", ":")).encode()).decode()


def unseal(sealed: Optional[str]) -> dict[str, Any]:
    """The sealed values, or nothing when absent or sealed with another key (then they are asked again)."""
    if not sealed:
        return {}
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except (InvalidToken, ValueError):
        log.warning("conversation state could not be unsealed; its personal data is dropped")
        return {}
