"""Accounts kept in the backend's own database (the development and demo
source); WHMCS is the production source (providers/whmcs.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import sqlalchemy as sa
import yaml

from contact_rules import to_e164

from . import notices
from .ports import Account, EmailSender, StaffTicket
from .storage import account_phones, accounts


def fixture_emails(path: Path) -> set[str]:
    return {str(row["email"]).lower() for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def load_fixture(engine: sa.Engine, path: Path) -> int:
    """Add the YAML file's accounts that the database doesn't have yet; returns how many were added.
    Existing accounts are never touched, so a restart keeps every change made since."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    added = 0
    with engine.begin() as db:
        present = set(db.execute(sa.select(accounts.c.id)).scalars())
        for row in rows:
            if row["type"] not in ("private", "company"):
                raise ValueError(f"account {row['id']}: type must be private or company")
            if int(row["id"]) in present:
                continue
            added += 1
            db.execute(accounts.insert().values(
                id=int(row["id"]), type=row["type"], name=row["name"], company=row.get("company"),
                nip=str(row["nip"]) if row.get("nip") else None, email=row["email"]))
            for phone in row.get("phones", []):
                e164 = to_e164(str(phone))
                if e164 is None:
                    raise ValueError(f"account {row['id']}: {phone!r} is not a phone number")
                db.execute(account_phones.insert().values(phone=e164, account_id=int(row["id"])))
    return added


class LocalAccountSource:
    def __init__(self, engine: sa.Engine, email: EmailSender, reset_url: str,
                 staff_ticket: StaffTicket):
        self._engine = engine
        self._email = email
        self._reset_url = reset_url
        self._staff_ticket = staff_ticket

    def _account(self, where: sa.ColumnElement[bool]) -> Optional[Account]:
        with self._engine.connect() as db:
            row = db.execute(sa.select(accounts).where(where)).mappings().first()
            if row is None:
                return None
            phones = db.execute(sa.select(account_phones.c.phone).where(
                account_phones.c.account_id == row["id"])).scalars().all()
        return Account(id=row["id"], type=row["type"], name=row["name"], email=row["email"],
                       phones=tuple(sorted(phones)), company=row["company"], nip=row["nip"])

    def account_id_for_phone(self, phone_e164: str) -> Optional[int]:
        with self._engine.connect() as db:
            return db.execute(sa.select(account_phones.c.account_id).where(account_phones.c.phone == phone_e164)
                              .order_by(account_phones.c.account_id).limit(1)).scalar()

    def find_by_phone(self, phone_e164: str) -> Optional[Account]:
        owner = sa.select(account_phones.c.account_id).where(account_phones.c.phone == phone_e164).limit(1)
        return self._account(accounts.c.id == owner.scalar_subquery())

    def get(self, account_id: int) -> Optional[Account]:
        return self._account(accounts.c.id == account_id)

    def send_password_reset(self, account: Account, language: str = "pl") -> None:
        self._email.send(account.email, *notices.password_reset(self._reset_url, language, account.type == "company"))

    def change_email(self, account: Account, new_email: str, approved_by_staff: bool = False) -> None:
        with self._engine.begin() as db:
            db.execute(accounts.update().where(accounts.c.id == account.id).values(email=new_email))

    def open_staff_ticket(self, account: Optional[Account], subject: str, message: str) -> str:
        return self._staff_ticket(account, subject, message)
