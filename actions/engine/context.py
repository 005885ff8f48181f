"""What one turn works with: the conversation's state, the facts of the message, the backend,
the clock, and what the turn has planned to say so far. Operations and steps get this, nothing else."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar

from ..backend_client import BackendClient
from ..dialogue import texts
from ..dialogue.facts import Facts
from ..dialogue.state import Outcome, State
from ..polish_dates import when
from ..settings import Company
from .plan import Reply, compose

COMPANY_FIELDS = ("panel_url", "password_reset_url", "change_password_article_url", "contact_url",
                  "documents_email", "hours_text", "ceidg_url")
T = TypeVar("T")
_STRENGTH = [Outcome.FALLBACK, Outcome.ANSWERED, Outcome.CLARIFY, Outcome.PROGRESS]



class NotCollected(Exception):
    """A step used a fact its procedure had not collected: the procedure file is out of order."""


def collected(value: Optional[T], fact: str) -> T:
    """`value`, which the procedure collected before this step (validation checks the order)."""
    if value is None:
        raise NotCollected(f"`{fact}` is used before a step collected it")
    return value


@dataclass
class Context:
    state: State
    facts: Facts
    backend: BackendClient
    conversation_id: str
    channel: str
    company: Company
    clock: Callable[[], float] = time.time
    step_at_start: Optional[str] = None
    lines: list[Reply] = field(default_factory=list)
    outcome: Optional[str] = None
    limits: dict = field(default_factory=dict)       # every path's `limits`, by name
    contradictions: list = field(default_factory=list)   # patterns.yml: what a later statement makes untrue
    changed: set = field(default_factory=set)        # facts this message changed (a correction moves the path back)
    message_text: str = ""
    switch_to: Optional[str] = None                  # a path the message's facts lead to
    contact_changed: bool = False                    # the case's contact address was corrected
    change_corrected: bool = False                   # the new login address was corrected after sending
    answers: Any = None                              # answers.Answers: the domain's `utter_<intent>` texts
    meaning: Any = None                              # understanding.Meaning of this message
    answered: list = field(default_factory=list)     # the questions answered this turn, by intent
    transcript: list = field(default_factory=list)   # the conversation so far, redacted (case_text.transcript)
    milestones: list = field(default_factory=list)   # (path, milestone) the procedure marked this turn (funnel.py)
    procedure: Any = None                            # procedure.Procedure the turn runs

    @property
    def asked(self) -> bool:
        """A question is already planned this turn (and no later statement made it untrue): nothing
        else is asked."""
        return any(line.question for line in compose(self.lines, self.contradictions))

    def _known(self) -> dict[str, Any]:
        known = {name: getattr(self.company, name) for name in COMPANY_FIELDS}
        if self.state.language == "en" and self.company.hours_text_en:
            known["hours_text"] = self.company.hours_text_en
        known.update(masked=self.state.masked_phone, masked_login=self.state.masked_login,
                     masked_new_email=self.state.masked_new_email)
        return known

    def text(self, key: str, **fields: Any) -> str:
        return texts.say(key, self.state.language, self.state.plural, **{**self._known(), **fields})

    def answer(self, intent: str) -> None:
        """A customer's question answered by its response in the domain (domain/answers.yml),
        rendered here in the conversation's language and register."""
        text = self.answers.render(intent, self.state.language, self.state.plural, **self._known())
        self.lines.append(Reply(text, key=f"utter_{intent}"))

    def say(self, key: str, choices: Optional[dict] = None, question: bool = False, **fields: Any) -> Reply:
        reply = Reply(self.text(key, **fields), texts.buttons(choices, self.state.language) if choices else [],
                      key=key, question=question)
        self.lines.append(reply)
        return reply

    def respond(self, response: str) -> None:
        """A response written in the domain (domain.yml `responses`), said by Rasa."""
        self.lines.append(Reply("", key=response, response=response))

    def say_raw(self, text: str) -> None:
        """A sentence made elsewhere (a phone number's problem, from contact_rules)."""
        self.lines.append(Reply(text))

    def reached(self, milestone: Optional[str]) -> None:
        """A funnel stage the procedure file marks, on the path the conversation is on."""
        if milestone:
            self.milestones.append((self.state.path, milestone))

    def mark(self, outcome: str) -> None:
        """The strongest outcome of the turn wins: progress > clarify > answered > fallback."""
        if self.outcome is None or _STRENGTH.index(outcome) > _STRENGTH.index(self.outcome):
            self.outcome = outcome

    def when(self, moment, now) -> str:
        """A moment as the customer reads it ("w poniedziałek o 9:00")."""
        if self.state.language == "en":
            return moment.strftime("%A %d %B at %H:%M")
        return when(moment, now)
