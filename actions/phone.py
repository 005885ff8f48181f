"""Reading a phone number out of what a customer typed, and saying in Polish
what is wrong with it when it is not one we can send a code to."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

from contact_rules import find_digit_runs, find_phones, phone_kind, to_e164

Kind = Literal["mobile", "landline", "invalid"]


@dataclass(frozen=True)
class PhoneCheck:
    kind: Kind
    e164: Optional[str] = None
    problem: Optional[str] = None  # a Polish sentence for the customer when invalid


def _problem(digits: str, text: str) -> str:
    if not digits:
        return "W tej wiadomości nie ma numeru telefonu."
    if re.search(r"[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]", text) and len(digits) < 9:
        return "Numer telefonu może zawierać tylko cyfry (oraz spacje, myślniki lub +)."
    if len(digits) < 9:
        return f"Ten numer ma za mało cyfr ({len(digits)}) — polski numer ma 9 cyfr."
    if len(digits) > 15:
        return "Ten numer ma za dużo cyfr."
    return "To nie wygląda na istniejący numer telefonu."


def check_phone(text: str, region: str = "PL") -> PhoneCheck:
    text = (text or "")[:200]
    found = find_phones(text, region)
    if found:
        return PhoneCheck(phone_kind(found[0].e164), e164=found[0].e164)
    # Not a number as written (glued to words, too few digits…): the first run of digits says why.
    runs = find_digit_runs(text, 1)
    candidate = runs[0].text.strip() if runs else ""
    e164 = to_e164(candidate, region)
    if e164 is None:
        return PhoneCheck("invalid", problem=_problem(re.sub(r"\D", "", candidate), text))
    return PhoneCheck(phone_kind(e164), e164=e164)


FORMAT_HELP = ("Proszę wpisać numer zapisany w Panelu Klienta, np. 601 234 567, +48 601 234 567 "
               "albo 0048 601 234 567. Numer z innego kraju — z kierunkowym, np. +49 …")
