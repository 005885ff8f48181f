"""What the assistant remembers of one conversation, between customer messages.

It lives in one slot (`recovery`), written only by `action_turn`. Everything
that identifies a person (phone numbers, e-mail addresses, the proof token) is
in `private`, which is stored sealed (see actions/sealing.py); the rest is
plain so that people reading a stored conversation see its course, not its data.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional

from ..sealing import seal, unseal

STATE_SLOT = "recovery"


class Step:
    """What the assistant is waiting for. Most are the ids of `collect` steps in data/procedure/
    (validation checks they exist, since the patterns refer to them); the problem question and the
    choices between two numbers or addresses are asked outside any path."""

    OUTSIDE_PATHS = ("problem", "choose_phone", "choose_email")
    PROBLEM = "problem"
    HAS_PHONE = "has_phone"
    PHONE = "phone"
    CHOOSE_PHONE = "choose_phone"
    CODE = "code"
    RESEND = "resend"            # offered a new code (expired / not received)
    SEND_CODE = "send_code"      # the code goes by SMS
    CALL_CODE = "call_code"      # the code goes by a call that reads it (a landline, or asked for)
    CALL_STATUS = "call_status"  # what became of the call (the provider's status), said
    RECALL = "recall"            # offered another call
    NEW_EMAIL = "new_email"
    CHOOSE_EMAIL = "choose_email"
    OFFER_RESET = "offer_reset"
    ACCOUNT_TYPE = "account_type"
    CONTACT_EMAIL = "contact_email"
    NONE = None


class Outcome:
    """How a turn went, for the conversation suite and for operators."""

    PROGRESS = "progress"
    ANSWERED = "answered"
    CLARIFY = "clarify"
    FALLBACK = "fallback"


@dataclass
class Private:
    phone: Optional[str] = None                 # E.164 of the number being verified
    phone_choices: list = field(default_factory=list)
    email_choices: list = field(default_factory=list)
    token: Optional[str] = None
    new_email: Optional[str] = None
    contact_email: Optional[str] = None
    old_email: Optional[str] = None             # the dead address the customer named
    change_token: Optional[str] = None          # the proof spent on the e-mail change: it may correct it


@dataclass
class State:
    path: Optional[str] = None
    previous_path: Optional[str] = None
    step: Optional[str] = None
    language: str = "pl"
    plural: bool = False                         # the customer writes as a company: "Państwo"
    register_known: bool = False                 # the register is decided: it stays for the conversation
    account_type: Optional[str] = None
    nip: Optional[str] = None
    company_name: Optional[str] = None
    has_phone: Optional[bool] = None
    phone_kind: Optional[str] = None             # mobile | landline
    masked_phone: Optional[str] = None
    phones_tried: list = field(default_factory=list)
    verification_id: Optional[str] = None
    code_sent_at: Optional[float] = None         # epoch seconds
    code_expires_at: Optional[float] = None
    resend_after: int = 60
    proven: bool = False
    proven_until: Optional[float] = None
    masked_login: Optional[str] = None
    email_checks_left: Optional[int] = None
    reset_sent: bool = False
    email_change: Optional[str] = None           # confirmation_sent | queued_for_staff
    masked_new_email: Optional[str] = None
    applies_after: Optional[str] = None
    documents_listed: bool = False
    case_number: Optional[str] = None
    case_reason: Optional[str] = None
    failure: Optional[str] = None
    open_question: Optional[str] = None
    choosing_for: Optional[str] = None           # which step a choice between two values answers
    email_typo: bool = False                     # the choice is "did you mean …@gmail.com?" (yes/no)
    finished: Optional[str] = None               # the path whose goal was reached
    reset_wanted: Optional[bool] = None          # yes/no to "send the reset link now?"
    resend_wanted: Optional[bool] = None         # yes/no to "send a new code?"
    delivery: Optional[str] = None               # sms | call: how the pending code went
    call_wanted: Optional[bool] = None           # the customer asked for a call (True) or an SMS (False)
    recall_wanted: Optional[bool] = None         # yes/no to "call again?"
    tries: dict = field(default_factory=dict)    # failed answers per step (limits in data/procedure/)
    # A person has the conversation (a live hand-over, set only from the backend's answer): the
    # customer's messages are relayed to them and the assistant says nothing (engine/turn.py).
    with_person: bool = False
    at: list = field(default_factory=list)       # where the procedure stands: `path:step` frames (actions/engine)
    started_at: Optional[float] = None           # epoch seconds of the conversation's first turn (funnel)
    funnel: list = field(default_factory=list)   # `path:stage` reached once (actions/engine/funnel.py)
    private: Private = field(default_factory=Private)

    @classmethod
    def from_slot(cls, value: Any) -> State:
        if not isinstance(value, dict):
            return cls()
        known = {f.name for f in dataclasses.fields(cls)} - {"private"}
        state = cls(**{key: item for key, item in value.items() if key in known})
        private = unseal(value.get("sealed"))
        private_fields = {f.name for f in dataclasses.fields(Private)}
        state.private = Private(**{key: item for key, item in private.items() if key in private_fields})
        return state

    def to_slot(self) -> dict[str, Any]:
        plain = {key: item for key, item in dataclasses.asdict(self).items() if key != "private"}
        private = {key: item for key, item in dataclasses.asdict(self.private).items() if item}
        if private:
            plain["sealed"] = seal(private)
        return plain

    def forget_proof(self) -> None:
        self.verification_id = self.code_sent_at = self.code_expires_at = self.delivery = None
        self.proven, self.proven_until, self.private.token = False, None, None
        self.tries.pop("code", None)
