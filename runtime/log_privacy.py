"""No customer text in the logs: every log record (its message, its exception's traceback
and its stack) and every warning of the process passes through the redactor
(runtime/redaction.py), and Rasa's warnings that quote an unknown `/intent{…}` (the
customer's own words) withhold the name.

The redaction is done as each record is made (a log record factory) rather than by a filter
on some handler: it reaches every logger, and the handlers Rasa and Sanic set up later.
Installed at start-up by runtime/rasa_server.py and runtime/action_server.py, before either
configures logging.
"""
from __future__ import annotations

import logging
import re
import warnings

from runtime.redaction import redact_text

_TRACEBACKS = logging.Formatter()
# Rasa's warnings about a message starting with `/` quote the message itself: whatever the
# customer typed (a name, an address), not only what the redactor recognises.
QUOTES_USER_TEXT = re.compile(r"^Parsed an? (intent|entity) '.*' which is not defined in the domain", re.S)
QUOTES_USER_LINE = re.compile(r"^Failed to parse arguments in line '", re.S)


def private_message(text: str) -> str:
    match = QUOTES_USER_TEXT.match(text)
    if match:
        return f"Parsed an {match.group(1)} which is not defined in the domain (name withheld: the customer typed it)."
    if QUOTES_USER_LINE.match(text):
        return "Failed to parse arguments in a message starting with '/' (text withheld: the customer typed it)."
    return redact_text(text)


def install() -> None:
    show = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        show(private_message(str(message)), category, filename, lineno, file, line)

    warnings.showwarning = showwarning

    make_record = logging.getLogRecordFactory()

    def record_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            record.msg, record.args = private_message(record.getMessage()), ()
        except Exception:  # a broken format string must not lose the record
            record.msg, record.args = private_message(str(record.msg)), ()
        if record.exc_info:
            # Formatters reuse exc_text when set: the traceback is written redacted.
            record.exc_text = redact_text(_TRACEBACKS.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return record

    logging.setLogRecordFactory(record_factory)
