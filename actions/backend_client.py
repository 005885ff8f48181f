"""The one way the actions reach customer data: the account backend's HTTP API
(docs/backend-api.md). One method per operation, typed results, and one place
(`_call`) that turns HTTP failures into the domain errors below."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

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
    """The proof of the phone expired: the customer must verify again."""


@dataclass(frozen=True)
class VerificationStarted:
    verification_id: str
    expires_in: int


@dataclass(frozen=True)
class CodeCheck:
    verified: bool
    token: Optional[str] = None
    tries_left: int = 0
    reason: Optional[str] = None


@dataclass(frozen=True)
class EmailChange:
    status: str
    masked_new_email: str


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


class BackendClient:
    def __init__(self, settings: Optional[BackendSettings] = None, session: Optional[requests.Session] = None):
        self.settings = settings or backend_settings()
        self.session = session or requests.Session()
        # Only reads are retried: repeating a POST could send a second SMS or open a second case.
        retry = Retry(total=2, backoff_factor=0.2, status_forcelist=(502, 503, 504),
                      allowed_methods=frozenset({"GET"}), raise_on_status=False)
        self.session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=32))
        self.session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=32))
        self.session.headers["X-API-Key"] = self.settings.api_key

    def _call(self, method: str, path: str, token: Optional[str] = None, **kwargs) -> dict[str, Any]:
        headers = {"X-Recovery-Token": token} if token else {}
        try:
            response = self.session.request(
                method, f"{self.settings.url}{path}", headers=headers,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout), **kwargs)
        except requests.RequestException as error:
            raise BackendUnavailable(type(error).__name__) from None
        try:
            body = response.json()
        except ValueError:
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
        raise BackendUnavailable(f"HTTP {response.status_code} {code}".strip())

    def start_verification(self, phone: str, conversation_id: str, channel: str) -> VerificationStarted:
        body = self._call("POST", "/api/v1/phone-verifications",
                          json={"phone": phone, "conversation_id": conversation_id, "channel": channel})
        return VerificationStarted(body["verification_id"], body["expires_in"])

    def start_attested_verification(self, phone: str, conversation_id: str, channel: str,
                                    attestation: str) -> VerificationStarted:
        body = self._call("POST", "/api/v1/phone-verifications/attested",
                          json={"phone": phone, "conversation_id": conversation_id, "channel": channel,
                                "attestation": attestation})
        return VerificationStarted(body["verification_id"], body["expires_in"])

    def attested_token(self, verification_id: str) -> CodeCheck:
        return self._code_check(self._call("POST", f"/api/v1/phone-verifications/{verification_id}/token"))

    def check_code(self, verification_id: str, code: str) -> CodeCheck:
        return self._code_check(self._call("POST", f"/api/v1/phone-verifications/{verification_id}/check",
                                           json={"code": code}))

    @staticmethod
    def _code_check(body: dict) -> CodeCheck:
        return CodeCheck(bool(body.get("verified")), body.get("token"), int(body.get("tries_left", 0)),
                         body.get("reason"))

    def email_hint(self, token: str) -> str:
        return self._call("GET", "/api/v1/recovery/email-hint", token=token)["masked_email"]

    def password_reset(self, token: str, channel: str) -> None:
        self._call("POST", "/api/v1/recovery/password-reset", token=token, json={"channel": channel})

    def change_email(self, token: str, new_email: str, channel: str) -> EmailChange:
        body = self._call("POST", "/api/v1/recovery/email-change", token=token,
                          json={"new_email": new_email, "channel": channel})
        return EmailChange(body["status"], body["masked_new_email"])

    def create_case(self, reason: str, conversation_id: str, channel: str, summary: str,
                    account_type: Optional[str] = None, contact_email: Optional[str] = None,
                    nip: Optional[str] = None) -> Case:
        body = self._call("POST", "/api/v1/cases", json={
            "reason": reason, "account_type": account_type, "contact_email": contact_email, "nip": nip,
            "channel": channel, "conversation_id": conversation_id, "summary": summary})
        return Case(body["case_number"], body["open_now"], datetime.fromisoformat(body["handled_from"]))

    def documents(self, account_type: str) -> Documents:
        body = self._call("GET", "/api/v1/documents", params={"account_type": account_type})
        return Documents(body["account_type"], body["documents"], body["notes"], body["send_to"],
                         body["subject_hint"])

    def office_hours(self) -> OfficeHours:
        body = self._call("GET", "/api/v1/office-hours")
        return OfficeHours(body["open_now"], datetime.fromisoformat(body["now"]),
                           datetime.fromisoformat(body["next_opening"]), body["hours_text"])
