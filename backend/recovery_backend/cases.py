"""Recovery cases: documents sent by e-mail, or a conversation handed to a person."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from stdnum.pl import nip as polish_nip

from .clock import Clock
from .email_address import is_valid_email
from .office_hours import WARSAW, OfficeHours
from .storage import cases

# A case summary comes from the assistant; codes must never reach staff tools even by mistake.
_CODE_LIKE = re.compile(r"\b\d{4,8}\b")
SUMMARY_LIMIT = 1000


class InvalidCase(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class OpenedCase:
    case_number: str
    open_now: bool
    handled_from: datetime


def scrub_summary(summary: str) -> str:
    return _CODE_LIKE.sub("[…]", " ".join((summary or "").split()))[:SUMMARY_LIMIT]


class CaseService:
    def __init__(self, engine: sa.Engine, clock: Clock, office_hours: OfficeHours):
        self._engine, self._clock, self._hours = engine, clock, office_hours

    def open(self, reason: str, account_type: Optional[str], contact_email: Optional[str], nip: Optional[str],
             channel: str, conversation_id: str, summary: str) -> OpenedCase:
        if reason not in ("documents", "human_handoff"):
            raise InvalidCase("invalid_request")
        if account_type not in (None, "private", "company"):
            raise InvalidCase("invalid_request")
        if contact_email and not is_valid_email(contact_email):
            raise InvalidCase("invalid_email")
        if nip:
            if not polish_nip.is_valid(nip):
                raise InvalidCase("invalid_nip")
            nip = polish_nip.compact(nip)
        now = self._clock.now()
        with self._engine.begin() as db:
            case_id = db.execute(cases.insert().values(
                created_at=now, reason=reason, account_type=account_type, contact_email=contact_email, nip=nip,
                channel=channel[:30], conversation_hash=hashlib.sha256(conversation_id.encode()).hexdigest(),
                summary=scrub_summary(summary))).inserted_primary_key[0]
            number = f"ODZ-{now.astimezone(WARSAW):%Y%m%d}-{case_id:04d}"
            db.execute(cases.update().where(cases.c.id == case_id).values(case_number=number))
        return OpenedCase(number, self._hours.is_open(now), self._hours.next_opening(now))

    def all(self) -> list[dict]:
        with self._engine.connect() as db:
            rows = db.execute(sa.select(cases).order_by(cases.c.id)).mappings().all()
        return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()
                 if k != "conversation_hash"} for row in rows]
