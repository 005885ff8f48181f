"""E-mail addresses: finding them in text, and whether one is an address we can send a
confirmation to."""
from __future__ import annotations

import re
from typing import NamedTuple

# Deliberately plain: one @, a dotted domain, no spaces; the confirmation link proves the rest. The
# name neither starts nor ends with a dot, and no domain label starts or ends with a hyphen
# (`.a@b.pl`, `-@-.pl` are no addresses anyone can own).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^(?!\.)[A-Za-z0-9._%+\-]{{1,64}}(?<!\.)@{_LABEL}(\.{_LABEL})*\.[A-Za-z]{{2,24}}$")
# Anything around an @ that is not a space, a bracket, a quote or punctuation ending a sentence:
# wider than a valid address on purpose (`jan%kowalski@example.pl`, `jan@example`, `jan@@example.pl`), so an address
# typed wrong is still found (to be explained, or redacted) and never half-kept.
_FIND = re.compile(r"[^\s<>\"'(),;:!?@\[\]]+@[^\s<>\"'(),;:!?\[\]]+")
_TRAILING = ".-"


class FoundEmail(NamedTuple):
    start: int
    end: int
    text: str


def find_emails(text: str) -> list[FoundEmail]:
    """Every address-like piece of the text, valid or not, without a sentence's final dot."""
    found = []
    for match in _FIND.finditer(text or ""):
        address = match.group(0).rstrip(_TRAILING)
        if "@" in address and not address.endswith("@"):
            found.append(FoundEmail(match.start(), match.start() + len(address), address))
    return found


def is_valid_email(text: str) -> bool:
    return bool(_EMAIL.match(text or "")) and len(text) <= 254 and ".." not in text
