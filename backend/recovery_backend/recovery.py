"""What a proven phone allows: the email hint, a password reset and an email change."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa

from contact_rules import is_valid_email, mask_email, phone_kind
from contact_rules.email import COMMON_DOMAINS

from . import notices
from .audit import AuditLog
from .clock import Clock
from .notices import local_time
from .ports import Account, AccountSource, EmailSender
from .settings import Settings
from .storage import email_changes, lock_keys

CONFIRMATION_TTL = timedelta(hours=24)
CORRECTIONS_PER_PROOF = 2   # a mistyped new address corrected from the chat, at most this often


class NotCorrectable(Exception):
    """No pending change of this proof to correct (confirmed, cancelled, applied, or corrected too often)."""


@dataclass(frozen=True)
class EmailChangeRequested:
    status: str  # confirmation_sent | queued_for_staff
    applies_after: Optional[datetime]  # the earliest moment it can apply; None: as soon as confirmed


class InvalidEmail(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _utc(moment: datetime) -> datetime:
    from datetime import timezone
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RecoveryService:
    def __init__(self, engine: sa.Engine, settings: Settings, clock: Clock, accounts: AccountSource,
                 email: EmailSender, audit: AuditLog, sms: Optional[Callable[[str, str], None]] = None):
        self._sms = sms or (lambda phone, text: None)  # queues an SMS (the outbox)
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

    def password_reset(self, account_id: int, channel: str, language: str = "pl") -> None:
        account = self._account(account_id)
        self._accounts.send_password_reset(account, language)
        self._audit.record("password_reset_sent", channel, account.id, f"to {mask_email(account.email)}")

    def check_new_email(self, account_id: int, new_email: str) -> tuple[Account, str]:
        new_email = (new_email or "").strip()
        if not is_valid_email(new_email):
            raise InvalidEmail("invalid_email")
        account = self._account(account_id)
        if new_email.lower() == account.email.lower():
            raise InvalidEmail("same_email")
        domain = new_email.rpartition("@")[2].lower()
        if domain == account.email.rpartition("@")[2].lower() and domain not in COMMON_DOMAINS:
            # The dead mailbox's own domain (expired, or its mail server gone): the link would not arrive.
            raise InvalidEmail("dead_domain")
        return account, new_email

    def request_email_change(self, account_id: int, new_email: str, channel: str,
                             language: str = "pl", grant_hash: Optional[str] = None) -> EmailChangeRequested:
        """The e-mails and the SMS go out in the language of the conversation that asked (`language`);
        `grant_hash`: the proof that asked, which may correct the address while the link is pending."""
        account, new_email = self.check_new_email(account_id, new_email)
        masked = f"{mask_email(account.email)} -> {mask_email(new_email)}"
        now = self._clock.now()
        if self._settings.email_change_mode == "staff":
            self._accounts.open_staff_ticket(account, "Zmiana adresu e-mail po weryfikacji telefonu",
                                             f"Konto {account.id}: prośba o zmianę adresu {masked}, kanał {channel}.")
            self._store_change(None, account.id, new_email, channel, "queued_for_staff")
            self._audit.record("email_change_queued", channel, account.id, masked)
            return EmailChangeRequested("queued_for_staff", None)
        delay = self._settings.email_change_delay
        applies_after = now + delay if delay else None
        link_token, cancel_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._engine.begin() as db:
            lock_keys(db, _hash(f"account:{account.id}"))
            # One pending change per account: a newer request makes older links useless (issue 9 M4).
            db.execute(email_changes.update().where(email_changes.c.account_id == account.id,
                                                    email_changes.c.status.in_(("pending", "confirmed")))
                       .values(status="superseded"))
            db.execute(email_changes.insert().values(
                token_hash=_hash(link_token), cancel_hash=_hash(cancel_token), account_id=account.id,
                new_email=new_email, channel=channel[:30], created_at=now, expires_at=now + CONFIRMATION_TTL,
                status="pending", applies_after=applies_after, language=notices.language_of(language),
                grant_hash=grant_hash))
        base, plural = self._settings.public_base_url, account.type == "company"
        self._email.send(new_email, *notices.confirm_new_address(f"{base}/email-change/confirm?t={link_token}",
                                                                 applies_after, language, plural))
        cancel = f"{base}/email-change/cancel?t={cancel_token}"
        self._email.send(account.email, *notices.change_requested(now, mask_email(new_email), applies_after, cancel,
                                                                  language, plural))
        if applies_after:
            for phone in account.phones:
                if phone_kind(phone) == "mobile":
                    self._sms(phone, notices.change_requested_sms(mask_email(new_email), applies_after, cancel,
                                                                  language, plural))
        self._audit.record("email_change_requested", channel, account.id, masked)
        return EmailChangeRequested("confirmation_sent", applies_after)

    def apply_approved_change(self, account_id: int, new_email: str, case_number: str, approved_by: str,
                              language: str = "pl") -> str:
        """A person checked the documents of `case_number` and approved: the login address changes now
        (no link to follow: the documents proved the owner), older pending changes lapse, both addresses
        get the notice and the audit trail says who approved which case. Returns the masked change."""
        account, new_email = self.check_new_email(account_id, new_email)
        old = account.email
        with self._engine.begin() as db:
            lock_keys(db, _hash(f"account:{account.id}"))
            db.execute(email_changes.update().where(email_changes.c.account_id == account.id,
                                                    email_changes.c.status.in_(("pending", "confirmed")))
                       .values(status="superseded"))
        self._accounts.change_email(account, new_email, approved_by_staff=True)
        masked = f"{mask_email(old)} -> {mask_email(new_email)}"
        self._audit.record("email_changed_by_staff", "staff", account.id,
                           f"case {case_number}, documents approved by {approved_by[:100]}: {masked}")
        for to in (old, new_email):
            self._email.send(to, *notices.address_changed(self._clock.now(), mask_email(new_email), language,
                                                          account.type == "company"))
        return masked

    def correct_email_change(self, account_id: int, grant_hash: str, new_email: str, channel: str,
                             language: str = "pl") -> EmailChangeRequested:
        """The address of this proof's pending change replaced by `new_email`: a new request (new link
        and notice), which voids the pending link like any newer request."""
        account, new_email = self.check_new_email(account_id, new_email)
        with self._engine.connect() as db:
            made = db.execute(sa.select(email_changes.c.status).where(
                email_changes.c.grant_hash == grant_hash).order_by(email_changes.c.created_at.desc())).scalars().all()
        if not made or made[0] != "pending" or len(made) > CORRECTIONS_PER_PROOF:
            raise NotCorrectable()
        self._audit.record("email_change_corrected", channel, account.id, f"-> {mask_email(new_email)}")
        return self.request_email_change(account_id, new_email, channel, language, grant_hash)

    def link_reader(self, link_token: str, cancel: bool = False) -> tuple[str, bool]:
        """Who reads a link's page: the language of the conversation that asked, and whether the account
        is a company's ("Państwo"); Polish and "Pan/Pani" when the link or the account is unknown."""
        column = email_changes.c.cancel_hash if cancel else email_changes.c.token_hash
        with self._engine.connect() as db:
            row = db.execute(sa.select(email_changes.c.language, email_changes.c.account_id).where(
                column == _hash(link_token or ""))).first()
        if row is None:
            return "pl", False
        try:
            account = self._accounts.get(row.account_id)
        except Exception:  # noqa: BLE001 — the account source away: the page still shows
            account = None
        return notices.language_of(row.language), bool(account and account.type == "company")

    def link_state(self, link_token: str, cancel: bool = False) -> Optional[str]:
        """The status of the change a confirm (or cancel) link belongs to, None when unknown or expired."""
        column = email_changes.c.cancel_hash if cancel else email_changes.c.token_hash
        with self._engine.connect() as db:
            row = db.execute(sa.select(email_changes.c.status, email_changes.c.expires_at).where(
                column == _hash(link_token or ""))).first()
        if row is None or (not cancel and self._clock.now() >= _utc(row.expires_at)):
            return None
        status: str = row.status
        return status

    def confirm_email_change(self, link_token: str) -> tuple[str, Optional[datetime]]:
        """POST from the confirmation page. Returns (outcome, applies_after): applied, waiting,
        unavailable (the account source failed; the link stays valid) or invalid."""
        now = self._clock.now()
        with self._engine.begin() as db:
            row = db.execute(sa.select(email_changes).where(
                email_changes.c.token_hash == _hash(link_token or ""),
                email_changes.c.status == "pending")).mappings().first()
            if row is None or now >= _utc(row["expires_at"]):
                return "invalid", None
            waiting = row["applies_after"] is not None and now < _utc(row["applies_after"])
            if waiting:
                db.execute(email_changes.update().where(email_changes.c.token_hash == row["token_hash"],
                                                        email_changes.c.status == "pending")
                           .values(status="confirmed"))
        if waiting:
            self._audit.record("email_change_confirmed", row["channel"], row["account_id"],
                               f"applies after {local_time(_utc(row['applies_after']))}")
            return "waiting", _utc(row["applies_after"])
        return self._apply(row["token_hash"], "pending"), None

    def apply_due_changes(self) -> int:
        """Confirmed changes whose waiting period is over (run in the background)."""
        now = self._clock.now()
        with self._engine.connect() as db:
            due = db.execute(sa.select(email_changes.c.token_hash).where(
                email_changes.c.status == "confirmed", email_changes.c.applies_after <= now)).scalars().all()
        return sum(self._apply(token_hash, "confirmed") == "applied" for token_hash in due)

    def _apply(self, token_hash: str, from_status: str) -> str:
        with self._engine.begin() as db:
            # The claimed change, or None when it is not (or no longer) in `from_status`.
            row = db.execute(email_changes.update().where(email_changes.c.token_hash == token_hash,
                                                          email_changes.c.status == from_status)
                             .values(status="applying").returning(*email_changes.c)).mappings().first()
        if row is None:
            return "invalid"
        try:
            account = self._account(row["account_id"])
            old = account.email
            self._accounts.change_email(account, row["new_email"])
        except Exception as error:  # WHMCS away: the link keeps working (issue 9 L17)
            with self._engine.begin() as db:
                db.execute(email_changes.update().where(email_changes.c.token_hash == token_hash)
                           .values(status=from_status))
            self._audit.record("email_change_failed", row["channel"], row["account_id"], type(error).__name__)
            return "unavailable"
        # Marked applied only now that the account source has the new address.
        with self._engine.begin() as db:
            db.execute(email_changes.update().where(email_changes.c.token_hash == token_hash).values(status="applied"))
        masked = f"{mask_email(old)} -> {mask_email(row['new_email'])}"
        self._audit.record("email_changed", row["channel"], account.id, masked)
        for to in (old, row["new_email"]):
            self._email.send(to, *notices.address_changed(self._clock.now(), mask_email(row["new_email"]),
                                                          row["language"] or "pl", account.type == "company"))
        return "applied"

    def cancel_email_change(self, cancel_token: str) -> bool:
        with self._engine.begin() as db:
            row = db.execute(sa.select(email_changes).where(
                email_changes.c.cancel_hash == _hash(cancel_token or ""),
                email_changes.c.status.in_(("pending", "confirmed")))).mappings().first()
            if row is None:
                return False
            db.execute(email_changes.update().where(email_changes.c.token_hash == row["token_hash"],
                                                    email_changes.c.status.in_(("pending", "confirmed")))
                       .values(status="cancelled"))
        self._audit.record("email_change_cancelled", row["channel"], row["account_id"],
                           f"-> {mask_email(row['new_email'])}")
        return True

    def _store_change(self, link_token: Optional[str], account_id: int, new_email: str, channel: str,
                      status: str) -> None:
        now = self._clock.now()
        with self._engine.begin() as db:
            db.execute(email_changes.insert().values(
                token_hash=_hash(link_token or secrets.token_urlsafe(32)), account_id=account_id,
                new_email=new_email, channel=channel[:30], created_at=now, expires_at=now + CONFIRMATION_TTL,
                status=status))
