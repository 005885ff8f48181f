"""Twilio Verify v2: Twilio draws, sends and checks the code; we never see it. With
`Channel=call` Twilio's own voice reads the code in the `Locale` asked for; what became of the call
is in Verify's attempts list (its `channel_data.status` is a Twilio call status)."""
from __future__ import annotations

from contact_rules import mask_phone

from ..ports import CallStatus, ProviderError
from .http_gateway import HttpGateway

# Twilio call statuses as ours ("queued", "ringing", "in-progress": still calling).
CALL_STATUSES: dict[str, CallStatus] = {"completed": "answered", "busy": "busy", "no-answer": "no_answer", "failed": "failed",
                 "canceled": "failed"}


class TwilioVerifier(HttpGateway):
    provider = "Twilio Verify"
    languages: tuple[str, ...] = ("pl", "en")  # Locale of a call

    def __init__(self, account_sid: str, auth_token: str, service_sid: str,
                 base_url: str = "https://verify.twilio.com"):
        super().__init__(base_url)
        self.session.auth = (account_sid, auth_token)
        self.service = f"/v2/Services/{service_sid}"

    def start(self, to_e164: str, channel: str = "sms", locale: str | None = None) -> str:
        form = {"To": to_e164, "Channel": channel, **({"Locale": locale} if locale else {})}
        status, body = self.post(f"{self.service}/Verifications", to_e164, data=form)
        if status >= 400:
            raise ProviderError(f"Twilio Verify error {body.get('code')} (HTTP {status}) for {mask_phone(to_e164)}")
        return str(body.get("sid", ""))

    def call_status(self, verification_sid: str) -> CallStatus:
        status, body = self.request("GET", "/v2/Attempts", "", params={"VerificationSid": verification_sid})
        if status >= 400:
            raise ProviderError(f"Twilio Verify attempts error {body.get('code')} (HTTP {status})")
        calls = [attempt for attempt in body.get("attempts") or [] if attempt.get("channel") == "call"]
        if not calls:
            return "calling"
        return CALL_STATUSES.get(str((calls[-1].get("channel_data") or {}).get("status", "")), "calling")

    def check(self, to_e164: str, code: str) -> bool:
        status, body = self.post(f"{self.service}/VerificationCheck", to_e164, data={"To": to_e164, "Code": code})
        if status == 404:
            return False  # expired, already approved or never started: Twilio forgets it
        if status >= 400:
            raise ProviderError(f"Twilio Verify error {body.get('code')} (HTTP {status}) for {mask_phone(to_e164)}")
        verdict: object = body.get("status")
        return verdict == "approved"
