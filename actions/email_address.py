"""Finding and checking the e-mail address a customer typed."""
from __future__ import annotations

import re
from typing import Optional

from contact_rules import is_valid_email

_FIND = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


def find_email(text: str) -> Optional[str]:
    match = _FIND.search((text or "")[:2000])
    return match.group(0).rstrip(".") if match else None


def email_problem(text: str) -> Optional[str]:
    """None when the text holds a usable address, else a Polish explanation."""
    email = find_email(text)
    if email is None:
        return "W tej wiadomości nie widzę adresu e-mail (powinien zawierać znak @, np. jan@example.pl)."
    if not is_valid_email(email):
        return f"Adres „{email[:60]}” ma błędny format. Proszę sprawdzić, np. jan.kowalski@example.pl."
    return None
