"""What a proven phone allows: the email hint, a password reset and an email change."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa

from .audit import AuditLog
from .clock import Clock
from .email_address import is_valid_email
from .masking import mask_email
from .ports import Account, AccountSource, EmailSender
from .settings import Settings
from .storage import email_changes

CONFIRMATION_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class EmailChangeRequested:
    status: str  # confirmation_sent | queued_for_staff
    applies_after: Optional[datetime]  # the earliest moment it can apply; None: as soon as confirmed


class InvalidEmail(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RecoveryService:
    def __init__(self, engine: sa.Engine, settings: Settings, clock: Clock, accounts: AccountSource,
                 email: EmailSender, audit: AuditLog):
        self._engine, self._settings, self._clock = engine, settings, clock
        self._accounts, self._email, self._audit = accounts, email, audit

    def _account(self, account_id: int) -> Account:
        account = self._accounts.get(account_id)
        if account is None:
            raise LookupError("account vanished")
        return account

    def email_hint(self, account_id: int) -> str:
        return mask_email(self._account(account_id).email)

    def email_matches(self, account_id: int, email: str, channel: str) -> bool:
        """Is `email` the account's login address? (The customer asks "is it X?".)"""
        account = self._account(account_id)
        matches = (email or "").strip().lower() == account.email.strip().lower()
        self._audit.record("email_checked", channel, account.id,
                           f"{mask_email((email or '').strip())} {'matches' if matches else 'differs'}")
        return matches

    def password_reset(self, account_id: int, channel: str) -> None:
        account = self._account(account_id)
        self._accounts.send_password_reset(account)
        self._audit.record("password_reset_sent", channel, account.id, f"to {mask_email(account.email)}")

    def check_new_email(self, account_id: int, new_email: str) -> tuple[Account, str]:
        new_email = (new_email or "").strip()
        if not is_valid_email(new_email):
            raise InvalidEmail("invalid_email")
        account = self._account(account_id)
        if new_email.lower() == account.email.lower():
            raise InvalidEmail("same_email")
        return account, new_email

    def request_email_change(self, account_id: int, new_email: str, channel: str) -> EmailChangeRequested:
        account, new_email = self.check_new_email(account_id, new_email)
        masked = f"{mask_email(account.email)} -> {mask_email(new_email)}"
        now = self._clock.now()
        if self._settings.email_change_mode == "staff":
            self._accounts.open_staff_ticket(account, "Zmiana adresu e-mail po weryfikacji telefonu",
                                             f"Konto {account.id}: prośba o zmianę adresu {masked}, kanał {channel}.")
            self._store_change(None, account.id, new_email, channel, "queued_for_staff")
            self._audit.record("email_change_queued", channel, account.id, masked)
            return EmailChangeRequested("queued_for_staff", None)
        link_token = secrets.token_urlsafe(32)
        self._store_change(link_token, account.id, new_email, channel, "pending")
        link = f"{self._settings.public_base_url}/email-change/confirm?t={link_token}"
        self._email.send(new_email, "Kylos: potwierdź nowy adres e-mail do Panelu Klienta",
                         "Dzień dobry,\n\naby ten adres stał się adresem logowania do Panelu Klienta Kylos, "
                         f"prosimy otworzyć link (ważny 24 godziny):\n{link}\n\nJeśli to nie Pan/Pani prosił(a) "
                         "o zmianę, prosimy zignorować tę wiadomość.\n\nZespół Kylos")
        self._email.send(account.email, "Kylos: prośba o zmianę adresu e-mail konta",
                         f"Dzień dobry,\n\n{now:%Y-%m-%d %H:%M} UTC po potwierdzeniu numeru telefonu poproszono "
                         f"o zmianę adresu logowania na {mask_email(new_email)}. Jeśli to nie Pan/Pani, prosimy "
                         "o pilny kontakt: https://www.kylos.pl/pomoc/\n\nZespół Kylos")
        self._audit.record("email_change_requested", channel, account.id, masked)
        return EmailChangeRequested("confirmation_sent", None)

    def _store_change(self, link_token: Optional[str], account_id: int, new_email: str, channel: str,
                      status: str) -> None:
        now = self._clock.now()
        with self._engine.begin() as db:
            db.execute(email_changes.insert().values(
                token_hash=_hash(link_token or secrets.token_urlsafe(32)), account_id=account_id,
                new_email=new_email, channel=channel[:30], created_at=now, expires_at=now + CONFIRMATION_TTL,
                status=status))

    def confirm_email_change(self, link_token: str) -> bool:
        now = self._clock.now()
        with self._engine.begin() as db:
            row = db.execute(sa.select(email_changes).where(
                email_changes.c.token_hash == _hash(link_token or ""),
                email_changes.c.status == "pending")).mappings().first()
            if row is None:
                return False
            expires = row["expires_at"] if row["expires_at"].tzinfo else row["expires_at"].replace(tzinfo=now.tzinfo)
            if now >= expires:
                return False
            db.execute(email_changes.update().where(email_changes.c.token_hash == row["token_hash"])
                       .values(status="applied"))
        account = self._account(row["account_id"])
        old = account.email
        self._accounts.change_email(account, row["new_email"])
        self._audit.record("email_changed", row["channel"], account.id,
                           f"{mask_email(old)} -> {mask_email(row['new_email'])}")
        return True
