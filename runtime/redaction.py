"""What is never stored or logged as typed: e-mail addresses, phone numbers and codes.

The finders are contact_rules' (the same that read a phone, an address or a code out of a
message), so anything the assistant can read as one is also redacted: any run of six or
more digits whatever separates them (`604.111.222`, `12 34 56`, full-width digits), what
libphonenumber's matcher takes for a number, anything around an `@`. Over-redacting a date
or an order number costs nothing; a missed code would.
"""
from __future__ import annotations

from typing import Any, Optional

from contact_rules import redact
from contact_rules.redaction import EMAIL_MARK, NUMBER_MARK

__all__ = ["EMAIL_MARK", "NUMBER_MARK", "redact_event", "redact_slot", "redact_text", "redact_value"]
# Entities whose value is personal data, whatever it looks like.
SENSITIVE_ENTITIES = frozenset({"phone", "email", "code"})
# Metadata never worth keeping: a signed proof of the phone (replayable if kept), the client's
# address (channels/client.py; personal data, needed only during the turn).
DROPPED_METADATA = frozenset({"phone_attestation", "client_key"})
# Rasa copies the first message's metadata into this slot when a session starts (a Telegram
# contact shared as the first message: the phone proof).
SESSION_METADATA_SLOT = "session_started_metadata"


def redact_text(text: str) -> str:
    return redact(text)


class _OnceEach:
    """Redaction of one event: a text found in several places (a message's text, its parse data's,
    an entity's) goes through the finders once. Nothing outlives the event."""

    def __init__(self, already: Optional[dict[str, str]] = None) -> None:
        self.seen: dict[str, str] = dict(already or {})

    def text(self, text: str) -> str:
        redacted = self.seen.get(text)
        if redacted is None:
            redacted = self.seen[text] = redact(text)
        return redacted

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def entities(self, entities: list) -> list:
        redacted = []
        for entity in entities or []:
            entity = dict(entity)
            if entity.get("entity") in SENSITIVE_ENTITIES:
                entity["value"] = f"[{entity['entity']}]"
                entity.pop("text", None)
            redacted.append(self.value(entity))
        return redacted

    def metadata(self, metadata: Any) -> Any:
        if not isinstance(metadata, dict):
            return self.value(metadata)
        return {key: self.value(value) for key, value in metadata.items() if key not in DROPPED_METADATA}


def redact_value(value: Any) -> Any:
    """Every string inside dicts and lists redacted; other values kept."""
    return _OnceEach().value(value)


def redact_metadata(metadata: Any) -> Any:
    return _OnceEach().metadata(metadata)


def redact_slot(name: str, value: Any) -> Any:
    """Slots are left alone (the dialogue reads them back; actions keep personal data out of
    them), except the one Rasa fills from a client's metadata."""
    return redact_metadata(value) if name == SESSION_METADATA_SLOT else value


def redact_event(event: dict, already: Optional[dict[str, str]] = None) -> dict:
    """A serialised Rasa event as it may be stored: user and bot texts, parse data,
    metadata and the session's metadata slot redacted. `already`: texts and their redacted
    form, as `redact_text` gives it, where the caller has it at hand."""
    event = dict(event)
    kind = event.get("event")
    if kind == "slot":
        if event.get("name") == SESSION_METADATA_SLOT:
            event["value"] = redact_slot(event["name"], event.get("value"))
        return event
    if kind not in ("user", "bot"):
        return event
    once = _OnceEach(already)
    if isinstance(event.get("text"), str):
        event["text"] = once.text(event["text"])
    if "metadata" in event:
        event["metadata"] = once.metadata(event["metadata"])
    if kind == "user" and isinstance(event.get("parse_data"), dict):
        parse_data = dict(event["parse_data"])
        parse_data["entities"] = once.entities(parse_data.get("entities", []))
        parse_data = {key: (value if key == "entities" else once.value(value)) for key, value in parse_data.items()}
        if "metadata" in parse_data:
            parse_data["metadata"] = once.metadata(event["parse_data"]["metadata"])
        event["parse_data"] = parse_data
    if kind == "bot" and isinstance(event.get("data"), dict):
        event["data"] = once.value(event["data"])
    return event
