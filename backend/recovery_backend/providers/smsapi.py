"""SMSAPI.pl: POST /sms.do with a Bearer token, answers JSON (format=json)."""
from __future__ import annotations

from typing import Optional

from contact_rules import mask_phone

from ..ports import ProviderError
from .http_gateway import HttpGateway


class SmsapiSender(HttpGateway):
    provider = "SMSAPI"

    def __init__(self, token: str, sender_name: Optional[str] = None, base_url: str = "https://api.smsapi.pl"):
        super().__init__(base_url)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.sender_name = sender_name

    def send_text(self, to_e164: str, text: str) -> None:
        form = {"to": to_e164.lstrip("+"), "message": text, "format": "json", "encoding": "utf-8"}
        if self.sender_name:
            form["from"] = self.sender_name
        status, body = self.post("/sms.do", to_e164, data=form)
        # SMSAPI reports errors as {"error": code, "message": …}, with HTTP 200 as well as 4xx.
        if status >= 400 or "error" in body:
            raise ProviderError(f"SMSAPI error {body.get('error')} ({body.get('message', '')[:80]}) "
                                f"for {mask_phone(to_e164)}")
        if not body.get("count"):
            raise ProviderError(f"SMSAPI accepted nothing for {mask_phone(to_e164)}")
