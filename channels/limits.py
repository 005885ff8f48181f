"""What a chat message may be: one cap for every channel a client can post to, and the answer
to a message with nothing in it (no turn is run for either)."""
from __future__ import annotations

MAX_MESSAGE_CHARS = 2000
TOO_LONG = (f"Ta wiadomość jest za długa (limit to {MAX_MESSAGE_CHARS} znaków). "
            "Proszę napisać krócej — wystarczy jedno, dwa zdania.")
EMPTY = "Ta wiadomość jest pusta. Proszę napisać, w czym pomóc — np. „nie działa mi poczta”."
# Whole request bodies above this are refused before being parsed.
MAX_BODY_BYTES = 64 * 1024


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS
