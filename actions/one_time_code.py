"""The six-digit code from the SMS, as customers type it ("123 456", "kod: 123456")."""
from __future__ import annotations

import re
from typing import Optional

_DIGITS = re.compile(r"\d")


def find_code(text: str) -> Optional[str]:
    digits = "".join(_DIGITS.findall((text or "")[:100]))
    return digits if len(digits) == 6 else None
