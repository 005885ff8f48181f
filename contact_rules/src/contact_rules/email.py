"""Is this an e-mail address we can send a confirmation to?"""
from __future__ import annotations

import re

# Deliberately plain: one @, a dotted domain, no spaces; the confirmation link proves the rest.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}$")


def is_valid_email(text: str) -> bool:
    return bool(_EMAIL.match(text or "")) and len(text) <= 254 and ".." not in text
