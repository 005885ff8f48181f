"""A conversation's pseudonym and a message's request id, for logs and exported conversations.

The pseudonym is an HMAC of the conversation id, keyed from the secret Rasa and the action server
already share (ACTION_SERVER_TOKEN), so both name a conversation alike while a Telegram user id or a
REST sender cannot be read back or guessed from it (a plain hash of `tg:12345` could be). Rotating
the secret starts new pseudonyms. Both are written in letters only: the log redactor takes any run of
six digits for a phone number and would blank a hexadecimal id.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_PURPOSE = b"conversation pseudonym v1"
_LETTERS = str.maketrans("0123456789", "ghijklmnop")
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _letters(hexdigits: str) -> str:
    return hexdigits.translate(_LETTERS)


def pseudonym(conversation: str, secret: str) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return "c-" + _letters(hmac.new(key, conversation.encode(), hashlib.sha256).hexdigest()[:16])


def new_request_id() -> str:
    return "r-" + _letters(secrets.token_hex(8))


def request_id_or_none(value: object) -> str | None:
    """A request id as it arrived in metadata or a header, when it looks like one (never free text)."""
    return value if isinstance(value, str) and REQUEST_ID.fullmatch(value) else None
