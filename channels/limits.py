"""What a chat message may be: one cap for every channel a client can post to, and the answers
to a message with nothing in it and to an edit of a message already sent (no turn is run for
any of them)."""
from __future__ import annotations

MAX_MESSAGE_CHARS = 2000
TOO_LONG = (f"Ta wiadomość jest za długa (limit to {MAX_MESSAGE_CHARS} znaków). "
            "Proszę napisać krócej — wystarczy jedno, dwa zdania.")
EMPTY = "Ta wiadomość jest pusta. Proszę napisać, w czym pomóc — np. „nie działa mi poczta”."
# An edit would change a turn already answered (a phone number the code went to): the customer
# sends the corrected text as a new message instead (Telegram's edited_message, Slack's message_changed).
EDITED = ("Poprawek w wysłanych już wiadomościach nie czytam — proszę wysłać poprawioną treść "
          "jako nową wiadomość.")
# Whole request bodies above this are refused before being parsed.
MAX_BODY_BYTES = 64 * 1024


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS
