"""Phone numbers as the backend stores them: E.164."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

import phonenumbers
from phonenumbers import PhoneNumberType

SMS_CAPABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def to_e164(text: str, region: str = "PL") -> Optional[str]:
    """E.164 form of a phone number typed any usual way, WHMCS's "+48.601234567" included."""
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


def can_take_sms(e164: str) -> bool:
    return phonenumbers.number_type(phonenumbers.parse(e164)) in SMS_CAPABLE
