"""The redaction rules on their own (runtime/redaction.py, runtime/log_privacy.py)."""
import logging
import warnings

from runtime import log_privacy
from runtime.log_privacy import private_message
from runtime.redaction import redact_event, redact_text


def test_phones_codes_and_emails_in_any_format_are_redacted():
    for typed in ("601 234 567", "+48 (22) 123-45-67", "601-234-567", "123456", "123 456", "１２３４５６",
                  "jan.kowalski+x@poczta.example.pl", "604.111.222", "604–111–222", "jan%kowalski@example.pl"):
        redacted = redact_text(f"to {typed} ok")
        assert not any(ch.isdigit() for ch in redacted) and "@" not in redacted, redacted


def test_the_audits_dotted_phone_and_percent_address():
    assert redact_text("tel 604.111.222") == "tel [numer]"
    assert redact_text("jan%kowalski@example.pl") == "[e-mail]"


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


def test_the_session_metadata_slot_loses_the_phone_proof_and_typed_values():
    # Rasa copies a session's first message's metadata into this slot (a Telegram contact shared first).
    slot = {"event": "slot", "name": "session_started_metadata",
            "value": {"phone_attestation": {"phone": "+48692888999", "signature": "ab" * 32}, "note": "tel 604.111.222"}}
    stored = redact_event(slot)
    assert stored["value"] == {"note": "tel [numer]"}


def test_rasa_warning_about_a_slash_intent_withholds_the_name():
    message = private_message("Parsed an intent '601234567' which is not defined in the domain. Please …")
    assert "601234567" not in message and "withheld" in message


def test_rasa_warning_about_a_slash_line_withholds_the_line():
    line = "/Jan Kowalski, Długa 5, tel 604.111.222"
    message = private_message(f"Failed to parse arguments in line '{line}'. Expected the intent to be one of "
                              f"[greet] but found Jan Kowalski, Długa 5, tel 604.111.222.Continuing with given line.")
    assert "Kowalski" not in message and "withheld" in message


def test_every_log_record_and_its_traceback_are_redacted(caplog):
    factory, show = logging.getLogRecordFactory(), warnings.showwarning
    try:
        log_privacy.install()
        log = logging.getLogger("tests.privacy")
        with caplog.at_level(logging.INFO):
            log.info("message from %s: %s", "jan%kowalski@example.pl", "tel 604.111.222")
            try:
                raise ValueError("bad value 604-111-222 for jan@example.pl")
            except ValueError:
                log.exception("failed")
        text = caplog.text
        assert "604" not in text and "kowalski" not in text and "jan@example.pl" not in text
        assert "[e-mail]" in text and "[numer]" in text and "ValueError" in text
    finally:
        logging.setLogRecordFactory(factory)
        warnings.showwarning = show


def test_redacting_rasas_ids_once_gives_the_same_event():
    model_id = "0f082e55012346abbadff94180ce1ba"
    event = {"event": "user", "text": "tel 601 234 567", "metadata": {"model_id": model_id, "assistant_id": "a-1"},
             "parse_data": {"text": "tel 601 234 567", "message_id": "b5c75afbddbc439d8391985763c4c765",
                            "entities": [{"entity": "phone", "value": "601234567", "text": "601 234 567"}]}}
    whole = redact_event(event)
    assert "601" not in str(whole) and "5501234" not in str(whole)
    assert redact_event(event, {model_id: redact_text(model_id), "a-1": "a-1"}) == whole
