"""Polish tax numbers (NIP) in text; the checksum is python-stdnum's."""
from __future__ import annotations

import re
from typing import NamedTuple

from stdnum.pl import nip as polish_nip

# 123-456-32-18, 123-45-67-819, 1234563218, PL1234563218 (dashes or spaces between the groups).
_CANDIDATE = re.compile(r"(?<![\w])(?:PL ?)?(\d{3}[- ]?\d{3}[- ]?\d{2}[- ]?\d{2}|\d{3}[- ]?\d{2}[- ]?\d{2}[- ]?\d{3})"
                        r"(?![\w]|[- ]\d)", re.I)


class FoundNip(NamedTuple):
    start: int
    end: int
    text: str
    nip: str  # ten digits


def find_nips(text: str) -> list[FoundNip]:
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        digits = polish_nip.compact(match.group(1))
        if polish_nip.is_valid(digits):
            found.append(FoundNip(match.start(), match.end(), match.group(0), digits))
    return found
