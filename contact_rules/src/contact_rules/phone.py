"""Phone numbers as everything here stores and compares them (E.164), and finding them in text."""
from __future__ import annotations

import re
import unicodedata
from typing import Literal, NamedTuple, Optional

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

PhoneKind = Literal["mobile", "landline"]
# Polish numbering can't always tell mobile from fixed by the number alone; those may take an SMS.
_SMS_CAPABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
DEFAULT_REGION = "PL"


class FoundPhone(NamedTuple):
    start: int
    end: int
    text: str
    e164: Optional[str]


def to_e164(text: str, region: Optional[str] = DEFAULT_REGION) -> Optional[str]:
    """E.164 form of a phone number typed any usual way (spaces, dashes, dots, brackets, `00` for
    `+`, full-width digits, WHMCS's "+48.601234567"); None when it is not a valid number."""
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


def find_phones(text: str, region: str = DEFAULT_REGION, possible: bool = False) -> list[FoundPhone]:
    """The phone numbers in a text, found by libphonenumber's matcher (any punctuation it knows
    between the digits: dots, dashes of every kind, slashes, brackets, `00`/`+` prefixes).
    `possible`: also what only might be a number (the redactor's reading: a number glued to
    letters, a number of an unassigned range); `e164` is then None for the invalid ones. Without
    it, pager numbers are left out: six digits, they are what an SMS code looks like. Full-width
    digits count as digits; positions are those of the text as given."""
    leniency = Leniency.POSSIBLE if possible else Leniency.VALID
    found = []
    for match in PhoneNumberMatcher(text or "", region, leniency=leniency):
        number = match.number
        # Polish pager numbers are six digits, like an SMS code ("649945"): no customer registers
        # one, so outside the redactor's reading they are not phone numbers.
        if not possible and phonenumbers.number_type(number) == PhoneNumberType.PAGER:
            continue
        valid = phonenumbers.is_valid_number(number)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if valid else None
        found.append(FoundPhone(match.start, match.end, match.raw_string, e164))
    return found


def phone_kind(e164: str) -> PhoneKind:
    """"mobile" when the number can take an SMS, else "landline"."""
    return "mobile" if phonenumbers.number_type(phonenumbers.parse(e164)) in _SMS_CAPABLE else "landline"
