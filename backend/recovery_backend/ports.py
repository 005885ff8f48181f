"""The seams between the recovery core and the outside world.

The core (verification, recovery operations, cases) talks only to these
interfaces; the local database, WHMCS, the SMS gateways and the mail senders
are interchangeable implementations chosen in configuration.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Optional, Protocol, runtime_checkable

AccountType = Literal["private", "company"]


@dataclass(frozen=True)
class Account:
    id: int
    type: AccountType
    name: str
    email: str
    phones: tuple[str, ...]  # E.164, e.g. "+48601234567"
    company: str | None = None
    nip: str | None = None


class AccountSource(Protocol):
    """Where customer accounts live: the local database or WHMCS."""

    def account_id_for_phone(self, phone_e164: str) -> int | None:
        """From the local, persisted phone index only: never a call to the source (timing, issue 9 H1)."""

    def find_by_phone(self, phone_e164: str) -> Account | None: ...

    def get(self, account_id: int) -> Account | None: ...

    def send_password_reset(self, account: Account, language: str = "pl") -> None:
        """Make the panel send its password-reset link to the account's email (in `language` where the
        source writes the mail itself; WHMCS uses the client's own language)."""

    def change_email(self, account: Account, new_email: str, approved_by_staff: bool = False) -> None:
        """Apply a confirmed email change. `approved_by_staff`: a person checked the owner's documents and
        approved it, so it applies even where customers' own changes become staff tickets."""

    def open_staff_ticket(self, account: Account | None, subject: str, message: str) -> str:
        """Hand something to staff; returns the source's reference (e.g. WHMCS ticket id)."""


@runtime_checkable
class SyncedAccountSource(AccountSource, Protocol):
    """An account source whose phone index is copied from elsewhere (WHMCS) by a background sync."""

    def start_sync(self, incremental_every: float = 60) -> None: ...

    def stop_sync(self) -> None: ...

    def index_age(self) -> float | None:
        """Seconds since the index last heard from the source (None: never synced)."""


# Hands something to staff (a case, in services.py): the account if known, subject, message; returns its reference.
StaffTicket = Callable[[Optional[Account], str, str], str]


class ProviderError(Exception):
    """A third-party provider (SMS gateway, WHMCS) refused or failed a request."""


# The code-delivery ports are told apart by what they can do (isinstance against the port), since
# one setting chooses either kind: a gateway that sends our text, or a verifier that owns the code.
@runtime_checkable
class SmsSender(Protocol):
    """Gateways that deliver a text we composed (outbox, SMSAPI.pl, SerwerSMS)."""

    def send_text(self, to_e164: str, text: str) -> None: ...


@runtime_checkable
class ExternalVerifier(Protocol):
    """Gateways that own the code themselves (Twilio Verify): they generate,
    send and check it; we never see the code. They send no text of ours."""

    def start(self, to_e164: str, channel: str = "sms", locale: str | None = None) -> str:
        """Sends a code by SMS or, `channel="call"`, reads it in a call in `locale`; returns the
        provider's reference for the verification."""

    def check(self, to_e164: str, code: str) -> bool: ...


CallStatus = Literal["calling", "answered", "busy", "no_answer", "failed"]


class CallStatusSource(Protocol):
    """What a call-placing provider tells about its calls."""

    languages: tuple[str, ...]  # the languages its voices speak; any other is read in Polish

    def call_status(self, reference: str) -> CallStatus:
        """What became of the call, asked of the provider ("calling" until it is known)."""


@runtime_checkable
class VoiceSender(CallStatusSource, Protocol):
    """Gateways that place a call reading a text we composed (outbox, SMSAPI VMS, SerwerSMS voice)."""

    def call(self, to_e164: str, text: str, language: str) -> str:
        """Places the call; returns the provider's reference for its status."""


@runtime_checkable
class CallingVerifier(ExternalVerifier, CallStatusSource, Protocol):
    """A verifier that also reads its own code in a call (Twilio Verify with `channel="call"`)."""


class EmailSender(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxThread:
    """A conversation in staff's inbox, and the facts it was opened with."""
    reference: str          # the inbox's own id for it (a Chatwoot conversation id)


class HumanInbox(Protocol):
    """Where support staff work on conversations (Chatwoot today; WHMCS tickets, Zendesk or LiveChat
    fit the same four calls). Texts given here are already redacted."""

    name: str

    def create_conversation(self, conversation_id: str, contact_name: str, contact_email: str | None,
                            note: str, live: bool) -> InboxThread:
        """Opens a conversation for staff with a private note (facts, redacted transcript). `live`: the
        customer is waiting in the chat now; otherwise it is a case a person answers later."""

    def post_message(self, reference: str, text: str) -> None:
        """Relays the customer's message (redacted) into the conversation, as the customer's."""

    def post_note(self, reference: str, text: str) -> None:
        """A private note only staff see (the hand-over timed out, the assistant took over)."""
