"""What a case tells the person who takes it over, and what the customer is told was passed on:
the path, account type, company, NIP, masked numbers tried, whether the phone was proven, what
failed and the customer's open question — never an address, number or code in clear."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

from contact_rules import redact

from ..dialogue import texts
from ..dialogue.state import State

# A case keeps no number of four or more digits (the backend scrubs with the same rule).
SCRUB_MIN_DIGITS = 4


def scrub(text: str) -> str:
    """A customer's words as a person may read them in a case: no addresses, numbers or codes
    (contact_rules' redactor: the finders that read them)."""
    return redact(text, number_mark="[liczba]", min_digits=SCRUB_MIN_DIGITS)[:300]


# The excerpt a case carries: the conversation's last lines (the backend keeps as many).
TRANSCRIPT_LINES = 30
AGENT = "agent"   # bot-event metadata key: a person's message relayed from the human inbox


def transcript(events: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """The conversation's last lines from the tracker's events, scrubbed as a case keeps them: who
    said it (customer, assistant, or a person from the inbox) and the text."""
    lines = []
    for event in events:
        text = (event.get("text") or "").strip()
        if not text or event.get("event") not in ("user", "bot"):
            continue
        from_agent = (event.get("metadata") or {}).get(AGENT)
        speaker = "customer" if event["event"] == "user" else (AGENT if from_agent else "assistant")
        lines.append({"speaker": speaker, "text": scrub(text)})
    return lines[-TRANSCRIPT_LINES:]


# The questions a case keeps: the last few, each once.
QUESTIONS_KEPT = 3
QUESTION_SEPARATOR = " | "


def note_question(state: State, text: str) -> bool:
    """A question the assistant could not answer, kept for the person who takes the case next to the
    earlier ones (a later one never replaces them). A single word ("halo?", "hello?") asks nothing a
    person could answer and is not kept."""
    question = scrub(" ".join((text or "").split()))
    if len(question.split()) < 2:
        return False
    kept = [item for item in (state.open_question or "").split(QUESTION_SEPARATOR) if item and item != question]
    state.open_question = QUESTION_SEPARATOR.join((kept + [question])[-QUESTIONS_KEPT:])
    return True


def _proven(state: State) -> bool:
    return bool(state.proven or state.email_change)


def summary(state: State, channel: str, path: Optional[str]) -> str:
    """The case's summary for staff, in Polish."""
    names = texts.PATH_NAMES["pl"]
    situation = ("sytuacja poza zwykłą procedurą" if state.case_reason == "outside_procedure"
                 else names.get(path or state.path))
    parts = [f"Kanał: {channel}.", f"Sprawa: {situation}."]
    if state.account_type:
        parts.append("Konto: " + ("firma/organizacja." if state.account_type == "company" else "osoba prywatna."))
    if state.company_name:
        parts.append(f"Firma: {scrub(state.company_name)}.")
    if state.nip:
        parts.append("NIP podany.")
    if state.phones_tried:
        parts.append("Numery: " + ", ".join(state.phones_tried) + ".")
    parts.append("Telefon potwierdzony." if _proven(state) else "Telefon niepotwierdzony.")
    if state.failure:
        parts.append(f"Nie wyszło: {state.failure}.")
    if state.email_change:
        parts.append(f"Zmiana e-maila: {state.email_change}.")
    if state.open_question:
        parts.append(f"Pytanie klienta: {state.open_question}")
    if state.language == "en":
        parts.append("Klient pisze po angielsku.")
    return " ".join(parts)


def passed(state: State, path: str) -> str:
    """What the customer is told a person receives, in the customer's language."""
    pl = state.language == "pl"
    names = texts.PATH_NAMES[state.language]
    if state.case_reason == "outside_procedure":
        parts = ["sytuacja poza zwykłą procedurą" if pl else "a situation outside the usual procedure"]
    else:
        parts = [names[path]] if path in names else []
    if state.account_type:
        parts.append(("konto firmy" if pl else "company account") if state.account_type == "company"
                     else ("konto prywatne" if pl else "private account"))
    if state.company_name:
        parts.append(state.company_name)
    if state.nip:
        parts.append("NIP")
    if state.phones_tried:
        parts.append(("numer " if pl else "number ") + ", ".join(state.phones_tried)
                     + ((" (potwierdzony)" if pl else " (confirmed)") if _proven(state)
                        else (" (niepotwierdzony)" if pl else " (not confirmed)")))
    if state.open_question:
        parts.append(("pytanie: " if pl else "question: ") + f"„{state.open_question}”")
    return "; ".join(parts)
