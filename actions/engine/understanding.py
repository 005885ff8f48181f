"""What a message means for the turn: the model's intent, and the one place where the procedure's
precedence between signals is written. Regular expressions (actions/dialogue/facts.py) find
entities; the rules below say when the customer's own words decide instead of the model."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..dialogue.facts import Facts, fold
from ..dialogue.state import Path, State

PROBLEMS = {"forgot_password": Path.PASSWORD, "email_not_working": Path.DEAD_EMAIL, "no_login_data": Path.NO_LOGIN}
# Inside a step these end nothing unless the model is sure: a digression mistaken for "bye" must not end the path.
EXITS = {"goodbye", "thank", "out_of_scope", "stop", "greet", "start_over", "nlu_fallback"}
SURE = 0.8
ENGLISH_INTENTS = [
    (re.compile(r"\b(human|person|agent|operator|somebody|someone|real people|staff|consultant)\b"), "request_human"),
    (re.compile(r"\b(neither|don'?t know (my |the )?(login|e-?mail|address))\b"), "no_login_data"),
    (re.compile(r"(e-?mail|mailbox|inbox).*(not work|doesn'?t work|dead|expired|no longer)|"
                r"(dead|expired) (e-?mail|mailbox|domain)"), "email_not_working"),
    (re.compile(r"\bpassword\b"), "forgot_password"),
    (re.compile(r"\bdocuments?\b"), "ask_documents"),
    (re.compile(r"\b(hours|open|opening)\b"), "ask_office_hours"),
    (re.compile(r"\b(are you a bot|robot|bot\b)"), "bot_challenge"),
    (re.compile(r"\b(what can you do|help me|can you help)\b"), "ask_capabilities"),
    (re.compile(r"\b(code).*(didn'?t|not|never) (arrive|come|get)|didn'?t get (the|a) code"), "code_not_received"),
    (re.compile(r"\b(resend|new code|send (it|the code) again|another code)\b"), "resend_code"),
    (re.compile(r"\b(no longer have|lost my phone|don'?t have (that|the) (phone|number))\b"), "no_phone_access"),
    (re.compile(r"\b(how long|how much time)\b"), "ask_duration"),
    (re.compile(r"\b(is (it|this) safe|why .*code|why do you need)\b"), "ask_safety"),
    (re.compile(r"\b(which|what) (phone )?number\b"), "ask_which_number"),
    (re.compile(r"\b(what next|next step|what now|what happens)\b"), "ask_next_steps"),
    (re.compile(r"\b(start over|start again|from scratch)\b"), "start_over"),
    (re.compile(r"^\s*(yes|yeah|yep|sure|ok|okay)\b"), "affirm"),
    (re.compile(r"^\s*(no|nope)\b"), "deny"),
    (re.compile(r"\b(thanks|thank you)\b"), "thank"),
    (re.compile(r"\b(bye|goodbye)\b"), "goodbye"),
    (re.compile(r"^\s*(hi|hello|good (morning|afternoon))\b"), "greet"),
]


@dataclass
class Message:
    text: str
    intent: Optional[str] = None
    confidence: float = 1.0
    metadata: dict = field(default_factory=dict)


def intent_of(message: Message, facts: Facts, state: State) -> Optional[str]:
    """The intent the turn acts on (None: nothing to act on beyond the facts)."""
    intent, confidence = message.intent, message.confidence
    if message.text.startswith("/"):
        return intent
    if facts.wants_person and intent not in ("request_human", "bot_challenge", "outside_procedure"):
        return "request_human"
    problem = facts.problem
    if problem and state.path is None:
        # The customer's own words name the problem; they beat the model's guess.
        return {path: name for name, path in PROBLEMS.items()}[problem]
    if state.language == "en":
        # The model learnt Polish: for English the customer's own keywords are the better guess.
        folded = fold(message.text)
        for pattern, english_intent in ENGLISH_INTENTS:
            if pattern.search(folded):
                return english_intent
    if facts.wants_reset_link and state.masked_login and state.proven and intent in PROBLEMS:
        # "wyślij link do resetu" once the login is shown and the phone proven: the offer accepted.
        return None
    if intent in EXITS and state.step is not None and confidence < SURE:
        return None
    if intent == "nlu_fallback":
        return None
    return intent
