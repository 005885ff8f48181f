"""The one way the actions reach customer data: the account backend's HTTP API
(docs/backend-api.md). One client per process (`backend()`), one method per
operation, typed results, and one place (`_call`) that turns HTTP failures into
the domain errors below.

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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial
from typing import Any, Iterator, Optional

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


class TokenInvalid(BackendError):
    """The proof of the phone expired (or belongs to another conversation): verify again."""


class NotFound(BackendError):
    """The thing asked about is not there (or not this conversation's)."""


@dataclass(frozen=True)
class VerificationStarted:
    verification_id: str
    expires_in: int
    resend_after: int = 60


@dataclass(frozen=True)
class CodeCheck:
    verified: bool
    token: Optional[str] = None
    tries_left: int = 0
    reason: Optional[str] = None


@dataclass(frozen=True)
class EmailCheck:
    matches: bool
    checks_left: int


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


@dataclass(frozen=True)
class Case:
    case_number: str
    open_now: bool
    handled_from: datetime


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


# The deadline of the action being run: every backend call of that action shares it.
_DEADLINE: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar("backend_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """All backend calls made inside share one deadline `seconds` from now."""
    reset = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(reset)


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
        if response.status_code == 422:
            raise InvalidInput(code or "invalid_request")
        if response.status_code == 403 and code == "token_invalid":
            raise TokenInvalid()
        if response.status_code == 403 and code == "attestation_invalid":
            raise InvalidInput(code)
        if response.status_code == 404:
            raise NotFound(code or "not_found")
        raise BackendUnavailable(f"HTTP {response.status_code} {code}".strip())

    async def start_verification(self, phone: str, conversation_id: str, channel: str) -> VerificationStarted:
        body = await self._call("POST", "/api/v1/phone-verifications",
                                json={"phone": phone, "conversation_id": conversation_id, "channel": channel})
        return VerificationStarted(body["verification_id"], int(body["expires_in"]),
                                   int(body.get("resend_after", 60)))

    async def start_attested_verification(self, phone: str, conversation_id: str, channel: str,
                                          attestation: str, proof: dict) -> VerificationStarted:
        """`proof` is the connector's signature (docs/backend-api.md), forwarded unread."""
        body = await self._call("POST", "/api/v1/phone-verifications/attested",
                                json={"phone": phone, "conversation_id": conversation_id, "channel": channel,
                                      "attestation": attestation, "proof": proof})
        return VerificationStarted(body["verification_id"], int(body["expires_in"]))

    async def attested_token(self, verification_id: str) -> CodeCheck:
        return self._code_check(await self._call("POST", f"/api/v1/phone-verifications/{verification_id}/token"))

    async def check_code(self, verification_id: str, code: str) -> CodeCheck:
        return self._code_check(await self._call("POST", f"/api/v1/phone-verifications/{verification_id}/check",
                                                 json={"code": code}))

    @staticmethod
    def _code_check(body: dict) -> CodeCheck:
        return CodeCheck(bool(body.get("verified")), body.get("token"), int(body.get("tries_left", 0)),
                         body.get("reason"))

    async def email_hint(self, token: str, conversation_id: str) -> str:
        body = await self._call("GET", "/api/v1/recovery/email-hint", token=token, conversation_id=conversation_id)
        return body["masked_email"]

    async def check_email(self, token: str, conversation_id: str, email: str) -> EmailCheck:
        body = await self._call("POST", "/api/v1/recovery/email-check", token=token,
                                conversation_id=conversation_id, json={"email": email})
        return EmailCheck(bool(body.get("matches")), int(body.get("checks_left", 0)))

    async def password_reset(self, token: str, conversation_id: str, channel: str) -> None:
        await self._call("POST", "/api/v1/recovery/password-reset", token=token, conversation_id=conversation_id,
                         json={"channel": channel})

    async def change_email(self, token: str, conversation_id: str, new_email: str, channel: str) -> EmailChange:
        body = await self._call("POST", "/api/v1/recovery/email-change", token=token,
                                conversation_id=conversation_id, json={"new_email": new_email, "channel": channel})
        applies_after = body.get("applies_after")
        return EmailChange(body["status"], body["masked_new_email"],
                           datetime.fromisoformat(applies_after) if applies_after else None)

    async def create_case(self, request: CaseRequest) -> Case:
        body = await self._call("POST", "/api/v1/cases", json={
            key: value for key, value in request.__dict__.items() if value is not None})
        return Case(body["case_number"], body["open_now"], datetime.fromisoformat(body["handled_from"]))

    async def update_case_contact(self, case_number: str, conversation_id: str, contact_email: str) -> None:
        await self._call("PATCH", f"/api/v1/cases/{case_number}",
                         json={"conversation_id": conversation_id, "contact_email": contact_email})

    async def documents(self, account_type: str) -> Documents:
        body = await self._call("GET", "/api/v1/documents", params={"account_type": account_type})
        return Documents(body["account_type"], body["documents"], body["notes"], body["send_to"],
                         body["subject_hint"])

    async def office_hours(self) -> OfficeHours:
        body = await self._call("GET", "/api/v1/office-hours")
        return OfficeHours(body["open_now"], datetime.fromisoformat(body["now"]),
                           datetime.fromisoformat(body["next_opening"]), body["hours_text"])


@lru_cache(maxsize=1)
def backend() -> BackendClient:
    """The action server's one client: its connections are reused by every action."""
    return BackendClient()
