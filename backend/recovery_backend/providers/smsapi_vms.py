"""SMSAPI.pl VMS: POST /vms.do with a Bearer token reads `tts` aloud in the voice `tts_lector`.
SMSAPI reports the outcome only to the callback address given as `notify_url` (VoiceStatusRoute)."""
from __future__ import annotations

from contact_rules import mask_phone

from ..ports import CallStatus, ProviderError
from .http_gateway import HttpGateway

# SMSAPI's delivery report names for a voice message, as our call statuses. SMSAPI does not tell a
# busy line from one nobody answered: both are UNDELIVERED.
STATUSES: dict[str, CallStatus] = {"DELIVERED": "answered", "UNDELIVERED": "no_answer", "EXPIRED": "no_answer", "FAILED": "failed",
            "REJECTED": "failed", "NOT_FOUND": "failed", "UNKNOWN": "failed"}


class SmsapiVoiceSender(HttpGateway):
    provider = "SMSAPI VMS"

    def __init__(self, token: str, lectors: dict[str, str], notify_url: str, base_url: str = "https://api.smsapi.pl"):
        super().__init__(base_url)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.lectors, self.notify_url = lectors, notify_url
        self.languages = tuple(language for language, lector in lectors.items() if lector)

    def call(self, to_e164: str, text: str, language: str) -> str:
        form = {"to": to_e164.lstrip("+"), "tts": text, "tts_lector": self.lectors[language], "format": "json",
                "notify_url": self.notify_url}
        status, body = self.post("/vms.do", to_e164, data=form)
        if status >= 400 or "error" in body:
            raise ProviderError(f"SMSAPI VMS error {body.get('error')} ({str(body.get('message', ''))[:80]}) "
                                f"for {mask_phone(to_e164)}")
        placed = body.get("list") or []
        if not body.get("count") or not placed:
            raise ProviderError(f"SMSAPI VMS accepted nothing for {mask_phone(to_e164)}")
        return str(placed[0]["id"])

    def call_status(self, reference: str) -> CallStatus:
        return "calling"  # known only from the callback


def status_from_report(status_name: str) -> CallStatus:
    return STATUSES.get((status_name or "").upper(), "calling")
