"""The SMS code as customers type it, and runs of digits in general."""
from __future__ import annotations

import re
from typing import NamedTuple

CODE_DIGITS = 6
# As typed from the SMS: 123456, 123 456, 123-456, 12 34 56 (not inside a longer number).
_CODE = re.compile(r"(?<![\d+])(?:\d{3}[ \-]?\d{3}|\d{2}[ \-]\d{2}[ \-]\d{2})(?!\d)")
# What may stand between the digits of one number: libphonenumber's punctuation (every dash,
# slash, bracket, dot, tilde, the full-width forms, invisible spaces) and any white space.
SEPARATORS = "\\s\\-\u2010-\u2015\u2212\u30fc\uff0d\uff0f\u00ad\u200b\u2060\u3000()\uff08\uff09\uff3b\uff3d.\\[\\]/~\u2053\u223c\uff5e_"
_DIGIT_RUN = re.compile(rf"[+\uff0b]?\d(?:[{SEPARATORS}]{{0,3}}\d)*")


class FoundDigits(NamedTuple):
    start: int
    end: int
    text: str
    digits: str


def _digits(text: str) -> str:
    return "".join(str(int(ch)) for ch in text if ch.isdecimal())


def find_codes(text: str) -> list[FoundDigits]:
    """Six digits standing as a code would be typed; full-width digits count."""
    return [FoundDigits(m.start(), m.end(), m.group(0), _digits(m.group(0))) for m in _CODE.finditer(text or "")]


def find_digit_runs(text: str, min_digits: int = CODE_DIGITS) -> list[FoundDigits]:
    """Runs of at least `min_digits` digits, whatever phone punctuation separates them
    (`604.111.222`, `12 34 56`, `601–234–567`)."""
    found = []
    for match in _DIGIT_RUN.finditer(text or ""):
        digits = _digits(match.group(0))
        if len(digits) >= min_digits:
            found.append(FoundDigits(match.start(), match.end(), match.group(0), digits))
    return found
