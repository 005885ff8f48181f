"""Conversation ids that carry their channel.

Rasa keys a conversation by its id alone, so an id one channel lets a client
choose must never name a conversation of another channel. Every connector
builds its ids here: `tg:<user id>`, `slack:<team>:<user>`, `rest:<sender>`,
`sio:<server-issued random id>`.

A part made of safe characters, at most 128 of them, is used as it is. Any other
(`Żaneta.K-ff22`, an id of 300 characters) becomes its cleaned beginning, `~` and a
hash of the whole: `~` is never in a safe part, so two different ids never share a
conversation (`_aneta.K-ff22` stays itself; two long ids alike in their first 128
characters differ in their hashes).
"""
from __future__ import annotations

import hashlib
import re
from typing import Optional

PREFIXES = {"telegram": "tg", "slack": "slack", "rest": "rest", "socketio": "sio"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+-]")
MAX_PART = 128
HASH_CHARS = 32


def _part(value: object) -> str:
    text = str(value)
    if not text:
        raise ValueError("empty conversation id part")
    if len(text) <= MAX_PART and not _UNSAFE.search(text):
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]
    return _UNSAFE.sub("_", text)[:MAX_PART - HASH_CHARS - 1] + "~" + digest


def conversation_id(channel: str, *parts: object) -> str:
    return ":".join([PREFIXES[channel], *(_part(part) for part in parts)])


def channel_part(conversation: str, channel: str) -> Optional[str]:
    """What follows the channel's prefix, or None when the id belongs elsewhere."""
    prefix = PREFIXES[channel] + ":"
    return conversation[len(prefix):] if conversation.startswith(prefix) else None
