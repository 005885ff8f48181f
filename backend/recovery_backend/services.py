"""The backend's parts, built once from the settings and shared by every route; their
background work (outbox workers, due e-mail changes, the WHMCS index sync) starts and stops here."""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from .accounts import fixture_emails, load_fixture
from .audit import AuditLog
from .cases import CaseService
from .clock import Clock
from .documents import load_documents
from .handovers import AssistantPush, HandoverService
from .metrics import Metrics
from .office_hours import OfficeHours
from .outbox import Message, Outbox
from .ports import Account, AccountSource, ExternalVerifier, ProviderError, SmsSender, SyncedAccountSource, VoiceSender
from .rate_limits import RateLimits
from .recovery import RecoveryService
from .sealing import sealer_for
from .settings import DEMO_FIXTURE, Settings, secret
from .storage import accounts as accounts_table
from .storage import create_engine, persistent_secret
from .verification import VerificationService
from .wiring import account_source, email_sender, human_inbox, sms_delivery, voice_delivery

log = logging.getLogger("recovery_backend.services")


class QueuedEmail:
    """The services' EmailSender: every mail leaves through the durable outbox."""

    def __init__(self, outbox: Outbox):
        self._outbox = outbox

    def send(self, to: str, subject: str, body: str) -> None:
        self._outbox.send_email(to, subject, body)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: sa.Engine
    hours: OfficeHours
    documents: dict[str, Any]
    audit: AuditLog
    cases: CaseService
    metrics: Metrics
    outbox: Outbox
    accounts: AccountSource
    verification: VerificationService
    recovery: RecoveryService
    limits: RateLimits
    handovers: HandoverService
    stopping: threading.Event = dataclasses.field(default_factory=threading.Event)

    def start(self) -> None:
        self.outbox.start(legacy_secret=self.settings.code_key)
        self.cases.reseal_callbacks()
        threading.Thread(target=self._apply_due_changes, name="email-changes", daemon=True).start()
        if isinstance(self.accounts, SyncedAccountSource):
            self.accounts.start_sync(self.settings.index_sync_seconds)
        self.handovers.watch(min(5.0, max(0.2, self.settings.handover_pickup_seconds / 5)))

    def stop(self) -> None:
        self.stopping.set()
        self.handovers.stop()
        self.outbox.stop()
        self.verification.close()
        if isinstance(self.accounts, SyncedAccountSource):
            self.accounts.stop_sync()

    def _apply_due_changes(self) -> None:
        # E-mail changes whose waiting period ended (EMAIL_CHANGE_DELAY_HOURS) apply here.
        while not self.stopping.wait(30):
            try:
                self.recovery.apply_due_changes()
            except Exception as error:
                log.warning("applying due e-mail changes failed", extra={"error": type(error).__name__})


def build_services(settings: Settings) -> Services:
    clock = Clock(settings.pinned_now)
    engine = create_engine(settings.database_url)
    if settings.code_secret is None:
        made_once = persistent_secret(engine, "code_hmac").decode()
        settings = settings.model_copy(update={"code_secret": SecretStr(made_once)})
    if settings.accounts_fixture and settings.environment == "development":
        count = load_fixture(engine, settings.accounts_fixture)
        log.info("accounts added from fixture", extra={"count": count, "fixture": settings.accounts_fixture.name})
    if settings.environment == "production" and demo_accounts_present(engine):
        raise SystemExit("RECOVERY_ENV=production refuses to start: the database holds the demo accounts "
                         f"of {DEMO_FIXTURE.name}; use a production database")
    hours = OfficeHours(settings.extra_closed_dates)
    audit = AuditLog(engine, clock)
    sealer = sealer_for(settings.code_key, settings.seal_keys)
    documents = load_documents(settings.documents_file)
    cases = CaseService(engine, clock, hours, settings.cases_per_conversation_per_day, sealer, documents)
    sms = sms_delivery(settings)
    voice = voice_delivery(settings)
    direct_email = email_sender(settings)
    metrics = Metrics()
    limits = RateLimits(settings.rate_limit_storage, settings.rate_limit_key_prefix, settings.code_key, {
        "start.client": settings.start_limits_per_client, "start.global": settings.start_limits_global,
        "check.client": settings.check_limits_per_client, "check.global": settings.check_limits_global,
        "case.client": settings.case_limits_per_client, "case.global": settings.case_limits_global,
    }, settings.sms_daily_budget)

    def within_budget(send: Callable[[Message], None]) -> Callable[[Message], None]:
        def budgeted(message: Message) -> None:
            if not limits.spend_sms():
                # Retried with backoff like any refusal, until the message is useless (a code: when it expires).
                raise ProviderError("the daily SMS budget (SMS_DAILY_BUDGET) is spent")
            send(message)
        return budgeted

    verification: VerificationService  # the call senders record the provider's reference through it

    # Each kind goes to the port that can send it. A row of a kind the configured provider cannot
    # send (an SMS text with Twilio Verify, which sends only its own codes; or a row queued under an
    # earlier SMS_SENDER/VOICE_SENDER) fails like any refused send, retried until it is useless.
    def send_text(message: Message) -> None:
        if not isinstance(sms, SmsSender):
            raise ProviderError(f"SMS_SENDER={settings.sms_sender} sends no text of ours")
        sms.send_text(message["to"], message["text"])

    def start_verify(message: Message) -> None:
        if not isinstance(sms, ExternalVerifier):
            raise ProviderError(f"SMS_SENDER={settings.sms_sender} draws no codes of its own")
        sms.start(message["to"])

    def place_call(message: Message) -> None:
        if not isinstance(voice, VoiceSender):
            raise ProviderError(f"VOICE_SENDER={settings.voice_sender} reads no text of ours")
        reference = voice.call(message["to"], message["text"], message["language"])
        verification.record_call_placed(message["verification_id"], reference)

    def start_verify_call(message: Message) -> None:
        if not isinstance(voice, ExternalVerifier):
            raise ProviderError(f"VOICE_SENDER={settings.voice_sender} draws no codes of its own")
        verification.record_call_placed(message["verification_id"],
                                        voice.start(message["to"], channel="call", locale=message["language"]))

    outbox = Outbox(engine, clock, sealer, audit, {
        "sms": within_budget(send_text),
        "verify_start": within_budget(start_verify),
        "call": place_call,
        "verify_call": start_verify_call,
        "none": lambda message: None,
        "email": lambda message: direct_email.send(message["to"], message["subject"], message["body"]),
    }, workers=settings.outbox_workers, backoff=settings.outbox_backoff_seconds, metrics=metrics)
    email = QueuedEmail(outbox)

    def staff_ticket(account: Account | None, subject: str, message: str) -> str:
        opened = cases.open("human_handoff", account.type if account else None, None, None, "backend",
                            f"staff-{subject}", f"{subject}: {message}", from_conversation=False)
        return opened.case_number

    accounts = account_source(settings, engine, email, staff_ticket)
    verification = VerificationService(engine, settings, clock, accounts, sms, outbox, audit, voice=voice, metrics=metrics)
    return Services(
        settings=settings, clock=clock, engine=engine, hours=hours, documents=documents,
        audit=audit, cases=cases, metrics=metrics, outbox=outbox, accounts=accounts,
        verification=verification,
        recovery=RecoveryService(engine, settings, clock, accounts, email, audit, sms=outbox.send_sms),
        limits=limits, handovers=HandoverService(
            engine, clock, hours, human_inbox(settings),
            AssistantPush(settings.assistant_push_url, secret(settings.assistant_push_token))
            if settings.assistant_push_url else None, settings.handover_pickup_seconds))


def demo_accounts_present(engine: sa.Engine) -> bool:
    with engine.connect() as db:
        emails = {email.lower() for email in db.execute(sa.select(accounts_table.c.email)).scalars()}
    return bool(emails & fixture_emails(DEMO_FIXTURE))
