"""SerwerSMS.pl API v2 voice messages: POST /messages/send_voice reads `text` aloud; the outcome is
asked for with POST /messages/reports."""
from __future__ import annotations

from contact_rules import mask_phone

from ..ports import CallStatus, ProviderError
from .http_gateway import HttpGateway

# SerwerSMS's report statuses for a voice message, as our call statuses.
STATUSES: dict[str, CallStatus] = {"delivered": "answered", "undelivered": "no_answer", "unsent": "failed", "failed": "failed"}


class SerwerSmsVoiceSender(HttpGateway):
    provider = "SerwerSMS voice"
    languages: tuple[str, ...] = ("pl",)  # its text-to-speech voice is Polish

    def __init__(self, token: str, base_url: str = "https://api2.serwersms.pl"):
        super().__init__(base_url)
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, to_e164: str, text: str, language: str) -> str:
        status, body = self.post("/messages/send_voice", to_e164, json={"phone": to_e164, "text": text, "details": True})
        if status >= 400 or "error" in body:
            error = body.get("error") or {}
            raise ProviderError(f"SerwerSMS voice error {error.get('code')} {error.get('type', '')} "
                                f"for {mask_phone(to_e164)}")
        items = body.get("items") or []
        if not body.get("success") or not body.get("queued") or not items:
            raise ProviderError(f"SerwerSMS queued no call for {mask_phone(to_e164)}")
        return str(items[0]["id"])

    def call_status(self, reference: str) -> CallStatus:
        status, body = self.post("/messages/reports", "", json={"id": [reference]})
        if status >= 400 or "error" in body:
            raise ProviderError(f"SerwerSMS reports error {(body.get('error') or {}).get('code')}")
        items = body.get("items") or []
        return STATUSES.get(str(items[0].get("status", "")).lower(), "calling") if items else "calling"
