"""The redaction rules on their own (runtime/redaction.py)."""
from runtime.log_privacy import private_message
from runtime.redaction import redact_event, redact_text


def test_phones_codes_and_emails_in_any_format_are_redacted():
    for typed in ("601 234 567", "+48 (22) 123-45-67", "601-234-567", "123456", "123 456", "１２３４５６",
                  "jan.kowalski+x@poczta.example.pl"):
        assert not any(ch.isdigit() for ch in redact_text(f"to {typed} ok")) or "@" not in redact_text(typed)
        assert typed not in redact_text(f"to {typed} ok")


def test_short_numbers_and_addresses_stay_readable():
    assert redact_text("za 15 minut, 127.0.0.1:5055") == "za 15 minut, 127.0.0.1:5055"


def test_a_user_event_loses_typed_values_entities_and_the_phone_proof():
    event = {"event": "user", "text": "mój numer 601234567", "input_channel": "rest",
             "metadata": {"phone_attestation": {"phone": "+48601234567"}, "ip": "x"},
             "parse_data": {"text": "mój numer 601234567", "intent": {"name": "give_phone"},
                            "entities": [{"entity": "phone", "value": "SEALED-or-not", "start": 10, "end": 19}]}}
    stored = redact_event(event)
    assert "601234567" not in str(stored) and "SEALED-or-not" not in str(stored)
    assert "phone_attestation" not in str(stored)
    assert stored["parse_data"]["intent"] == {"name": "give_phone"}
    assert stored["parse_data"]["entities"][0]["entity"] == "phone"


def test_slot_events_are_left_for_the_dialogue():
    slot = {"event": "slot", "name": "recovery_path", "value": "dead_email"}
    assert redact_event(slot) == slot


def test_rasa_warning_about_a_slash_intent_withholds_the_name():
    message = private_message("Parsed an intent '601234567' which is not defined in the domain. Please …")
    assert "601234567" not in message and "withheld" in message
