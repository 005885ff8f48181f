"""What is never kept as typed: e-mail addresses, phone numbers and codes, found by this
package's own finders (the ones that read them), so whatever is read as a number or an
address is also redacted — in stored conversations, logs, the web chat's saved transcript
and the case text a person reads.

Over-redacting costs nothing (a date, an order number); a missed code would. Addresses
like 127.0.0.1 stay readable in logs, and so do values already masked (`ma***@n***.pl`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Union

from .code import CODE_DIGITS, find_digit_runs
from .email import find_emails
from .masking import is_masked_email
from .phone import find_phones

EMAIL_MARK = "[e-mail]"
NUMBER_MARK = "[numer]"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"   # no leading zero: "60.100.00.00" is a phone
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
# A dotted quad with as many digits as a Polish number (with or without 48) may be one typed with dots.
_PHONE_LENGTHS = (9, 11)


def _is_address(piece: str) -> bool:
    return bool(_IPV4.fullmatch(piece)) and sum(ch.isdecimal() for ch in piece) not in _PHONE_LENGTHS


def _number_spans(text: str, min_digits: int) -> list[tuple[int, int]]:
    if sum(ch.isdecimal() for ch in text) < min_digits:
        return []  # nothing shorter is a phone or a code
    found = [*find_digit_runs(text, min_digits), *find_phones(text, possible=True)]
    return [(piece.start, piece.end) for piece in found if not _is_address(piece.text)]


def redact(text: str, email_mark: Union[str, Callable[[str], str]] = EMAIL_MARK, number_mark: str = NUMBER_MARK,
           min_digits: int = CODE_DIGITS) -> str:
    """The text with every address and every number of `min_digits` or more digits (and whatever
    libphonenumber takes for a phone number) replaced by a mark. `email_mark` may be a function
    of the address (the backend shows staff the masked form)."""
    if not text:
        return text
    emails = [email for email in find_emails(text) if not is_masked_email(email.text)] if "@" in text else []
    spans = [(email.start, email.end, email_mark if isinstance(email_mark, str) else email_mark(email.text))
             for email in emails]
    email_marks = {mark for *_, mark in spans}
    spans += [(start, end, number_mark) for start, end in _number_spans(text, min_digits)]
    if not spans:
        return text
    merged: list[list] = []
    for start, end, mark in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if merged[-1][2] not in email_marks:
                merged[-1][2] = mark
        else:
            merged.append([start, end, mark])
    pieces, last = [], 0
    for start, end, mark in merged:
        pieces += [text[last:start], mark]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
