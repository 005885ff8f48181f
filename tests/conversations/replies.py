"""What the runner checks in every reply, whatever the conversation file expects
(tests/conversations/README.md, "Every reply, always"):

- empty: no message with text;
- two questions: more than one different question in one reply (`questions()` says what counts);
- contradiction: a reply that contradicts itself or what happened in this conversation, found by
  recognising the assistant's own texts (actions/dialogue/texts.py) in the reply — `RULES`;
- leak: a full phone number, the SMS code, or the account's login address unmasked.

Which of them fail a conversation and which are only counted in docs/conversations.md is
`FAILING`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Optional

# A conversation with one of these fails; the rest are counted in the report.
FAILING = frozenset({"empty", "contradiction", "leak", "two_questions"})

_URL = re.compile(r"https?://\S+|\b[\w.-]+\.(?:pl|com|org|net|eu)/\S*")
_QUOTED = re.compile(r"„[^”\"]*[”\"]|\"[^\"]*\"|«[^»]*»")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    return " ".join(re.sub(r"[^\w ]+", " ", "".join(c for c in folded if not unicodedata.combining(c))).split())


def questions(text: str) -> list[str]:
    """The questions a reply asks: its sentences that end in "?", outside URLs and quotations
    (a customer's question quoted back is not asked), compared without case, accents,
    punctuation and spacing, each once. A reply asks two different questions when this holds
    two or more — repeating one question is not asking two."""
    prose = _QUOTED.sub(" ", _URL.sub(" ", text or ""))
    found: list[str] = []
    for sentence in _SENTENCE_END.split(prose):
        sentence = sentence.strip()
        if sentence.endswith("?"):
            plain = _plain(sentence)
            if plain and plain not in found:
                found.append(plain)
    return found


@dataclass(frozen=True)
class Rule:
    """`text` in a reply contradicts the conversation when `when` holds (`when` None: when the
    same reply also holds `together_with`)."""
    name: str
    text: str
    when: Optional[str] = None
    together_with: tuple[str, ...] = ()


RULES = (
    Rule("says no code was sent after one was", "no_code_yet", when="code_sent"),
    Rule("says the mailbox works to a customer whose mailbox is dead", "password_steps", when="mailbox_dead"),
    Rule("offers a reset link to a mailbox the customer said is dead", "offer_reset", when="mailbox_dead"),
    Rule("confirms the number and says the SMS may be late", "phone_confirmed",
         together_with=("code_not_received_wait", "code_not_received_now", "no_code_yet", "code_wrong",
                        "code_wrong_last", "code_failed", "code_expired")),
    Rule("says the number is proven and asks for a code", "already_proven", together_with=("ask_code", "code_sent")),
    Rule("sends a code and says none was sent", "code_sent", together_with=("no_code_yet",)),
)


def _template_regex(template: str) -> re.Pattern:
    """A text of texts.py as a pattern: fields match anything, [[one|many]] either form."""
    parts = re.split(r"(\{[a-z_]+\}|\[\[[^\]]*\]\])", template)
    pattern = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            pattern.append(r".+?")
        elif part.startswith("[["):
            pattern.append("(?:" + "|".join(re.escape(form) for form in part[2:-2].split("|")) + ")")
        else:
            pattern.append(r"\s+".join(re.escape(word) for word in part.split()) if part.strip() else r"\s*")
    return re.compile("".join(pattern), re.S)


@cache
def _texts() -> dict[str, list[re.Pattern]]:
    from actions.dialogue.texts import TEXTS  # the assistant's own texts, read where they are written
    return {key: [_template_regex(text) for text in variants.values()] for key, variants in TEXTS.items()}


def said(text: str, key: str) -> bool:
    patterns = _texts().get(key)
    if patterns is None:
        raise KeyError(f"replies.RULES names the text {key!r}, which actions/dialogue/texts.py no longer has")
    return any(pattern.search(text) for pattern in patterns)


def contradictions(text: str, facts: set[str]) -> list[str]:
    found = []
    for rule in RULES:
        if not said(text, rule.text):
            continue
        if rule.when is not None and rule.when in facts or rule.together_with and any(said(text, other) for other in rule.together_with):
            found.append(rule.name)
    return found


def leaks(text: str, phones: Iterable[str], codes: Iterable[str], hidden_emails: Iterable[str]) -> list[str]:
    """Full numbers, codes and login addresses a reply must only ever show masked."""
    digits = re.sub(r"\D", "", text)
    found = [f"full phone number {phone[:-3]}***" for phone in phones if len(phone) > 9 and phone[-9:] in digits]
    found += ["the SMS code" for code in codes if code and re.search(rf"(?<!\d){code}(?!\d)", text)]
    found += [f"the login address {email[:2]}***" for email in hidden_emails if email.lower() in text.lower()]
    return found
