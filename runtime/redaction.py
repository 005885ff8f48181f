"""What is never stored or logged as typed: e-mail addresses, phone numbers and codes.

The finders are contact_rules' (the same that read a phone, an address or a code out of a
message), so anything the assistant can read as one is also redacted: any run of six or
more digits whatever separates them (`604.111.222`, `12 34 56`, full-width digits), what
libphonenumber's matcher takes for a number, anything around an `@`. Over-redacting a date
or an order number costs nothing; a missed code would.
"""
from __future__ import annotations

from typing import Any

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


def redact_value(value: Any) -> Any:
    """Every string inside dicts and lists redacted; other values kept."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    return value


def redact_entities(entities: list) -> list:
    redacted = []
    for entity in entities or []:
        entity = dict(entity)
        if entity.get("entity") in SENSITIVE_ENTITIES:
            entity["value"] = f"[{entity['entity']}]"
            entity.pop("text", None)
        redacted.append(redact_value(entity))
    return redacted


def redact_metadata(metadata: Any) -> Any:
    if not isinstance(metadata, dict):
        return redact_value(metadata)
    return {key: redact_value(value) for key, value in metadata.items() if key not in DROPPED_METADATA}


def redact_slot(name: str, value: Any) -> Any:
    """Slots are left alone (the dialogue reads them back; actions keep personal data out of
    them), except the one Rasa fills from a client's metadata."""
    return redact_metadata(value) if name == SESSION_METADATA_SLOT else value


def redact_event(event: dict) -> dict:
    """A serialised Rasa event as it may be stored: user and bot texts, parse data,
    metadata and the session's metadata slot redacted."""
    event = dict(event)
    kind = event.get("event")
    if kind == "slot":
        if event.get("name") == SESSION_METADATA_SLOT:
            event["value"] = redact_slot(event["name"], event.get("value"))
        return event
    if kind not in ("user", "bot"):
        return event
    if isinstance(event.get("text"), str):
        event["text"] = redact_text(event["text"])
    if "metadata" in event:
        event["metadata"] = redact_metadata(event["metadata"])
    if kind == "user" and isinstance(event.get("parse_data"), dict):
        parse_data = dict(event["parse_data"])
        parse_data["entities"] = redact_entities(parse_data.get("entities", []))
        parse_data = {key: (value if key == "entities" else redact_value(value)) for key, value in parse_data.items()}
        if "metadata" in parse_data:
            parse_data["metadata"] = redact_metadata(event["parse_data"]["metadata"])
        event["parse_data"] = parse_data
    if kind == "bot" and isinstance(event.get("data"), dict):
        event["data"] = redact_value(event["data"])
    return event
