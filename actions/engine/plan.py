"""The one reply of a turn. Everything a turn wants to say is collected first — statements and
at most one open question — and composed at the end: a statement that a later one makes untrue is
dropped (the patterns' `contradictions`), the question comes last, and the reply is never empty."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Reply:
    text: str
    buttons: list = field(default_factory=list)
    key: Optional[str] = None      # the text's name in texts.py (None: composed, e.g. the documents list)
    question: bool = False         # asks the customer something the turn waits for
    response: Optional[str] = None # a response of the domain (utter_…) said instead of `text`


def compose(lines: list[Reply], contradictions: list) -> list[Reply]:
    """Statements in the order they happened, without the ones later statements make untrue,
    then the last question asked (the step the conversation now waits for)."""
    said = [line.key for line in lines]
    untrue: set[str] = set()
    for later, made_untrue, *_ in contradictions:
        if later in said:
            position = len(said) - 1 - said[::-1].index(later)
            untrue |= {key for key in made_untrue if key in said[:position]}
    kept = [line for line in lines if line.key not in untrue and (line.text.strip() or line.response)]
    questions = [line for line in kept if line.question]
    statements = [line for line in kept if not line.question]
    return statements + questions[-1:]
