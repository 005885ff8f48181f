"""What each route accepts and answers: the OpenAPI document is generated from these."""
from __future__ import annotations

import re
from typing import Literal, Optional, Self

from pydantic import BaseModel, Field, model_validator

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Body(BaseModel):
    """Every request body: text fields never carry NUL or other control characters (PostgreSQL
    refuses NUL; nothing we store needs them), so they are a clear 422, never a 500."""

    @model_validator(mode="after")
    def _no_control_characters(self) -> Self:
        for value in self.__dict__.values():
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(text, str) and CONTROL.search(text) for text in texts):
                raise ValueError("control characters")
        return self


# Requests

class StartBody(Body):
    phone: str = Field(max_length=64)
    conversation_id: str = Field(min_length=1, max_length=200)
    channel: str = Field(default="rest", max_length=30)  # the conversation's channel
    # How the code travels: an SMS, or a call that reads it aloud; the SMS or the call in `language`.
    delivery: Literal["sms", "call"] = "sms"
    language: Literal["pl", "en"] = "pl"


class Proof(Body):
    issued_at: int
    nonce: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class AttestedBody(StartBody):
    attestation: Literal["telegram_contact"]
    proof: Optional[Proof] = None


class CheckBody(Body):
    code: str = Field(max_length=64)


class ChannelBody(Body):
    # Accepted for compatibility; the channel recorded is the one the token was issued on.
    channel: Optional[str] = Field(default=None, max_length=30)


class PasswordResetBody(ChannelBody):
    language: Literal["pl", "en"] = "pl"   # of the conversation: the mail's, where the backend writes it


class EmailChangeBody(ChannelBody):
    new_email: str = Field(max_length=320)
    language: Literal["pl", "en"] = "pl"   # of the conversation: the e-mails' and the SMS's language


class EmailCheckBody(Body):
    email: str = Field(max_length=320)


class CaseContactBody(Body):
    conversation_id: str = Field(min_length=1, max_length=200)
    contact_email: str = Field(max_length=320)


class TranscriptLine(Body):
    speaker: Literal["customer", "assistant", "agent"]
    text: str = Field(max_length=2000)


class CaseApprovalBody(Body):
    """Staff approve a documents case: which account it proved, the new login (default: the case's
    contact address) and who approved."""
    account_id: int
    new_email: Optional[str] = Field(default=None, max_length=320)
    approved_by: str = Field(min_length=1, max_length=100)


class CaseBody(Body):
    reason: Literal["documents", "human_handoff", "outside_procedure"]
    account_type: Optional[Literal["private", "company"]] = None
    contact_email: Optional[str] = Field(default=None, max_length=320)
    nip: Optional[str] = Field(default=None, max_length=20)
    channel: str = Field(default="rest", max_length=30)
    conversation_id: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=5000)
    path: Optional[str] = Field(default=None, max_length=60)
    company_name: Optional[str] = Field(default=None, max_length=200)
    phone_proven: Optional[bool] = None
    phones_tried: list[str] = Field(default_factory=list, max_length=10)
    failure: Optional[str] = Field(default=None, max_length=200)
    open_question: Optional[str] = Field(default=None, max_length=1000)
    language: Optional[Literal["pl", "en"]] = None
    # The number staff call back, in full; kept sealed, shown only to staff (GET /api/v1/cases).
    callback_phone: Optional[str] = Field(default=None, max_length=40)
    # The conversation's last lines, redacted by the assistant (the backend scrubs them again).
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=60)


class HandoverBody(Body):
    conversation_id: str = Field(min_length=1, max_length=200)
    channel: str = Field(default="rest", max_length=30)
    language: Optional[Literal["pl", "en"]] = None
    contact_email: Optional[str] = Field(default=None, max_length=320)
    summary: str = Field(default="", max_length=5000)
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=60)


class RelayBody(Body):
    conversation_id: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=5000)


# Answers

class Started(BaseModel):
    verification_id: str
    status: Literal["accepted"]
    expires_in: int
    resend_after: int


class CallAnswer(BaseModel):
    # calling: not over yet; answered, busy, no_answer, failed: as the provider reported it.
    status: Literal["calling", "answered", "busy", "no_answer", "failed"]


class CheckAnswer(BaseModel):
    verified: bool
    token: Optional[str] = None
    token_expires_in: Optional[int] = None
    tries_left: Optional[int] = None
    reason: Optional[str] = None


class EmailHintAnswer(BaseModel):
    masked_email: str


class EmailCheckAnswer(BaseModel):
    matches: bool
    checks_left: int


class SentAnswer(BaseModel):
    status: Literal["sent"]


class EmailChangeAnswer(BaseModel):
    status: Literal["confirmation_sent", "queued_for_staff"]
    masked_new_email: str
    applies_after: Optional[str]


class CaseOpenedAnswer(BaseModel):
    case_number: str
    updated: bool = Field(description="the conversation already had this case: it was brought up to date")
    open_now: bool
    handled_from: str


class CaseContactAnswer(BaseModel):
    case_number: str
    contact_email: str


class StaffCase(BaseModel):
    """A case as staff tools list it (codes, numbers and addresses in the texts already masked)."""
    id: int
    case_number: Optional[str]
    created_at: str
    reason: str
    account_type: Optional[str]
    contact_email: Optional[str]
    nip: Optional[str]
    channel: str
    summary: str
    path: Optional[str]
    company_name: Optional[str]
    phone_proven: Optional[bool]
    phones_tried: list[str]
    failure: Optional[str]
    open_question: Optional[str]
    language: Optional[str]
    callback_phone: Optional[str] = Field(description="the call-back number in full (E.164), for staff only")
    conversation_id: Optional[str]
    transcript: list[TranscriptLine]
    checklist: list[str] = Field(description="documents cases: what to check before approving")
    resolution: Optional[str]
    resolved_at: Optional[str]
    resolved_by: Optional[str]
    inbox_reference: Optional[str] = Field(default=None, description="the case's conversation in the human inbox")


class CaseApprovedAnswer(BaseModel):
    case_number: str
    resolution: Literal["email_changed"]
    change: str  # masked: "ma***@z***.pl -> no***@n***.pl"


class HandoverAnswer(BaseModel):
    # waiting / talking: a person has the conversation (the assistant stays silent); resolved /
    # unanswered / none: the assistant answers.
    status: Literal["waiting", "talking", "resolved", "unanswered", "none"]
    pickup_seconds: int


class CasesAnswer(BaseModel):
    cases: list[StaffCase]


class DocumentsAnswer(BaseModel):
    account_type: str
    language: Literal["pl", "en"]
    documents: list[str]
    notes: list[str]
    send_to: str
    subject_hint: str


class OfficeHoursAnswer(BaseModel):
    open_now: bool
    now: str
    next_opening: str
    timezone: str
    hours_text: str


class HealthAnswer(BaseModel):
    status: str


class ReadyAnswer(BaseModel):
    status: Literal["ready", "not_ready"]
    database: str
    phone_index_age_seconds: Optional[float] = None
