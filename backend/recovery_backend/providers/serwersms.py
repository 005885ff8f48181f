"""SerwerSMS.pl API v2: POST /messages/send_sms, JSON in and out, Bearer token."""
from __future__ import annotations

from typing import Optional

from contact_rules import mask_phone

from ..ports import ProviderError
from .http_gateway import HttpGateway


class SerwerSmsSender(HttpGateway):
    provider = "SerwerSMS"

    def __init__(self, token: str, sender_name: Optional[str] = None, base_url: str = "https://api2.serwersms.pl"):
        super().__init__(base_url)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.sender_name = sender_name

    def send_text(self, to_e164: str, text: str) -> None:
        payload = {"phone": to_e164, "text": text, "details": True}
        if self.sender_name:
            payload["sender"] = self.sender_name
        status, body = self.post("/messages/send_sms", to_e164, json=payload)
        if status >= 400 or "error" in body:
            error = body.get("error") or {}
            raise ProviderError(f"SerwerSMS error {error.get('code')} {error.get('type', '')} for {mask_phone(to_e164)}")
        if not body.get("success") or not body.get("queued"):
            raise ProviderError(f"SerwerSMS queued nothing for {mask_phone(to_e164)}")
