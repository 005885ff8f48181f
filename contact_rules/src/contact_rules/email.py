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


# Mailbox providers most customers use; an address one slip away from one of them is most likely
# that provider mistyped ("gmial.com", "wp.p", "onet.pll") and is asked about before it is used.
COMMON_DOMAINS = (
    "gmail.com", "googlemail.com", "wp.pl", "o2.pl", "onet.pl", "onet.eu", "op.pl", "poczta.onet.pl", "vp.pl",
    "interia.pl", "interia.eu", "poczta.fm", "int.pl", "gazeta.pl", "tlen.pl", "go2.pl", "autograf.pl",
    "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "me.com", "mail.com", "gmx.com",
    "gmx.net", "gmx.de", "protonmail.com", "proton.me", "aol.com", "yandex.com",
)


def _edits(typed: str, known: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours."""
    rows = [list(range(len(known) + 1))]
    for i, a in enumerate(typed, 1):
        row = [i]
        for j, b in enumerate(known, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b)))
            if i > 1 and j > 1 and a == known[j - 2] and typed[i - 2] == b:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def suggest_email(address: str) -> str | None:
    """The address with a common provider's domain when its domain is most likely a typo of exactly
    one of them (one slip; two in a domain of nine letters or more; the nearest when several are), else None. The name before @
    is kept as typed; works on invalid addresses too ("jan@wp.p" -> "jan@wp.pl")."""
    name, at, domain = (address or "").strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    if not at or not name or not domain or domain in COMMON_DOMAINS:
        return None
    distances = {known: _edits(domain, known) for known in COMMON_DOMAINS}
    near = [known for known, edits in distances.items()
            if edits <= (2 if len(known) >= 9 and len(domain) >= 8 else 1)]
    nearest = [known for known in near if distances[known] == min(distances[other] for other in near)]
    if len(nearest) != 1:
        return None      # none near, or as near to two providers: no guess
    return f"{name}@{nearest[0]}"
