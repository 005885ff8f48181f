"""What a message means for the turn: the one place that decides it.

The trained model (config.yml) decides the intent. Regular expressions only find entities
(phones, e-mails, codes, NIP: facts.py); no word list here or there overrules the model.
What this module adds are the rules *between* the model's signals, each written once
(docs/dialogue.md, "What a message means"):

1. A button's payload (`/intent`) is the intent it names.
2. Two problems the model cannot tell apart (scores within 0.1, where Rasa's fallback would
   call the message ambiguous): the one the procedure must serve first wins — a dead mailbox
   outranks not knowing the login, which outranks a forgotten password (the reset mail cannot
   arrive at a dead mailbox; a reset needs the login address). The training data is labelled
   by the same order, so a message that states both clearly is learnt, not ruled.
3. Before a path is open, a problem or a request for a person stated together with a fact
   ("konto jest na wygasłej domenie, tel. 601…", "człowiek proszę, mój mail to …") or with
   "I can't log in" is what the message means: it opens the path, and the fact is kept all the
   same. (On a path, a fact answers the pending step.)
4. A problem stated with "the registered phone is gone too" means both: the path's phone step is
   known to be impossible, so the documents follow (but a forgotten password needs no phone).
   "The phone is gone" comes from the model's ranking (at least 0.3) or, as a fact, from the words
   (facts.py); a message that gives a number says nothing of the kind.
5. A message that states a problem and asks a question means both: the problem decides the
   path and the question is answered too — whichever of the two the model ranked first.
6. Inside a step, a weak guess that would end or reset it (stop, start over, greeting,
   out of scope) ends nothing; below the fallback threshold nothing is decided.
7. Once the login is shown and the phone proven, asking for the reset link (the model's
   `request_reset_link`) is the offer accepted; before that, it is a forgotten password.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..dialogue.facts import Facts
from ..dialogue.state import State

# Rule 2: the order in which two problems in one message are served.
PROBLEM_PRECEDENCE = ("email_not_working", "no_login_data", "forgot_password")
# Rules 3–5: a second intent this probable is also in the message.
MENTIONED = 0.2
# Rule 2: two scores this close are a message the model cannot decide between (Rasa's default
# ambiguity threshold); and the least score a problem needs to be one of them (or, rule 4, to say
# that the phone is gone).
TORN, LEAST = 0.1, 0.3
# Rule 3: intents that carry a fact or say only "I can't get in", which a stated problem outranks.
FACTS_OR_VAGUE = {"inform_phone", "inform_email", "inform_code", "account_private", "account_company",
                  "lost_access"}
NO_PHONE = "no_phone_access"
RESET_LINK = "request_reset_link"
OPENERS = (*PROBLEM_PRECEDENCE, "request_human")
NEEDS_PHONE = ("email_not_working", "no_login_data")
# Rule 6: what a weak guess must not do inside a step, and how sure "weak" is.
ENDS_A_STEP = {"stop", "start_over", "greet", "out_of_scope"}
SURE = 0.8


# Words only Polish has (the shared short ones — "i", "to", "do", "na" — prove nothing).
_POLISH = re.compile(r"[ąćęłńóśźż]|\b(nie|jest|mam|sie|się|prosze|dzien|dobry|czy|jak|tak|juz|moj|moje|mi|numer|"
                     r"konto|haslo|hasla|dziekuje|witam|chce|prosze)\b", re.IGNORECASE)


def language_of(message: Message, facts: Facts, state: State) -> str:
    """The conversation's language: English once the customer writes English; back to Polish only
    when a message is clearly Polish (a customer writing English keeps English answers)."""
    if facts.english is None:
        return state.language
    if facts.english:
        return "en"
    if state.language == "en" and not _POLISH.search(message.text):
        return "en"
    return "pl"


@dataclass
class Message:
    text: str
    intent: Optional[str] = None
    confidence: float = 1.0
    metadata: dict = field(default_factory=dict)
    ranking: list = field(default_factory=list)    # the model's intent ranking, best first


@dataclass
class Meaning:
    intent: Optional[str]                          # None: nothing was understood
    confidence: float = 0.0
    also: list[str] = field(default_factory=list)  # questions asked besides the intent (rule 5)
    no_phone: bool = False                         # the registered phone is gone (rule 4)
    wish: Optional[str] = None                     # a fact the message wishes for (rule 7: `reset_wanted`)


def decide(text: str, intent: Optional[str], confidence: float, ranking: list[dict], in_path: bool,
           in_step: bool, answerable: set[str]) -> Meaning:
    """`ranking`: the model's intent ranking ({name, confidence}, best first); `answerable`: the
    intents that have an answer (answers.py), which may be asked besides a problem."""
    if text.startswith("/"):
        return Meaning(intent, 1.0, no_phone=intent == NO_PHONE)
    scores = {item.get("name"): float(item.get("confidence") or 0.0) for item in ranking or []
              if item.get("name") != "nlu_fallback"}
    if intent == "nlu_fallback":
        # Rasa falls back on a low score and on two close ones. Two close problems are rule 2's,
        # a problem close to a fact or "I can't log in" rule 3's; anything else stays not understood.
        best = sorted(scores, key=lambda name: scores[name], reverse=True)[:2]
        problems = [opener for opener in OPENERS if opener in best]
        others = set(best) - set(OPENERS)
        if (len(best) < 2 or scores[best[1]] < LEAST or scores[best[0]] - scores[best[1]] > TORN or not problems
                or (others and (in_path or not others <= FACTS_OR_VAGUE))):
            return Meaning(None, confidence)
        intent, confidence = problems[0], scores[problems[0]]
    if intent is None:
        return Meaning(None, confidence)
    if intent in FACTS_OR_VAGUE and not in_path:
        stated = [opener for opener in OPENERS if scores.get(opener, 0.0) >= MENTIONED]
        intent = stated[0] if stated else intent
    asked = []
    if not in_path and intent in answerable and intent not in OPENERS:
        # Rule 5 the other way round: a question ranked first, a problem stated beside it.
        stated = [problem for problem in PROBLEM_PRECEDENCE if scores.get(problem, 0.0) >= MENTIONED]
        if stated:
            asked, intent = [intent], stated[0]
    if intent in PROBLEM_PRECEDENCE:
        for problem in PROBLEM_PRECEDENCE[:PROBLEM_PRECEDENCE.index(intent)]:
            if scores.get(problem, 0.0) >= max(LEAST, scores.get(intent, confidence) - TORN):
                intent = problem
                break
    if in_step and intent in ENDS_A_STEP and confidence < SURE:
        return Meaning(None, confidence)
    no_phone = intent == NO_PHONE or (intent in NEEDS_PHONE and scores.get(NO_PHONE, 0.0) >= LEAST)
    also = asked
    if intent in PROBLEM_PRECEDENCE and "?" in text and not asked:
        also = [name for name, score in scores.items()
                if name != intent and name in answerable and score >= MENTIONED]
    return Meaning(intent, confidence, also, no_phone)


def understand(message: Message, facts: Facts, state: State, answerable: set[str]) -> Meaning:
    """The meaning the turn acts on, in the conversation's state."""
    meaning = decide(message.text, message.intent, message.confidence, message.ranking,
                     in_path=state.path is not None, in_step=state.step is not None, answerable=answerable)
    if meaning.intent == RESET_LINK:
        # Rule 7: "wyślij link do resetu" once the login is shown and the phone proven is the offer
        # accepted; before that, it is a forgotten password (the panel's reset page).
        shown = bool(state.masked_login and state.proven)
        meaning.intent, meaning.wish = (None, "reset_wanted") if shown else ("forgot_password", None)
    return meaning
