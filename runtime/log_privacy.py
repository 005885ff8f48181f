"""No customer text in the logs: every log record and warning of the process passes
through runtime/redaction.py, and Rasa's warnings that quote an unknown `/intent{…}`
(the customer's own words, e.g. a phone) withhold the name.

Installed at start-up by runtime/rasa_server.py, before Rasa configures logging.
"""
from __future__ import annotations

import logging
import re
import warnings

from runtime.redaction import redact_log_text

QUOTES_USER_TEXT = re.compile(r"^Parsed an? (intent|entity) '.*' which is not defined in the domain", re.S)


def private_message(text: str) -> str:
    match = QUOTES_USER_TEXT.match(text)
    if match:
        return f"Parsed an {match.group(1)} which is not defined in the domain (name withheld: the customer typed it)."
    return redact_log_text(text)


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
            pass
        return record

    logging.setLogRecordFactory(record_factory)
