"""Phone numbers as everything here stores and compares them: E.164."""
from __future__ import annotations

import re
import unicodedata
from typing import Literal, Optional

import phonenumbers
from phonenumbers import PhoneNumberType

PhoneKind = Literal["mobile", "landline"]
# Polish numbering can't always tell mobile from fixed by the number alone; those may take an SMS.
_SMS_CAPABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def to_e164(text: str, region: Optional[str] = "PL") -> Optional[str]:
    """E.164 form of a phone number typed any usual way (spaces, dashes, brackets, `00` for `+`,
    full-width digits, WHMCS's "+48.601234567"); None when it is not a valid number."""
    cleaned = re.sub(r"^\+(\d{1,3})\.", r"+\1", unicodedata.normalize("NFKC", text or "").strip())
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_kind(e164: str) -> PhoneKind:
    """"mobile" when the number can take an SMS, else "landline"."""
    return "mobile" if phonenumbers.number_type(phonenumbers.parse(e164)) in _SMS_CAPABLE else "landline"
