"""What each channel can show, decided once for all output channels."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def is_channel_hint(json_message: Mapping[str, Any]) -> bool:
    """A custom payload that only tells a channel to offer something (Telegram's
    share-contact button): channels that cannot offer it must send nothing."""
    data = json_message.get("data") if isinstance(json_message.get("data"), Mapping) else json_message
    return bool(data.get("request_contact"))


_URL = re.compile(r"https?://\S+")
_MARKDOWN = re.compile(r"([\\`*_\[\]~<>|])")


def escape_markdown(text: str) -> str:
    """Backslash-escape what CommonMark would turn into formatting (`pa***@e***.com`
    would lose its stars), leaving links intact so they stay clickable."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(_MARKDOWN.sub(r"\\\1", text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_MARKDOWN.sub(r"\\\1", text[last:]))
    return "".join(parts)


_ESCAPED = re.compile(r"\\([\\`*_\[\]~<>|])")


def unescape_markdown(text: str) -> str:
    """The text escape_markdown was given (what a widget that shows plain text undoes)."""
    return _ESCAPED.sub(r"\1", text)
