"""The redactor: whatever the finders can read as a phone, a code or an address is never kept.
Property-based: hypothesis writes numbers and addresses in every form the finders accept."""
from hypothesis import given, settings
from hypothesis import strategies as st

from contact_rules import find_emails, find_phones, redact, to_e164
from contact_rules.strategies import CONTEXTS, typed_emails, typed_phones


def digits(text: str) -> str:
    return "".join(str(int(ch)) for ch in text if ch.isdecimal())


@settings(max_examples=200, deadline=None)
@given(typed_phones(), st.sampled_from(CONTEXTS))
def test_no_typed_phone_survives(phone, context):
    typed, national = phone
    text = context.format(typed)
    assert to_e164(typed) or find_phones(text, possible=True) or len(digits(typed)) >= 6
    redacted = redact(text)
    assert digits(redacted) == "", (text, redacted)
    assert not find_phones(redacted, possible=True)


@settings(max_examples=200, deadline=None)
@given(typed_emails(), st.sampled_from(CONTEXTS))
def test_no_typed_email_survives(address, context):
    text = context.format(address)
    redacted = redact(text)
    local = address.split("@")[0]
    assert "@" not in redacted and address not in redacted, (text, redacted)
    assert len(local) < 4 or local not in redacted or local in context
    assert not find_emails(redacted)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(typed_emails(), typed_phones().map(lambda phone: phone[0])), min_size=2, max_size=4),
       st.sampled_from([" ", ", ", " i ", "\n", "/", ";"]))
def test_several_in_one_message(pieces, joiner):
    redacted = redact(joiner.join(pieces))
    assert "@" not in redacted and digits(redacted) == "", redacted


def test_examples_from_the_audit():
    assert redact("tel 604.111.222") == "tel [numer]"
    assert redact("jan%kowalski@example.pl") == "[e-mail]"
    assert redact("za 15 minut, 127.0.0.1:5055") == "za 15 minut, 127.0.0.1:5055"
    assert redact("link wysłany na pa***@n***.pl") == "link wysłany na pa***@n***.pl", "masked already"
    assert redact("jan*@example.pl") == "[e-mail]"
    # Found by hypothesis: a number typed with dots that also reads as an IPv4 address.
    assert redact("0@0.aa 60.100.00.00") == "[e-mail] [numer]"
    assert redact("tel 60.100.10.10") == "tel [numer]"


def test_the_marks_and_the_threshold_are_the_callers():
    assert redact("PIN 1234 i a@b.pl", email_mark=lambda address: address[:1] + "***", number_mark="[…]",
                  min_digits=4) == "PIN […] i a***"
    assert redact("PIN 1234") == "PIN 1234"
