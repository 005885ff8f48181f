"""A backend in memory that answers like the real one (docs/backend-api.md) for the engine's unit
tests: same answer types, same errors, every call recorded."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from actions.backend_client import Case, CaseRequest, Documents, InvalidInput, OfficeHours

MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=timezone(timedelta(hours=1)))


class FakeBackend:
    def __init__(self, now: datetime = MONDAY_NOON, refused_contacts: tuple[str, ...] = ()):
        self.now, self.refused_contacts = now, refused_contacts
        self.calls: list[tuple[str, object]] = []
        self.cases: list[CaseRequest] = []

    def _open(self) -> bool:
        return self.now.weekday() < 5 and 9 <= self.now.hour < 17

    async def documents(self, account_type: str) -> Documents:
        self.calls.append(("documents", account_type))
        listed = {"private": ["skan dowodu osobistego"], "company": ["odpis z KRS lub wydruk z CEIDG"]}
        return Documents(account_type, listed[account_type], [], "info@kylos.pl", "numer sprawy w temacie")

    async def create_case(self, request: CaseRequest) -> Case:
        self.calls.append(("create_case", request.reason))
        if request.contact_email in self.refused_contacts:
            raise InvalidInput("invalid_email")
        self.cases.append(request)
        return Case(f"KYL-{len(self.cases):05d}", self._open(), self.now)

    async def office_hours(self) -> OfficeHours:
        self.calls.append(("office_hours", None))
        return OfficeHours(self._open(), self.now, self.now, "pn–pt 9–17")
