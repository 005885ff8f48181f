"""Local stand-ins for the three voice APIs, each answering as its provider documents, refusals
included: missing or wrong authentication, a number in the wrong format, a text over the limit,
a voice or language the provider does not have. Each keeps the calls it placed and lets a test
decide what became of them (answered, busy, no answer, failed), reported the provider's way."""
from __future__ import annotations

import base64
import itertools
import re
import time
from urllib.parse import parse_qs, urlparse

from devstack.fake_http import FakeHttpServer, Request

TTS_LIMIT = 1000  # characters of text a call may read (the fakes' stand-in for the providers' limits)
_ids = itertools.count(1)


class FakeVoice:
    """What the three fakes share: the calls placed (to, text, voice or locale, reference) and the
    fate the test gives each number (default: answered)."""

    def __init__(self, latency: float = 0.0):
        self.latency, self.calls, self.fate = latency, [], {}
        self.gateway = FakeHttpServer(self.respond)
        self.url = self.gateway.url

    def respond(self, seen: Request):
        time.sleep(self.latency)
        return self.answer(seen)

    def place(self, to: str, text: str, voice: str) -> str:
        reference = f"{next(_ids):08d}"
        self.calls.append({"to": to, "text": text, "voice": voice, "reference": reference})
        return reference

    def close(self):
        self.gateway.close()


class FakeSmsapiVms(FakeVoice):
    """POST /vms.do, Bearer token; errors as {"error": code, "message": …} (HTTP 200 as well)."""
    TOKEN, LECTORS = "good-token", {"ewa", "jacek", "jan", "maja"}

    def answer(self, seen):
        if seen.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return 200, {"error": 101, "message": "Authorization failed"}
        form = seen.form()
        if seen.path != "/vms.do" or form.get("format") != "json" or not form.get("tts"):
            return 200, {"error": 11, "message": "Message too long or there is no message or parameter: to"}
        if len(form["tts"]) > TTS_LIMIT:
            return 200, {"error": 11, "message": "Message too long"}
        if not re.fullmatch(r"\d{9,15}", form.get("to", "")):
            return 200, {"error": 13, "message": "No correct phone numbers"}
        if form.get("tts_lector") not in self.LECTORS:
            return 200, {"error": 11, "message": "Invalid tts_lector"}
        reference = self.place(form["to"], form["tts"], form["tts_lector"])
        self.calls[-1]["notify_url"] = form.get("notify_url")
        return 200, {"count": 1, "list": [{"id": reference, "points": 0.24, "number": form["to"], "status": "QUEUE"}]}

    # SMSAPI's report names for a call's fate.
    REPORTS = {"answered": "DELIVERED", "no_answer": "UNDELIVERED", "busy": "UNDELIVERED", "failed": "FAILED"}

    def report(self, call: dict, fate: str) -> tuple[str, dict]:
        """The callback SMSAPI makes: GET notify_url?MsgId=…&status_name=…"""
        return call["notify_url"], {"MsgId": call["reference"], "status_name": self.REPORTS[fate], "status": "404"}


class FakeSerwerSmsVoice(FakeVoice):
    """POST /messages/send_voice and /messages/reports, JSON, Bearer token."""
    TOKEN = "api-token"
    REPORTS = {"answered": "delivered", "no_answer": "undelivered", "busy": "undelivered", "failed": "unsent",
               "calling": "pending"}

    def answer(self, seen):
        if seen.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return 401, {"error": {"code": 1001, "type": "Authorization", "message": "Nieprawidłowy token"}}
        body = seen.json()
        if seen.path == "/messages/reports":
            by_id = {call["reference"]: call for call in self.calls}
            return 200, {"items": [{"id": ref, "phone": by_id[ref]["to"],
                                    "status": self.REPORTS[self.fate.get(by_id[ref]["to"], "answered")]}
                                   for ref in body.get("id", []) if ref in by_id]}
        if seen.path != "/messages/send_voice" or not body.get("text") or not body.get("phone"):
            return 400, {"error": {"code": 2100, "type": "InvalidParameter", "message": "Brak parametru"}}
        if len(body["text"]) > TTS_LIMIT:
            return 400, {"error": {"code": 2101, "type": "InvalidParameter", "message": "Za długa treść"}}
        if not re.fullmatch(r"\+\d{9,15}", body["phone"]):
            return 200, {"success": True, "queued": 0, "unsent": 1,
                         "items": [{"phone": body["phone"], "status": "unsent"}]}
        reference = self.place(body["phone"], body["text"], "pl")
        return 200, {"success": True, "queued": 1, "unsent": 0,
                     "items": [{"id": reference, "phone": body["phone"], "status": "queued"}]}


class FakeTwilioVerify(FakeVoice):
    """Verify v2 with HTTP Basic auth: Verifications (Channel=call, Locale), VerificationCheck and the
    attempts list whose channel_data.status is a Twilio call status."""
    SID, TOKEN, SERVICE, LOCALES = "AC1", "t", "VA1", {"pl", "en", "de"}
    CALL_STATUS = {"answered": "completed", "no_answer": "no-answer", "busy": "busy", "failed": "failed",
                   "calling": "ringing"}

    def __init__(self, latency: float = 0.0):
        super().__init__(latency)
        self.codes = {}

    def answer(self, seen):
        expected = "Basic " + base64.b64encode(f"{self.SID}:{self.TOKEN}".encode()).decode()
        if seen.headers.get("Authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        url = urlparse(seen.path)
        if seen.method == "GET" and url.path == "/v2/Attempts":
            sid = parse_qs(url.query).get("VerificationSid", [""])[0]
            mine = [call for call in self.calls if call["reference"] == sid]
            return 200, {"attempts": [{"sid": "VL1", "channel": "call", "verification_sid": sid, "channel_data": {
                "status": self.CALL_STATUS[self.fate.get(call["to"], "answered")]}} for call in mine]}
        form = seen.form()
        if url.path == f"/v2/Services/{self.SERVICE}/Verifications":
            if not re.fullmatch(r"\+\d{9,15}", form.get("To", "")):
                return 400, {"code": 60200, "message": "Invalid parameter `To`", "status": 400}
            if form.get("Channel") not in ("sms", "call"):
                return 400, {"code": 60200, "message": "Invalid parameter `Channel`", "status": 400}
            if form.get("Locale") and form["Locale"] not in self.LOCALES:
                return 400, {"code": 60200, "message": "Invalid parameter `Locale`", "status": 400}
            code = f"{len(self.calls) + 424242:06d}"
            self.codes[form["To"]] = code
            reference = "VE" + f"{next(_ids):032x}"
            self.calls.append({"to": form["To"], "text": code, "voice": form.get("Locale"), "reference": reference,
                               "channel": form["Channel"]})
            return 201, {"sid": reference, "to": form["To"], "channel": form["Channel"], "status": "pending"}
        if url.path == f"/v2/Services/{self.SERVICE}/VerificationCheck":
            if form.get("To") not in self.codes:
                return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            approved = self.codes[form["To"]] == form.get("Code")
            return 200, {"status": "approved" if approved else "pending", "valid": approved}
        return 404, {"code": 20404, "message": "Not found", "status": 404}
