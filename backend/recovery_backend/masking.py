"""Masked forms of personal data, for customers (an email hint) and for logs."""
from __future__ import annotations


def mask_email(email: str) -> str:
    """ma***@z***.pl: enough for the owner to recognise, too little for a stranger to use."""
    local, _, domain = (email or "").partition("@")
    if not domain:
        return "***"
    name, _, tld = domain.rpartition(".")
    return f"{local[:2]}***@{(name or tld)[:1]}***.{tld if name else ''}".rstrip(".")


def mask_phone(phone: str) -> str:
    digits = phone or ""
    return f"{digits[:3]}******{digits[-3:]}" if len(digits) > 6 else "***"


def mask_phone_for_staff(e164: str) -> str:
    """+48 60* *** *67: the country code, then the national number in threes with only its
    first two and last two digits left, so staff can tell numbers apart without holding them."""
    import phonenumbers
    number = phonenumbers.parse(e164)
    national = str(number.national_number)
    shown = "".join(d if i < 2 or i >= len(national) - 2 else "*" for i, d in enumerate(national))
    groups = " ".join(shown[i:i + 3] for i in range(0, len(shown), 3))
    return f"+{number.country_code} {groups}"
