"""Proof that the customer holds the registered phone: one-time codes and the
tokens that a successful proof earns.

Every start does the same work whatever the number — look-up, rate counting,
a stored (hashed) code — and hands delivery to a background queue, so neither
the answer nor its timing tells whether the number has an account.

What asks a provider while someone waits (a Twilio Verify code check, a call's status) runs on
threads of its own (PROVIDER_CHECK_WORKERS); the answer waits for it on the event loop until a
fixed deadline and not a moment past it, so a slow provider neither shows in the timing nor holds
the server's threads (issue 17 #5).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, TypeVar

import sqlalchemy as sa
from anyio import to_thread

from contact_rules import mask_phone, phone_kind

from .audit import AuditLog
from .clock import Clock
from .metrics import Metrics
from .notices import sms_code
from .outbox import Outbox
from .ports import AccountSource, CallingVerifier, CallStatus, ExternalVerifier, ProviderError, SmsSender, VoiceSender
from .settings import Settings
from .storage import attestation_nonces, lock_keys, tokens, verifications, voice_calls
from .voice import call_text, not_callable

log = logging.getLogger("recovery_backend.verification")
Answer = TypeVar("Answer")


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class NotCallable(Exception):
    """A number we never call (foreign, premium, special-rate), or no VOICE_SENDER here; said the
    same way whether or not the number has an account."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Every call start takes this lock too (PostgreSQL), so parallel starts cannot all pass the global budget.
CALL_BUDGET_KEY = hashlib.sha256(b"call budget").hexdigest()


@dataclass(frozen=True)
class Started:
    verification_id: str
    expires_in: int
    resend_after: int


@dataclass(frozen=True)
class TokenGrant:
    """What a valid token allows: one account, from one conversation on one channel."""
    token_hash: str
    account_id: int
    channel: str
    expires_at: datetime


@dataclass(frozen=True)
class CheckResult:
    verified: bool
    tries_left: int = 0
    reason: Optional[str] = None
    token: Optional[str] = None
    token_expires_in: int = 0


def _utc(moment: datetime) -> datetime:
    """Datetimes read back from SQLite lose their offset; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def normalise_code(text: str) -> str:
    """"１２３ ４５６" and "123-456" as typed on phones become "123456" (NFKC folds full-width digits)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if not ch.isspace() and ch != "-")




class VerificationService:
    def __init__(self, engine: sa.Engine, settings: Settings, clock: Clock, accounts: AccountSource,
                 delivery: SmsSender | ExternalVerifier, outbox: Outbox, audit: AuditLog | None = None,
                 voice: VoiceSender | CallingVerifier | None = None, metrics: Metrics | None = None):
        self._engine, self._settings, self._clock, self._audit = engine, settings, clock, audit
        self._accounts, self._delivery, self._outbox = accounts, delivery, outbox
        self._voice, self._metrics = voice, metrics
        # A gateway that sends our text gets our code (services.py hands each outbox kind to its port).
        self._external = not isinstance(delivery, SmsSender)
        self._voice_external = voice is not None and not isinstance(voice, VoiceSender)
        # Providers that are asked for a call's status while the assistant waits (the others report it
        # by callback or, in development, at once): such answers all wait for one deadline.
        self._status_asked = settings.voice_sender in ("serwersms", "twilio_verify")
        self._padded = self._external or self._voice_external
        self._asking = ThreadPoolExecutor(max(settings.provider_check_workers, 1), thread_name_prefix="provider-ask")

    def close(self) -> None:
        """Questions not yet asked are dropped; those under way end within their HTTP timeouts."""
        self._asking.shutdown(wait=False, cancel_futures=True)

    def _provider_until(self, deadline: float) -> float:
        # The provider gets the deadline less a margin in which the outcome is written, so that an
        # answer Twilio never gave in time still leaves at the deadline, as everyone else's does.
        return deadline - min(0.05, self._settings.external_check_deadline_seconds / 10)

    async def _answer_by(self, asked: Future[Answer], until: float, fallback: Answer) -> Answer:
        """The provider's answer if it came by `until`, else `fallback` (the question is dropped if it
        still waits for a thread)."""
        waiting = asyncio.wrap_future(asked)
        # Its outcome is read from `asked`; reading it here too keeps asyncio from logging a late
        # failure as "never retrieved".
        waiting.add_done_callback(lambda done: done.cancelled() or done.exception())
        await asyncio.wait({waiting}, timeout=max(until - time.monotonic(), 0))
        if not asked.done():
            asked.cancel()
            log.warning("provider did not answer by the deadline")
            return fallback
        try:
            return asked.result()
        except ProviderError as error:
            log.error("question to the provider failed", extra={"error": str(error)[:200]})
        except Exception:  # a 500 only for numbers that ask the provider would tell them apart
            log.exception("question to the provider crashed")
        return fallback

    async def _until(self, deadline: float) -> None:
        # On the event loop, not a thread: a waiting answer holds nothing.
        await asyncio.sleep(max(deadline - time.monotonic(), 0))

    def _hash(self, value: str) -> str:
        return hmac.new(self._settings.code_key, value.encode(), hashlib.sha256).hexdigest()

    def _check_limits(self, db: sa.Connection, phone_hash: str, conversation_hash: str, client_hash: str) -> None:
        """Limits counted alike for every number, registered or not, so they reveal nothing. The caller
        holds the number's, the conversation's and the client's locks (lock_keys).

        Wrong codes and sends count against who asked first — the client (the channel's client key,
        else the conversation) and the conversation — and a number only gets a daily total from all
        clients together: strangers' wrong guesses never lock a number, and one client cannot use up
        a number's sends (issue 17 #2; the trade-off is in docs/security.md)."""
        now, s = self._clock.now(), self._settings
        hour_ago, day_ago = now - timedelta(hours=1), now - timedelta(days=1)
        mine = db.execute(sa.select(verifications.c.created_at, verifications.c.conversation_hash).where(
            verifications.c.created_at > day_ago, verifications.c.wrong_tries >= s.max_wrong_tries,
            sa.or_(verifications.c.client_hash == client_hash, verifications.c.conversation_hash == conversation_hash),
        ).order_by(verifications.c.created_at)).all()
        for burned, allowed in (([_utc(m) for m, _c in mine], s.burned_codes_before_lock),
                                ([_utc(m) for m, c in mine if c == conversation_hash], s.burned_codes_per_conversation)):
            if len(burned) >= allowed:
                raise RateLimited(int((burned[-allowed] + timedelta(days=1) - now).total_seconds()) + 1)
        today = db.execute(sa.select(verifications.c.created_at, verifications.c.client_hash).where(
            verifications.c.phone_hash == phone_hash, verifications.c.created_at > day_ago,
        ).order_by(verifications.c.created_at)).all()
        moments = [_utc(moment) for moment, _client in today]
        by_client = [_utc(moment) for moment, client in today if client == client_hash]
        recent = [moment for moment in by_client if moment > hour_ago]
        if moments and (now - moments[-1]).total_seconds() < s.resend_cooldown_seconds:
            raise RateLimited(int(s.resend_cooldown_seconds - (now - moments[-1]).total_seconds()) + 1)
        if len(recent) >= s.sends_per_number_per_hour:
            raise RateLimited(int((recent[0] + timedelta(hours=1) - now).total_seconds()) + 1)
        if len(by_client) >= s.sends_per_number_per_day:
            raise RateLimited(int((by_client[0] + timedelta(days=1) - now).total_seconds()) + 1)
        if len(moments) >= s.sends_per_number_per_day_all_clients:
            raise RateLimited(int((moments[-s.sends_per_number_per_day_all_clients] + timedelta(days=1) - now)
                                  .total_seconds()) + 1)
        per_conversation = db.execute(sa.select(sa.func.count()).select_from(verifications).where(
            verifications.c.conversation_hash == conversation_hash, verifications.c.created_at > hour_ago,
        )).scalar_one()
        if per_conversation >= s.starts_per_conversation_per_hour:
            raise RateLimited(3600)

    def client_hash(self, client_key: Optional[str], conversation_id: str) -> str:
        return self._hash(f"client:{client_key}" if client_key else f"conversation:{conversation_id}")

    def start(self, phone_e164: str, conversation_id: str, channel: str, attested: bool = False,
              delivery: str = "sms", language: str = "pl", client_key: Optional[str] = None) -> Started:
        s, now = self._settings, self._clock.now()
        call, spoken = delivery == "call", language
        if call:
            # From the number alone, before anything is looked up or counted: nothing told about an account.
            if self._voice is None:
                raise NotCallable("calls_unavailable")
            spoken = language if language in self._voice.languages else "pl"
            refused = not_callable(phone_e164, s.call_countries)
            if refused:
                log.info("call refused", extra={"phone": mask_phone(phone_e164), "reason": refused})
                raise NotCallable(refused)
        # Only the local, persisted phone index: no account source call on the request path (issue 9 H1).
        account_id = self._accounts.account_id_for_phone(phone_e164)
        # A call reaches any callable number; an SMS only a mobile (a landline never verifies by SMS).
        deliverable = account_id is not None and (call or phone_kind(phone_e164) == "mobile")
        external = self._voice_external if call else self._external
        code = f"{secrets.randbelow(10**6):06d}"  # drawn for every number: the same work either way
        verification_id = secrets.token_urlsafe(24)
        phone_hash, conversation_hash = self._hash(phone_e164), self._hash(conversation_id)
        client_hash = self.client_hash(client_key, conversation_id)
        with self._engine.begin() as db:
            # One start per number (and per conversation and client) at a time, so parallel requests cannot
            # all pass the cooldown and the caps before any of them is recorded.
            lock_keys(db, phone_hash, conversation_hash, client_hash, *([CALL_BUDGET_KEY] if call else []))
            # Attested starts count against the same limits (issue 9 M3): no master key for any phone.
            self._check_limits(db, phone_hash, conversation_hash, client_hash)
            if call:
                self._check_call_caps(db, phone_hash, conversation_hash, phone_e164)
            db.execute(verifications.insert().values(
                id=verification_id, phone_hash=phone_hash,
                account_id=account_id if deliverable else None,
                conversation_hash=conversation_hash, client_hash=client_hash, channel=channel[:30],
                code_hash=None if external else self._hash(f"{verification_id}:{code}"),
                external=external, attested=attested, delivery=delivery,
                provider_phone=phone_e164 if (external and deliverable) else None, created_at=now,
                expires_at=now + timedelta(seconds=s.code_ttl_seconds), wrong_tries=0, used=False))
            if call:
                db.execute(voice_calls.insert().values(verification_id=verification_id, placed=deliverable,
                                                       status="calling", created_at=now, updated_at=now))
            if not attested:
                # In the same transaction: the SMS (call) exists exactly when the verification does. Numbers
                # that get none get a row of kind "none" with the same content, so every start does the same
                # work here and in the workers (timing, issue 9 H1).
                if call:
                    kind = ("verify_call" if external else "call") if deliverable else "none"
                    message = {"text": call_text(code, spoken), "language": spoken, "verification_id": verification_id}
                else:
                    kind = ("verify_start" if external else "sms") if deliverable else "none"
                    message = {"text": sms_code(code, s.code_ttl_seconds // 60, language)}
                self._outbox.add(db, kind, phone_e164, message, timedelta(seconds=s.code_ttl_seconds - 60))
        log.info("verification started", extra={"phone": mask_phone(phone_e164), "channel": channel,
                                                  "attested": attested, "delivery": delivery})
        return Started(verification_id, s.code_ttl_seconds, s.resend_cooldown_seconds)

    def _check_call_caps(self, db: sa.Connection, phone_hash: str, conversation_hash: str, phone_e164: str) -> None:
        """Calls cost several SMS: caps per number, per conversation and for everyone together, counted
        for every call start alike (placed or not). The caller holds CALL_BUDGET_KEY."""
        s, now = self._settings, self._clock.now()
        day_ago = now - timedelta(days=1)
        calls = sa.select(verifications.c.created_at).where(verifications.c.delivery == "call",
                                                            verifications.c.created_at > day_ago)
        for cap, where, limit in (
                ("number", verifications.c.phone_hash == phone_hash, s.calls_per_number_per_day),
                ("conversation", verifications.c.conversation_hash == conversation_hash,
                 s.calls_per_conversation_per_day),
                ("daily_budget", sa.true(), s.call_budget_per_day)):
            moments = db.execute(calls.where(where).order_by(verifications.c.created_at).limit(limit)).scalars().all()
            if len(moments) >= limit:
                log.warning("call cap reached", extra={"cap": cap, "phone": mask_phone(phone_e164)})
                if self._metrics is not None:
                    self._metrics.call_caps_hit.labels(cap).inc()
                raise RateLimited(int((_utc(moments[0]) + timedelta(days=1) - now).total_seconds()) + 1)

    # --- what became of a call ----------------------------------------------------------------
    def record_call_placed(self, verification_id: str, reference: str) -> None:
        with self._engine.begin() as db:
            db.execute(voice_calls.update().where(voice_calls.c.verification_id == verification_id).values(
                provider_ref=reference[:64], updated_at=self._clock.now()))

    def record_call_status(self, reference: str, status: CallStatus) -> bool:
        """A provider's report (callback) on the call it knows by `reference`; False when unknown."""
        if status == "calling":
            return False
        with self._engine.begin() as db:
            return db.execute(voice_calls.update().where(
                voice_calls.c.provider_ref == reference[:64], voice_calls.c.status == "calling",
            ).values(status=status, updated_at=self._clock.now())).rowcount == 1

    async def call_status(self, verification_id: str) -> Optional[str]:
        """calling | answered | busy | no_answer | failed; None when no call was started under this id.
        A number that got no call (no account) reports no_answer once a real call would have stopped
        ringing, as does a call the provider never took; with providers that are asked, every answer
        comes at the deadline, "calling" when the provider had not answered by then."""
        deadline = time.monotonic() + self._settings.external_check_deadline_seconds
        status, reference = await to_thread.run_sync(self._known_call_status, verification_id)
        # A reference exists only for a call a VOICE_SENDER placed; with none configured since, nobody is asked.
        if reference is not None and self._voice is not None:
            status = await self._answer_by(self._asking.submit(self._voice.call_status, reference),
                                           self._provider_until(deadline), "calling")
            if status != "calling":
                await to_thread.run_sync(self.record_call_status, reference, status)
        if self._status_asked:
            await self._until(deadline)
        return status

    def _known_call_status(self, verification_id: str) -> tuple[Optional[str], Optional[str]]:
        """The status known here, or ("calling", the provider's reference) when the provider is to be asked."""
        now = self._clock.now()
        with self._engine.connect() as db:
            row = db.execute(sa.select(voice_calls).where(voice_calls.c.verification_id == verification_id)) \
                .mappings().first()
        if row is None:
            return None, None
        if row["status"] != "calling":
            return row["status"], None
        if not row["provider_ref"]:
            rang_out = now >= _utc(row["created_at"]) + timedelta(seconds=self._settings.call_ring_seconds)
            return ("no_answer" if rang_out else "calling"), None
        return "calling", row["provider_ref"]

    async def check(self, verification_id: str, code: str) -> CheckResult:
        """With Twilio Verify only verifications of registered mobiles ask Twilio; every answer that
        counted a try comes at the deadline, however slowly Twilio answers, so that its timing doesn't
        tell which (issue 9 H2, issue 17 #5). A code whose tries are spent (or expired, or unknown)
        counts none and is answered at once, without asking Twilio: that is the same for every number."""
        deadline = time.monotonic() + self._settings.external_check_deadline_seconds
        counted = await to_thread.run_sync(self._count_try, verification_id)
        if isinstance(counted, CheckResult):
            return counted
        row, tries = counted
        asked = self._ask_provider(row, code)
        right = (self._locally_right(row, code) if asked is None
                 else await self._answer_by(asked, self._provider_until(deadline), False))
        result = await to_thread.run_sync(self._outcome, row, tries, right)
        if self._padded:
            await self._until(deadline)
        return result

    def _count_try(self, verification_id: str) -> CheckResult | tuple[sa.RowMapping, int]:
        """(the verification, tries counted) when this check counts a try, else the final answer."""
        s, now = self._settings, self._clock.now()
        # The try is counted first, by one conditional UPDATE: of any number of parallel guesses at
        # most max_wrong_tries get past this line, on SQLite and PostgreSQL alike.
        with self._engine.begin() as db:
            counted = db.execute(verifications.update().where(
                verifications.c.id == verification_id, verifications.c.used.is_(False),
                verifications.c.attested.is_(False), verifications.c.expires_at > now,
                verifications.c.wrong_tries < s.max_wrong_tries,
            ).values(wrong_tries=verifications.c.wrong_tries + 1).returning(*verifications.c)).mappings().first()
            if counted is not None:
                return counted, counted["wrong_tries"]
            row = db.execute(sa.select(verifications).where(verifications.c.id == verification_id)).mappings().first()
        if row is not None and not row["used"] and not row["attested"] and now < _utc(row["expires_at"]):
            return CheckResult(False, 0, "too_many_tries")
        return CheckResult(False, 0, "expired")

    def _outcome(self, row: sa.RowMapping, tries: int, right: bool) -> CheckResult:
        s, verification_id = self._settings, row["id"]
        right = right and row["account_id"] is not None
        if right:
            with self._engine.begin() as db:
                # The right code gives its try back; `used` flips once, so a code is single use.
                won = db.execute(verifications.update().where(
                    verifications.c.id == verification_id, verifications.c.used.is_(False),
                ).values(used=True, wrong_tries=verifications.c.wrong_tries - 1)).rowcount == 1
                token = self._issue_token(db, row) if won else None
            if token:
                log.info("verification succeeded", extra={"channel": row["channel"]})
                return CheckResult(True, token=token, token_expires_in=s.token_ttl_seconds)
            return CheckResult(False, 0, "expired")
        left = max(s.max_wrong_tries - tries, 0)
        if left == 0:
            self._note_burned(row)
        return CheckResult(False, left, "wrong_code" if left else "too_many_tries")

    def _note_burned(self, row: sa.RowMapping) -> None:
        """A code used up its tries: that counts against its client and conversation (_check_limits).
        A number is never locked by it; when burned_codes_before_lock of its codes burned within a
        day (for every number alike), staff are alerted: someone is guessing at that number."""
        s, now = self._settings, self._clock.now()
        with self._engine.connect() as db:
            burned = db.execute(sa.select(sa.func.count()).select_from(verifications).where(
                verifications.c.phone_hash == row["phone_hash"], verifications.c.created_at > now - timedelta(days=1),
                verifications.c.wrong_tries >= s.max_wrong_tries)).scalar_one()
        if burned == s.burned_codes_before_lock and self._audit is not None:
            log.warning("repeated wrong codes for one number",
                        extra={"phone_hash": row["phone_hash"][:12], "burned_codes": burned})
            self._audit.record("number_codes_burned", row["channel"], row["account_id"],
                               f"{burned} codes used up their tries within 24 h; their clients are refused, "
                               "the number is not locked")

    def _locally_right(self, row: sa.RowMapping, code: str) -> bool:
        """Our own codes, and a Twilio code that Twilio approved after its deadline (remembered hashed)."""
        code = normalise_code(code)
        if not (code.isascii() and code.isdigit() and len(code) == 6) or row["code_hash"] is None:
            return False
        return hmac.compare_digest(row["code_hash"], self._hash(f"{row['id']}:{code}"))

    def _ask_provider(self, row: sa.RowMapping, code: str) -> Optional[Future[bool]]:
        """The provider's check of a well-formed code for a verification it holds (a registered number's),
        on the provider threads; None when the provider is not asked."""
        code = normalise_code(code)
        if not (row["external"] and row["provider_phone"] and row["code_hash"] is None
                and code.isascii() and code.isdigit() and len(code) == 6):
            return None
        return self._asking.submit(self._check_at_provider, row, code)

    def _check_at_provider(self, row: sa.RowMapping, code: str) -> bool:
        """Twilio approves a code once and forgets it (a second check is a 404): an approval is kept
        (hashed), so that when it came after the deadline, and the customer was told "wrong code",
        the same code typed again verifies without asking Twilio."""
        provider = self._voice if row["delivery"] == "call" else self._delivery
        if not isinstance(provider, ExternalVerifier):  # the verifier was configured away since the start
            raise ProviderError(f"the {row['delivery']} provider now configured checks no codes of its own")
        approved = provider.check(row["provider_phone"], code) is True
        if approved:
            with self._engine.begin() as db:
                db.execute(verifications.update().where(
                    verifications.c.id == row["id"], verifications.c.used.is_(False),
                    verifications.c.code_hash.is_(None),
                ).values(code_hash=self._hash(f"{row['id']}:{code}")))
        return approved

    def token_for_attested(self, verification_id: str) -> CheckResult:
        now = self._clock.now()
        with self._engine.begin() as db:
            row = db.execute(sa.select(verifications).where(verifications.c.id == verification_id)).mappings().first()
            if row is None or not row["attested"] or row["used"] or row["account_id"] is None:
                return CheckResult(False, 0, "not_verified")
            expires_at = _utc(row["expires_at"])
            if now >= expires_at:
                return CheckResult(False, 0, "not_verified")
            db.execute(verifications.update().where(verifications.c.id == verification_id).values(used=True))
            token = self._issue_token(db, row)
        return CheckResult(True, token=token, token_expires_in=self._settings.token_ttl_seconds)

    def spend_nonce(self, nonce: str) -> Optional[str]:
        """None the first time a connector proof's nonce is seen, else why it is refused."""
        now = self._clock.now()
        try:
            with self._engine.begin() as db:
                db.execute(attestation_nonces.delete().where(attestation_nonces.c.seen_at < now - timedelta(days=1)))
                db.execute(attestation_nonces.insert().values(nonce_hash=self._hash(f"nonce:{nonce}"), seen_at=now))
        except sa.exc.IntegrityError:
            return "nonce already used"
        return None

    def _issue_token(self, db: sa.Connection, verification: sa.RowMapping) -> str:
        token = secrets.token_urlsafe(32)
        db.execute(tokens.insert().values(
            token_hash=self._hash(token), account_id=verification["account_id"], channel=verification["channel"],
            conversation_hash=verification["conversation_hash"], revoked=False,
            expires_at=self._clock.now() + timedelta(seconds=self._settings.token_ttl_seconds)))
        return token

    def grant_for_token(self, token: str, conversation_id: Optional[str],
                        channel: Optional[str] = None) -> Optional[TokenGrant]:
        """The grant of a live token used from its own conversation (and channel, when given), else None."""
        now = self._clock.now()
        with self._engine.connect() as db:
            row = db.execute(sa.select(tokens).where(tokens.c.token_hash == self._hash(token or ""))).mappings().first()
        if row is None or row["revoked"] or now >= _utc(row["expires_at"]):
            return None
        if conversation_id is not None and not hmac.compare_digest(row["conversation_hash"] or "",
                                                                   self._hash(conversation_id)):
            return None
        if channel is not None and channel[:30] != row["channel"]:
            return None
        return TokenGrant(row["token_hash"], row["account_id"], row["channel"], _utc(row["expires_at"]))

    def grant_for_correction(self, token: str, conversation_id: str) -> Optional[TokenGrant]:
        """The grant of a token spent on an e-mail change (revoked), still within its lifetime and used
        from its own conversation: it may only correct that change (recovery.correct_email_change)."""
        now = self._clock.now()
        with self._engine.connect() as db:
            row = db.execute(sa.select(tokens).where(tokens.c.token_hash == self._hash(token or ""))).mappings().first()
        if row is None or now >= _utc(row["expires_at"]) or not hmac.compare_digest(
                row["conversation_hash"] or "", self._hash(conversation_id or "")):
            return None
        return TokenGrant(row["token_hash"], row["account_id"], row["channel"], _utc(row["expires_at"]))

    def use_token(self, grant: TokenGrant, counter: str, limit: int) -> Optional[int]:
        """Counts one use of `counter` on the token with one conditional UPDATE, so parallel calls
        cannot pass the cap; returns the uses left after this one, or None when the cap was reached."""
        column = tokens.c[counter]
        with self._engine.begin() as db:
            counted = db.execute(tokens.update().where(tokens.c.token_hash == grant.token_hash, column < limit)
                                 .values({counter: column + 1}).returning(column)).scalar()
        return None if counted is None else limit - counted

    def revoke(self, grant: TokenGrant) -> None:
        with self._engine.begin() as db:
            db.execute(tokens.update().where(tokens.c.token_hash == grant.token_hash).values(revoked=True))

    def seconds_left(self, grant: TokenGrant) -> int:
        return max(int((grant.expires_at - self._clock.now()).total_seconds()) + 1, 1)
