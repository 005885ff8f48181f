"""What a customer typed, as the assistant should understand it, per channel.

Slack sends typed addresses, phone numbers, links and mentions in its own
markup (`<mailto:a@b.pl|a@b.pl>`, `<tel:+48601…|601 …>`, `<https://…|…>`,
`<@U…>`) and escapes `&`, `<`, `>`; Telegram sends commands as `/start@bot`.
Every channel's text is also NFKC-normalised (full-width digits become ASCII)
and cleared of invisible characters that copying from apps adds; what is left
of a message of only spaces and invisible characters is nothing (`blank`), which
every channel answers with a short request to write something, without a turn.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Optional

_SPACES = re.compile(r"[ \t\u00a0]+")
# Letters that draw nothing (Hangul fillers, the Braille blank), besides format characters (Cf:
# zero-width spaces and joiners, direction marks, the BOM, the soft hyphen) and control characters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cf", "Cc") and ch not in "\n\t"


def common(text: str) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if not _invisible(ch))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


def blank(text: str) -> bool:
    """Nothing to read: no character that is not a space, invisible or a lone combining mark."""
    return all(ch.isspace() or ch in _BLANK_LETTERS or unicodedata.category(ch) == "Mn" for ch in common(text))


_SLACK_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _slack_piece(target: str, label: Optional[str], bot_user_ids: Iterable[str]) -> str:
    if target.startswith("@"):  # a user mention: the bot's own is noise, others keep a neutral name
        return "" if target[1:] in set(bot_user_ids) else (f"@{label}" if label else "")
    if target.startswith("#"):
        return f"#{label}" if label else ""
    if target.startswith("!"):  # <!here>, <!channel>, <!date…|fallback>
        return label or ""
    if target.startswith("mailto:"):
        return target[len("mailto:"):]
    if target.startswith("tel:"):
        return label or target[len("tel:"):]
    return target  # a link: the address itself, whatever its label


def slack(text: str, bot_user_ids: Iterable[str] = ()) -> str:
    ids = list(bot_user_ids)
    text = _SLACK_MARKUP.sub(lambda match: _slack_piece(match.group(1), match.group(2), ids), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return common(text)


TELEGRAM_COMMANDS = {"/start": "dzień dobry", "/help": "w czym możesz pomóc?", "/pomoc": "w czym możesz pomóc?"}


def telegram(message: Mapping[str, Any]) -> str:
    text = str(message.get("text") or "")
    for entity in message.get("entities") or []:
        if entity.get("type") == "bot_command" and entity.get("offset") == 0:
            command = text[: entity.get("length", 0)].split("@", 1)[0].lower()
            rest = text[entity.get("length", 0):].strip()
            if command == "/start":
                rest = ""  # the parameter of a t.me/<bot>?start=… link, not typed by the customer
            if command in TELEGRAM_COMMANDS:
                return common(" ".join(part for part in (TELEGRAM_COMMANDS[command], rest) if part))
            text = command + (" " + rest if rest else "")
    # A link hidden behind words (text_link) is added, so the address the customer meant is seen.
    links = [entity["url"] for entity in message.get("entities") or [] if entity.get("type") == "text_link"
             and entity.get("url")]
    return common(" ".join([text, *links]))
