"""Twilio Verify v2: Twilio draws, sends and checks the code; we never see it."""
from __future__ import annotations

from contact_rules import mask_phone

from ..ports import ProviderError
from .http_gateway import HttpGateway


class TwilioVerifier(HttpGateway):
    provider = "Twilio Verify"

    def __init__(self, account_sid: str, auth_token: str, service_sid: str,
                 base_url: str = "https://verify.twilio.com"):
        super().__init__(base_url)
        self.session.auth = (account_sid, auth_token)
        self.service = f"/v2/Services/{service_sid}"

    def start(self, to_e164: str) -> None:
        status, body = self.post(f"{self.service}/Verifications", to_e164, data={"To": to_e164, "Channel": "sms"})
        if status >= 400:
            raise ProviderError(f"Twilio Verify error {body.get('code')} (HTTP {status}) for {mask_phone(to_e164)}")

    def check(self, to_e164: str, code: str) -> bool:
        status, body = self.post(f"{self.service}/VerificationCheck", to_e164, data={"To": to_e164, "Code": code})
        if status == 404:
            return False  # expired, already approved or never started: Twilio forgets it
        if status >= 400:
            raise ProviderError(f"Twilio Verify error {body.get('code')} (HTTP {status}) for {mask_phone(to_e164)}")
        return body.get("status") == "approved"
