"""Hypothesis strategies for tests: phone numbers and e-mail addresses written in every form the
finders accept, and the words around them. Test-only (it needs hypothesis, a development
requirement); nothing in the package imports it."""
from __future__ import annotations

import phonenumbers
from hypothesis import strategies as st

from .email import is_valid_email

FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")
SEPARATORS = ["", " ", "-", ".", "/", "–", "—", "\u00a0", "  ", " - ", "~", "\u2009", "_"]
GROUPINGS = [(3, 3, 3), (2, 3, 2, 2), (3, 2, 2, 2), (9,), (2, 7), (4, 5)]
PREFIXES = ["", "+48", "+48 ", "0048 ", "0048", "+48.", "(+48) ", "+48-", "48 "]
# Words and punctuation around a number or an address, with no digit and no @ of their own.
CONTEXTS = ["{}", "mój numer to {}", "tel.{}", "nr:{}!", "({})", "kom. {}.", "a{}b", "„{}”", "<{}>",
            "numer {}, dzięki", "{}\nnastępna linia", "mailto:{}", "/greet{{\"phone\": \"{}\"}}"]


@st.composite
def polish_numbers(draw) -> str:
    national = draw(st.sampled_from("45678")) + "".join(draw(st.lists(st.sampled_from("0123456789"),
                                                                        min_size=8, max_size=8)))
    number = phonenumbers.parse(national, "PL")
    if not phonenumbers.is_valid_number(number):
        national = "601" + national[3:]  # a mobile range: always valid
    return national


@st.composite
def typed_phones(draw) -> tuple[str, str]:
    """(the number as typed, its nine national digits)."""
    national = draw(polish_numbers())
    grouping = draw(st.sampled_from(GROUPINGS))
    separator = draw(st.sampled_from(SEPARATORS))
    groups, start = [], 0
    for size in grouping:
        groups.append(national[start:start + size])
        start += size
    typed = draw(st.sampled_from(PREFIXES)) + separator.join(groups)
    if draw(st.booleans()):
        typed = typed.translate(FULL_WIDTH)
    return typed, national


LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-", min_size=1, max_size=30)
LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=15)


@st.composite
def typed_emails(draw) -> str:
    """Addresses in every form the validity rule accepts."""
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    tld = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6))
    address = f"{draw(LOCAL)}@{'.'.join(labels)}.{tld}"
    if not is_valid_email(address):
        address = f"jan.kowalski{draw(st.sampled_from(['', '%x', '+tag', '_1']))}@example.{tld}"
    return address
