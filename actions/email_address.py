"""Finding and checking the e-mail address a customer typed."""
from __future__ import annotations

from typing import Optional

from contact_rules import find_emails, is_valid_email


def find_email(text: str) -> Optional[str]:
    found = find_emails((text or "")[:2000])
    return found[0].text if found else None


def email_problem(text: str) -> Optional[str]:
    """None when the text holds a usable address, else a Polish explanation."""
    email = find_email(text)
    if email is None:
        return "W tej wiadomości nie widzę adresu e-mail (powinien zawierać znak @, np. jan@example.pl)."
    if not is_valid_email(email):
        return f"Adres „{email[:60]}” ma błędny format. Proszę sprawdzić, np. jan.kowalski@example.pl."
    return None
