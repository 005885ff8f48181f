"""The call that reads a code aloud: what it says, and which numbers may ever be called.

Calls cost several times an SMS and can be aimed at anyone's phone, so only fixed and mobile
numbers of the countries the company serves are called; premium-rate, shared-cost, toll-free,
personal, VoIP and other special numbers never are (phonenumbers' number types)."""
from __future__ import annotations

from typing import Optional

import phonenumbers

CALLABLE_TYPES = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                  phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}

# Said slowly: each digit its own sentence, so text-to-speech pauses between them; the code twice.
_SCRIPT = {
    "pl": ("Dzień dobry, tu Kylos. Kod do odzyskania dostępu do Panelu Klienta to: {digits} "
           "Powtarzam: {digits} Nikomu go nie podawaj. Do widzenia."),
    "en": ("Hello, this is Kylos. Your Client Panel recovery code is: {digits} "
           "Once again: {digits} Do not share it with anyone. Goodbye."),
}


def call_text(code: str, language: str) -> str:
    digits = " ".join(f"{digit}." for digit in code)
    return _SCRIPT.get(language, _SCRIPT["pl"]).format(digits=digits)


def not_callable(e164: str, countries: tuple[str, ...]) -> Optional[str]:
    """Why the number must not be called (None: it may be). Depends on the number alone, never
    on whether it has an account."""
    number = phonenumbers.parse(e164)
    if phonenumbers.region_code_for_number(number) not in countries:
        return "country_not_served"
    if phonenumbers.number_type(number) not in CALLABLE_TYPES:
        return "special_number"
    return None
