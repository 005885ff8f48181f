"""A backend in memory that answers like the real one (docs/backend-api.md) for the engine's unit
tests: the same answer types and errors, the same uniform answer for unregistered numbers, codes
that expire and count wrong tries, a one-minute resend cooldown — on the test's pinned clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from actions.backend_client import (
    BackendUnavailable,
    CallStatus,
    Case,
    CaseContact,
    CaseRequest,
    CodeCheck,
    Documents,
    EmailChange,
    EmailCheck,
    EmailHint,
    Handover,
    InvalidInput,
    NotCallable,
    NotFound,
    OfficeHours,
    RateLimited,
    Sent,
    TokenInvalid,
    VerificationStarted,
)
from contact_rules import phone_kind


def is_landline(phone: str) -> bool:
    return phone_kind(phone) == "landline"


MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=timezone(timedelta(hours=1)))
CODE_LIFETIME, RESEND_AFTER, CODE_TRIES = 600, 60, 5


class FakeBackend:
    def __init__(self, clock: Callable[[], float], accounts: dict[str, str] | None = None,
                 refused_contacts: tuple[str, ...] = ()):
        self.clock, self.refused_contacts = clock, refused_contacts
        self.accounts = accounts or {}          # registered phone (E.164) -> login address
        self.now = MONDAY_NOON
        self.calls: list[tuple[str, object]] = []
        self.cases: list[CaseRequest] = []
        self.codes: dict[str, dict] = {}        # verification id -> {phone, code, expires, tries}
        self.sent_at: dict[str, float] = {}
        self.tokens: dict[str, str] = {}        # token -> phone
        self.changes: list[str] = []
        self.resets: list[str] = []
        self.languages: list[str] = []          # of every SMS and e-mail change asked for
        self.call_outcome = "answered"
        self.spent: dict[str, str] = {}         # phone -> the token an e-mail change spent
        self.inbox = False                      # a human inbox (Chatwoot) configured: live hand-overs
        self.handover: str | None = None        # its status, as the inbox's webhook left it
        self.relayed: list[str] = []            # what the customer wrote to the person
        self.handed_over: list[tuple[str, list]] = []   # (summary, transcript) of each hand-over

    def _open(self) -> bool:
        return self.now.weekday() < 5 and 9 <= self.now.hour < 17

    def latest_code(self, phone: str) -> str:
        return [item["code"] for item in self.codes.values() if item["phone"] == phone][-1]

    async def documents(self, account_type: str, language: str = "pl") -> Documents:
        self.calls.append(("documents", account_type))
        listed = {"pl": {"private": ["skan dowodu osobistego"], "company": ["odpis z KRS lub wydruk z CEIDG"]},
                  "en": {"private": ["a scan of the ID card"], "company": ["a KRS extract or a CEIDG printout"]}}
        return Documents(account_type, listed[language][account_type], [], "info@kylos.pl", "numer sprawy w temacie")

    async def create_case(self, request: CaseRequest) -> Case:
        self.calls.append(("create_case", request.reason))
        if request.contact_email in self.refused_contacts:
            raise InvalidInput("invalid_email")
        # One case per conversation (the backend brings it up to date): `cases` keeps every request.
        self.cases.append(request)
        numbers = list(dict.fromkeys(case.conversation_id for case in self.cases))
        return Case(f"KYL-{numbers.index(request.conversation_id) + 1:05d}", self._open(), self.now,
                    updated=len([case for case in self.cases if case.conversation_id == request.conversation_id]) > 1)

    async def update_case_contact(self, case_number: str, conversation_id: str, contact_email: str) -> CaseContact:
        self.calls.append(("update_case_contact", contact_email))
        if not any(f"KYL-{n:05d}" == case_number for n in range(1, len(self.cases) + 1)):
            raise NotFound("case_not_found")
        return CaseContact(case_number, "x***@y***.pl")

    async def start_handover(self, conversation_id: str, channel: str, language: str, contact_email, summary: str,
                             transcript: list) -> Handover:
        self.calls.append(("start_handover", channel))
        if not self.inbox or not self._open():
            raise BackendUnavailable("HTTP 409 " + ("no_inbox" if not self.inbox else "office_closed"))
        self.handover = "waiting"
        self.handed_over.append((summary, transcript))
        return Handover("waiting", 300)

    async def relay_to_person(self, conversation_id: str, text: str) -> Handover:
        if self.handover in ("waiting", "talking"):
            self.relayed.append(text)
        return Handover(self.handover or "none", 300)

    async def office_hours(self) -> OfficeHours:
        self.calls.append(("office_hours", None))
        return OfficeHours(self._open(), self.now, self.now, "pn–pt 9–17")

    async def start_verification(self, phone: str, conversation_id: str, channel: str, delivery: str = "sms",
                                 language: str = "pl") -> VerificationStarted:
        self.calls.append(("start_verification", phone))
        self.languages.append(language)
        if delivery == "call" and not phone.startswith("+48"):
            raise NotCallable("country_not_served")
        waited = self.clock() - self.sent_at.get(phone, -1e9)
        if waited < RESEND_AFTER:
            raise RateLimited(int(RESEND_AFTER - waited))
        self.sent_at[phone] = self.clock()
        verification = f"v{len(self.codes) + 1}"
        self.codes[verification] = {"phone": phone, "code": f"{(len(self.codes) + 1) * 111111 % 1000000:06d}",
                                    "expires": self.clock() + CODE_LIFETIME, "tries": 0, "delivery": delivery,
                                    "language": language}
        return VerificationStarted(verification, CODE_LIFETIME, RESEND_AFTER)

    def deliveries(self) -> list[tuple[str, str]]:
        """(number, sms|call) of every code started, in order."""
        return [(item["phone"], item["delivery"]) for item in self.codes.values()]

    async def call_status(self, verification_id: str) -> CallStatus:
        """What the provider reported: `self.call_outcome` (answered unless a test says otherwise)."""
        if self.codes.get(verification_id, {}).get("delivery") != "call":
            raise NotFound("not_found")
        return CallStatus(self.call_outcome)

    async def check_code(self, verification_id: str, code: str) -> CodeCheck:
        self.calls.append(("check_code", code))
        item = self.codes[verification_id]
        if self.clock() > item["expires"]:
            return CodeCheck(False, reason="expired")
        reached = item["delivery"] == "call" or not is_landline(item["phone"])     # no SMS reaches a landline
        if code == item["code"] and reached and item["phone"] in self.accounts and item["tries"] < CODE_TRIES:
            token = f"t-{verification_id}"
            self.tokens[token] = item["phone"]
            return CodeCheck(True, token=token, token_expires_in=900)
        item["tries"] += 1
        return CodeCheck(False, tries_left=max(0, CODE_TRIES - item["tries"]), reason="wrong_code")

    def _login(self, token: str) -> str:
        if token not in self.tokens:
            raise TokenInvalid()
        return self.accounts[self.tokens[token]]

    async def email_hint(self, token: str, conversation_id: str) -> EmailHint:
        login = self._login(token)
        return EmailHint(login[:2] + "***@" + login.split("@")[1][:1] + "***." + login.rsplit(".", 1)[1])

    async def check_email(self, token: str, conversation_id: str, email: str) -> EmailCheck:
        return EmailCheck(email.lower() == self._login(token).lower(), 4)

    async def password_reset(self, token: str, conversation_id: str, channel: str, language: str = "pl") -> Sent:
        self.languages.append(language)
        self.resets.append(self._login(token))
        return Sent("sent")

    async def change_email(self, token: str, conversation_id: str, new_email: str, channel: str,
                           language: str = "pl") -> EmailChange:
        self.languages.append(language)
        login = self._login(token)
        if new_email.lower() == login.lower():
            raise InvalidInput("same_email")
        if new_email.rpartition("@")[2].lower() == login.rpartition("@")[2].lower() != "gmail.com":
            raise InvalidInput("dead_domain")
        self.changes.append(new_email)
        self.spent[self.tokens.pop(token)] = token
        return EmailChange("confirmation_sent", new_email[:2] + "***")

    async def correct_email_change(self, token: str, conversation_id: str, new_email: str, channel: str,
                                   language: str = "pl") -> EmailChange:
        if token not in self.spent.values() or len(self.changes) > 2:
            raise TokenInvalid()                 # what the client makes of 409 not_correctable
        self.changes.append(new_email)
        self.languages.append(language)
        return EmailChange("confirmation_sent", new_email[:2] + "***")
