"""Reading a phone number out of what a customer typed, and what is wrong with it when it is not
one we can send a code to (the reason's text, in the conversation's language, is in texts.py:
`phone_<problem>`)."""
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
    problem: Optional[str] = None  # why it is invalid: no_digits | letters | too_few | too_many | not_a_number
    digits: int = 0


def _problem(digits: str, text: str) -> str:
    if not digits:
        return "no_digits"
    if re.search(r"[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]", text) and len(digits) < 9:
        return "letters"
    if len(digits) < 9:
        return "too_few"
    if len(digits) > 15:
        return "too_many"
    return "not_a_number"


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
        digits = re.sub(r"\D", "", candidate)
        return PhoneCheck("invalid", problem=_problem(digits, text), digits=len(digits))
    return PhoneCheck(phone_kind(e164), e164=e164)

