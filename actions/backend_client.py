"""The one way the actions reach customer data: the account backend's HTTP API
(docs/backend-api.md). One client per process (`backend()`), one method per
operation, each answer read into its dataclass (`_read`), and one place (`_call`)
that turns HTTP failures into the domain errors below; an answer off the
contract counts as the backend failing.

The methods are coroutines: `requests` is blocking, so every call runs in a
thread pool and the action server's event loop keeps answering other
conversations while the backend is slow. An action sets one deadline for all
its calls (`within(seconds)`) instead of stacking per-call timeouts and
retries: the customer hears a clear answer within that time, whatever the
backend does.
"""
from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union, get_args, get_origin, get_type_hints

import requests
from requests.adapters import HTTPAdapter

from .settings import BackendSettings, backend_settings


class BackendError(Exception):
    """Base of everything the backend client raises."""


class BackendUnavailable(BackendError):
    """Down, slow or broken: the customer should hear about the phone alternative."""


class RateLimited(BackendError):
    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class InvalidInput(BackendError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class NotCallable(InvalidInput):
    """A number we never call (`reason`: country_not_served, special_number, calls_unavailable)."""

    def __init__(self, reason: str):
        super().__init__("not_callable")
        self.reason = reason


class TokenInvalid(BackendError):
    """The proof of the phone expired (or belongs to another conversation): verify again."""


class NotFound(BackendError):
    """The thing asked about is not there (or not this conversation's)."""


# One dataclass per answer, its fields named as in the backend's answer models
# (backend/recovery_backend/api/schemas.py); `_read` fills them, keys not listed are ignored.

@dataclass(frozen=True)
class VerificationStarted:
    verification_id: str
    expires_in: int
    resend_after: int = 60


@dataclass(frozen=True)
class CallStatus:
    # calling (not over yet), answered, busy, no_answer or failed, as the voice provider reported it
    status: str


@dataclass(frozen=True)
class CodeCheck:
    verified: bool
    token: Optional[str] = None
    token_expires_in: Optional[int] = None
    tries_left: int = 0
    reason: Optional[str] = None


@dataclass(frozen=True)
class EmailHint:
    masked_email: str


@dataclass(frozen=True)
class EmailCheck:
    matches: bool
    checks_left: int


@dataclass(frozen=True)
class Sent:
    status: str


@dataclass(frozen=True)
class EmailChange:
    status: str
    masked_new_email: str
    applies_after: Optional[datetime] = None


@dataclass(frozen=True)
class CaseRequest:
    """What a person needs to act on a case without asking the customer again."""

    reason: str
    conversation_id: str
    channel: str
    summary: str
    account_type: Optional[str] = None
    contact_email: Optional[str] = None
    nip: Optional[str] = None
    path: Optional[str] = None
    company_name: Optional[str] = None
    phone_proven: bool = False
    phones_tried: list = field(default_factory=list)
    failure: Optional[str] = None
    open_question: Optional[str] = None
    language: str = "pl"
    callback_phone: Optional[str] = None   # in full: the backend seals it and shows it to staff only
    transcript: list = field(default_factory=list)   # case_text.transcript: redacted lines


@dataclass(frozen=True)
class Case:
    case_number: str
    open_now: bool
    handled_from: datetime
    updated: bool = False   # the conversation's case existed and was brought up to date


@dataclass(frozen=True)
class Handover:
    # waiting / talking: a person has the conversation; resolved / unanswered / none: the assistant answers
    status: str
    pickup_seconds: int


@dataclass(frozen=True)
class CaseContact:
    case_number: str
    contact_email: str  # masked


@dataclass(frozen=True)
class Documents:
    account_type: str
    documents: list
    notes: list
    send_to: str
    subject_hint: str


@dataclass(frozen=True)
class OfficeHours:
    open_now: bool
    now: datetime
    next_opening: datetime
    hours_text: str


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Answer = TypeVar("Answer", bound="DataclassInstance")


def _value(kind: Any, value: Any) -> Any:
    if get_origin(kind) is Union:  # Optional[X]
        kind = next(arg for arg in get_args(kind) if arg is not type(None))
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in (bool, str) and isinstance(value, kind):
        return value
    if kind is list and isinstance(value, list):
        return list(value)
    raise TypeError(f"{value!r} is not {kind}")


def _read(answer: type[Answer], body: dict) -> Answer:
    """The answer dataclass from a JSON body; an answer off the contract is the backend failing."""
    kinds = get_type_hints(answer)
    values = {}
    for item in fields(answer):
        if body.get(item.name) is None:
            if item.default is MISSING and item.default_factory is MISSING:
                raise BackendUnavailable(f"{answer.__name__} without {item.name}")
            continue
        try:
            values[item.name] = _value(kinds[item.name], body[item.name])
        except (TypeError, ValueError):
            raise BackendUnavailable(f"{answer.__name__}.{item.name} off the contract") from None
    return answer(**values)


# The deadline of the action being run: every backend call of that action shares it.
_DEADLINE: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar("backend_deadline", default=None)
# Who the channel saw sending the message being answered (channels/client.py): the backend's
# per-client limits count it (`X-Client-Key`).
_CLIENT: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("backend_client_key", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """All backend calls made inside share one deadline `seconds` from now."""
    reset = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(reset)


@contextmanager
def acting_for(client_key: Optional[str]) -> Iterator[None]:
    """Backend calls made inside are counted against this client (None: the conversation)."""
    reset = _CLIENT.set(client_key if isinstance(client_key, str) and client_key else None)
    try:
        yield
    finally:
        _CLIENT.reset(reset)


# The message being answered, for the backend's log line (runtime/message_log.py): its request id and
# the conversation's pseudonym, never the conversation's id.
_TRACE: contextvars.ContextVar[tuple[Optional[str], Optional[str]]] = contextvars.ContextVar(
    "backend_trace", default=(None, None))


@contextmanager
def tracing(request_id: Optional[str], conversation_ref: Optional[str]) -> Iterator[None]:
    """Backend calls made inside carry `X-Request-ID` and `X-Conversation-Ref`."""
    reset = _TRACE.set((request_id, conversation_ref))
    try:
        yield
    finally:
        _TRACE.reset(reset)


class BackendClient:
    def __init__(self, settings: Optional[BackendSettings] = None, session: Optional[requests.Session] = None):
        self.settings = settings or backend_settings()
        self.session = session or requests.Session()
        # No automatic retries: repeating a POST could send a second SMS or open a second case,
        # and a retried GET would stack timeouts past the action's deadline.
        adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=self.settings.max_parallel)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["X-API-Key"] = self.settings.api_key
        self._pool = ThreadPoolExecutor(max_workers=self.settings.max_parallel, thread_name_prefix="backend")

    def _remaining(self) -> float:
        deadline = _DEADLINE.get()
        if deadline is None:
            return self.settings.read_timeout
        return deadline - time.monotonic()

    def _send(self, method: str, path: str, headers: dict, timeout: float, kwargs: dict) -> requests.Response:
        return self.session.request(method, f"{self.settings.url}{path}", headers=headers,
                                    timeout=(min(self.settings.connect_timeout, timeout), timeout), **kwargs)

    async def _call(self, method: str, path: str, token: Optional[str] = None,
                    conversation_id: Optional[str] = None, **kwargs) -> dict[str, Any]:
        headers = {}
        if token:
            headers["X-Recovery-Token"] = token
        if conversation_id:
            headers["X-Conversation-Id"] = conversation_id
        client_key = _CLIENT.get()
        if client_key:
            headers["X-Client-Key"] = client_key[:200]
        request_id, conversation_ref = _TRACE.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        if conversation_ref:
            headers["X-Conversation-Ref"] = conversation_ref
        timeout = self._remaining()
        if timeout <= 0.05:
            raise BackendUnavailable("deadline passed")
        loop = asyncio.get_running_loop()
        try:
            response = await asyncio.wait_for(
                loop.run_in_executor(self._pool, partial(self._send, method, path, headers, timeout, kwargs)),
                timeout)
        except (requests.RequestException, asyncio.TimeoutError) as error:
            raise BackendUnavailable(type(error).__name__) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code < 300:
            return body
        code = body.get("error", "")
        if response.status_code == 429:
            raise RateLimited(int(body.get("retry_after", 60)))
        if response.status_code == 422 and code == "not_callable":
            raise NotCallable(str(body.get("reason", "")))
        if response.status_code == 422:
            raise InvalidInput(code or "invalid_request")
        if response.status_code == 403 and code == "token_invalid":
            raise TokenInvalid()
        if response.status_code == 409 and code == "not_correctable":
            raise TokenInvalid()   # nothing the proof may still correct: like a proof that is gone
        if response.status_code == 403 and code == "attestation_invalid":
            raise InvalidInput(code)
        if response.status_code == 404:
            raise NotFound(code or "not_found")
        raise BackendUnavailable(f"HTTP {response.status_code} {code}".strip())

    async def start_verification(self, phone: str, conversation_id: str, channel: str, delivery: str = "sms",
                                 language: str = "pl") -> VerificationStarted:
        """`delivery` "call": a call reads the code aloud in `language` (NotCallable for numbers never called)."""
        return _read(VerificationStarted, await self._call(
            "POST", "/api/v1/phone-verifications",
            json={"phone": phone, "conversation_id": conversation_id, "channel": channel, "delivery": delivery,
                  "language": language}))

    async def call_status(self, verification_id: str) -> CallStatus:
        return _read(CallStatus, await self._call("GET", f"/api/v1/phone-verifications/{verification_id}/call"))

    async def start_attested_verification(self, phone: str, conversation_id: str, channel: str,
                                          attestation: str, proof: dict) -> VerificationStarted:
        """`proof` is the connector's signature (docs/backend-api.md), forwarded unread."""
        return _read(VerificationStarted, await self._call(
            "POST", "/api/v1/phone-verifications/attested",
            json={"phone": phone, "conversation_id": conversation_id, "channel": channel,
                  "attestation": attestation, "proof": proof}))

    async def attested_token(self, verification_id: str) -> CodeCheck:
        return _read(CodeCheck, await self._call("POST", f"/api/v1/phone-verifications/{verification_id}/token"))

    async def check_code(self, verification_id: str, code: str) -> CodeCheck:
        return _read(CodeCheck, await self._call("POST", f"/api/v1/phone-verifications/{verification_id}/check",
                                                 json={"code": code}))

    async def email_hint(self, token: str, conversation_id: str) -> EmailHint:
        return _read(EmailHint, await self._call("GET", "/api/v1/recovery/email-hint", token=token,
                                                 conversation_id=conversation_id))

    async def check_email(self, token: str, conversation_id: str, email: str) -> EmailCheck:
        return _read(EmailCheck, await self._call("POST", "/api/v1/recovery/email-check", token=token,
                                                  conversation_id=conversation_id, json={"email": email}))

    async def password_reset(self, token: str, conversation_id: str, channel: str, language: str = "pl") -> Sent:
        return _read(Sent, await self._call("POST", "/api/v1/recovery/password-reset", token=token,
                                            conversation_id=conversation_id,
                                            json={"channel": channel, "language": language}))

    async def change_email(self, token: str, conversation_id: str, new_email: str, channel: str,
                           language: str = "pl") -> EmailChange:
        """The confirmation, the notice and the SMS go out in `language`."""
        return _read(EmailChange, await self._call(
            "POST", "/api/v1/recovery/email-change", token=token, conversation_id=conversation_id,
            json={"new_email": new_email, "channel": channel, "language": language}))

    async def correct_email_change(self, token: str, conversation_id: str, new_email: str, channel: str,
                                   language: str = "pl") -> EmailChange:
        """The pending change this proof made, to a corrected address: the old link void, a new one sent."""
        return _read(EmailChange, await self._call(
            "POST", "/api/v1/recovery/email-change/correction", token=token, conversation_id=conversation_id,
            json={"new_email": new_email, "channel": channel, "language": language}))

    async def create_case(self, request: CaseRequest) -> Case:
        return _read(Case, await self._call("POST", "/api/v1/cases", json={
            key: value for key, value in request.__dict__.items() if value is not None}))

    async def update_case_contact(self, case_number: str, conversation_id: str, contact_email: str) -> CaseContact:
        return _read(CaseContact, await self._call(
            "PATCH", f"/api/v1/cases/{case_number}",
            json={"conversation_id": conversation_id, "contact_email": contact_email}))

    async def start_handover(self, conversation_id: str, channel: str, language: str, contact_email: Optional[str],
                             summary: str, transcript: list) -> Handover:
        """A person takes the conversation over in the human inbox (BackendUnavailable when none can:
        no inbox, office closed, inbox failing)."""
        return _read(Handover, await self._call("POST", "/api/v1/handovers", json={
            "conversation_id": conversation_id, "channel": channel, "language": language,
            "contact_email": contact_email, "summary": summary, "transcript": transcript}))

    async def relay_to_person(self, conversation_id: str, text: str) -> Handover:
        """The customer's message, for the person who has the conversation (if one still has it)."""
        return _read(Handover, await self._call("POST", "/api/v1/handovers/messages",
                                                json={"conversation_id": conversation_id, "text": text}))

    async def documents(self, account_type: str, language: str = "pl") -> Documents:
        return _read(Documents, await self._call("GET", "/api/v1/documents",
                                                 params={"account_type": account_type, "language": language}))

    async def office_hours(self) -> OfficeHours:
        return _read(OfficeHours, await self._call("GET", "/api/v1/office-hours"))


@lru_cache(maxsize=1)
def backend() -> BackendClient:
    """The action server's one client: its connections are reused by every action."""
    return BackendClient()
