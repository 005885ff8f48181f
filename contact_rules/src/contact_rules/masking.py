"""The one masked form of a phone number and of an e-mail address, used wherever one is shown
or kept: replies to the customer, logs, the audit trail, cases for staff (docs/security.md)."""
from __future__ import annotations

import re

import phonenumbers

SHOWN_DIGITS = 3
_MASKED_PHONE = re.compile(r"^\+\d{1,3} \*{1,3}(?: \*{3})* \d{3}$")
_MASKED_EMAIL = re.compile(r"^[^@\s*]{0,2}\*\*\*@[^@\s*.]?\*\*\*(?:\.[A-Za-z]{2,24})?$")


def mask_phone(e164: str) -> str:
    """+48 *** *** 567: the country code and the last three digits, the rest starred in groups of
    three from the end, so the length stays visible. Anything that is not a number: ***."""
    try:
        number = phonenumbers.parse(e164 or "", None)
    except phonenumbers.NumberParseException:
        return "***"
    national = str(number.national_number)
    if len(national) <= SHOWN_DIGITS:
        return "***"
    shown = "*" * (len(national) - SHOWN_DIGITS) + national[-SHOWN_DIGITS:]
    groups = [shown[max(0, end - 3):end] for end in range(len(shown), 0, -3)]
    return f"+{number.country_code} " + " ".join(reversed(groups))


def is_masked_phone(text: str) -> bool:
    """Is the text a number already in the masked form (so it is safe to keep)?"""
    return bool(_MASKED_PHONE.match(text or ""))


def mask_email(email: str) -> str:
    """ma***@z***.pl: enough for the owner to recognise, too little for a stranger to use."""
    local, _, domain = (email or "").partition("@")
    if not domain:
        return "***"
    name, _, tld = domain.rpartition(".")
    return f"{local[:2]}***@{(name or tld)[:1]}***.{tld if name else ''}".rstrip(".")


def is_masked_email(text: str) -> bool:
    """Is the text an address already in the masked form (so it is safe to keep)?"""
    return bool(_MASKED_EMAIL.match(text or ""))
