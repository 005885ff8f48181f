"""What is never stored or logged as typed: e-mail addresses, phone numbers and codes.

Any run of six or more digits counts (phones, SMS codes, `123 456`, full-width digits),
whatever separates them; dots do not separate, so addresses like 127.0.0.1 stay readable
in logs. Over-redacting a date or an order number costs nothing; a missed code would.
"""
from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DIGIT_RUN = re.compile(r"\+?\d(?:[\s\-/()]*\d){5,}")
# In logs a digit run glued to letters is an identifier (a model's hash, a request id).
DIGIT_RUN_ALONE = re.compile(r"(?<![A-Za-z0-9])\+?\d(?:[\s\-/()]*\d){5,}(?![A-Za-z0-9])")
EMAIL_MARK = "[e-mail]"
NUMBER_MARK = "[numer]"
# Entities whose value is personal data, whatever it looks like.
SENSITIVE_ENTITIES = frozenset({"phone", "email", "code"})
# Metadata never worth keeping: a signed proof of the phone (replayable if kept).
DROPPED_METADATA = frozenset({"phone_attestation"})


def redact_text(text: str) -> str:
    return DIGIT_RUN.sub(NUMBER_MARK, EMAIL.sub(EMAIL_MARK, text))


def redact_log_text(text: str) -> str:
    return DIGIT_RUN_ALONE.sub(NUMBER_MARK, EMAIL.sub(EMAIL_MARK, text))


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


def redact_event(event: dict) -> dict:
    """A serialised Rasa event as it may be stored: user and bot texts, parse data and
    metadata redacted. Slots are left alone: the dialogue reads them back (actions keep
    personal data out of them)."""
    event = dict(event)
    kind = event.get("event")
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
