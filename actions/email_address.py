"""Finding and checking the e-mail address a customer typed."""
from __future__ import annotations

import re
from typing import Optional

_FIND = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_VALID = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}$")


def find_email(text: str) -> Optional[str]:
    match = _FIND.search((text or "")[:2000])
    return match.group(0).rstrip(".") if match else None


def valid_email(address: str) -> bool:
    return bool(_VALID.match(address)) and ".." not in address and len(address) <= 254


def email_problem(text: str) -> Optional[str]:
    """None when the text holds a usable address, else a Polish explanation."""
    email = find_email(text)
    if email is None:
        return "W tej wiadomości nie widzę adresu e-mail (powinien zawierać znak @, np. jan@example.pl)."
    if not valid_email(email):
        return f"Adres „{email[:60]}” ma błędny format. Proszę sprawdzić, np. jan.kowalski@example.pl."
    return None
