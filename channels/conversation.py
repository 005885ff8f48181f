"""Conversation ids that carry their channel.

Rasa keys a conversation by its id alone, so an id one channel lets a client
choose must never name a conversation of another channel. Every connector
builds its ids here: `tg:<user id>`, `slack:<team>:<user>`, `rest:<sender>`,
`sio:<server-issued random id>`.
"""
from __future__ import annotations

import re
from typing import Optional

PREFIXES = {"telegram": "tg", "slack": "slack", "rest": "rest", "socketio": "sio"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+-]")
MAX_PART = 128


def _part(value: object) -> str:
    text = _UNSAFE.sub("_", str(value))[:MAX_PART]
    if not text:
        raise ValueError("empty conversation id part")
    return text


def conversation_id(channel: str, *parts: object) -> str:
    return ":".join([PREFIXES[channel], *(_part(part) for part in parts)])


def channel_part(conversation: str, channel: str) -> Optional[str]:
    """What follows the channel's prefix, or None when the id belongs elsewhere."""
    prefix = PREFIXES[channel] + ":"
    return conversation[len(prefix):] if conversation.startswith(prefix) else None
