"""Every setting of the backend: one typed class, read once from the environment at start.

Each field names its variable, its default and what it means; backend/README.md's table is
generated from them (`make settings-tables`), so the class is the only place to change one.
A wrong value stops the start with every problem named, by variable.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO / "backend"
DEMO_FIXTURE = BACKEND_DIR / "fixtures" / "demo-accounts.yml"
log = logging.getLogger("recovery_backend.settings")


def setting(default: Any, variable: str, meaning: str, shown: Optional[str] = None) -> Any:
    """A field read from `variable`; `shown` is the default as the table writes it, when the value
    itself would mislead (a path on this machine, a default that depends on another setting)."""
    return Field(default, validation_alias=variable, description=meaning,
                 json_schema_extra={"shown_default": shown} if shown is not None else None)


# Secrets each choice needs; a missing one stops the start with its name.
PROVIDER_SECRETS = {
    ("sms_sender", "smsapi"): ("smsapi_token",),
    ("sms_sender", "serwersms"): ("serwersms_token",),
    ("sms_sender", "twilio_verify"): ("twilio_account_sid", "twilio_auth_token", "twilio_verify_service_sid"),
    ("voice_sender", "smsapi"): ("smsapi_token", "voice_callback_secret"),
    ("voice_sender", "serwersms"): ("serwersms_token",),
    ("voice_sender", "twilio_verify"): ("twilio_account_sid", "twilio_auth_token", "twilio_verify_service_sid"),
    ("account_source", "whmcs"): ("whmcs_url", "whmcs_identifier", "whmcs_secret"),
    ("human_inbox", "chatwoot"): ("chatwoot_url", "chatwoot_api_token", "chatwoot_account_id", "chatwoot_inbox_id",
                                  "chatwoot_webhook_secret", "assistant_push_url", "assistant_push_token"),
}


UNUSED = "empty (unused while HUMAN_INBOX=none)"


def secret(value: Optional[SecretStr]) -> str:
    return value.get_secret_value() if value is not None else ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", populate_by_name=True,
                                      case_sensitive=True)

    environment: Literal["development", "production"] = setting(
        "development", "RECOVERY_ENV",
        "`production` refuses to start with demo data, development senders or missing secrets, naming each; "
        "ignores RECOVERY_NOW")
    host: str = setting("127.0.0.1", "BACKEND_HOST", "where the HTTP API listens")
    port: int = setting(8000, "BACKEND_PORT", "the HTTP API's port")
    api_key: SecretStr = setting(..., "BACKEND_API_KEY",
                                 "key of the action server (`X-API-Key`), 16+ characters",
                                 shown="— (required)")
    staff_key: Optional[SecretStr] = setting(None, "BACKEND_STAFF_KEY",
                                             "key of staff tools (listing cases); unset = no staff access")
    database_url: str = setting(f"sqlite:///{REPO / 'var' / 'backend.sqlite3'}", "DATABASE_URL",
                                "SQLite file or `postgresql+psycopg://…`", shown="`sqlite:///<repo>/var/backend.sqlite3`")
    accounts_fixture: Optional[Path] = setting(
        None, "ACCOUNTS_FIXTURE",
        "development only: YAML accounts added at start when missing, never overwriting; relative to the "
        "repository root or the working directory (`make run` sets the demo fixture)")
    account_source: Literal["local", "whmcs"] = setting("local", "ACCOUNT_SOURCE",
                                                        "`local` (this database) or `whmcs`")
    whmcs_url: str = setting("", "WHMCS_URL", "the WHMCS API (ACCOUNT_SOURCE=whmcs: required)")
    whmcs_identifier: Optional[SecretStr] = setting(None, "WHMCS_IDENTIFIER",
                                                    "WHMCS API credential (ACCOUNT_SOURCE=whmcs: required)")
    whmcs_secret: Optional[SecretStr] = setting(None, "WHMCS_SECRET",
                                                "WHMCS API credential (ACCOUNT_SOURCE=whmcs: required)")
    human_inbox: Literal["none", "chatwoot"] = setting(
        "none", "HUMAN_INBOX",
        "where staff work on conversations: `chatwoot` (live hand-over in office hours, cases as Chatwoot "
        "conversations; docs/chatwoot.md) or `none` (cases in the staff API, WHMCS tickets with ACCOUNT_SOURCE=whmcs)")
    chatwoot_url: str = setting("", "CHATWOOT_URL", "the Chatwoot server, e.g. `https://chat.example.pl` "
                                "(HUMAN_INBOX=chatwoot: required)", shown=UNUSED)
    chatwoot_api_token: Optional[SecretStr] = setting(None, "CHATWOOT_API_TOKEN",
                                                      "an agent's or agent bot's access token (`api_access_token`)", shown=UNUSED)
    chatwoot_account_id: Optional[int] = setting(None, "CHATWOOT_ACCOUNT_ID", "the Chatwoot account's number", shown=UNUSED)
    chatwoot_inbox_id: Optional[int] = setting(None, "CHATWOOT_INBOX_ID",
                                               "the API-channel inbox the conversations are opened in", shown=UNUSED)
    chatwoot_webhook_secret: Optional[SecretStr] = setting(
        None, "CHATWOOT_WEBHOOK_SECRET",
        "the secret of the Chatwoot webhook (message_created, conversation_status_changed) that posts to "
        "`/chatwoot/webhook`: unsigned or wrongly signed deliveries are refused", shown=UNUSED)
    handover_pickup_seconds: float = setting(
        300.0, "HANDOVER_PICKUP_SECONDS",
        "a live hand-over no agent answered within this is offered as a case to the customer")
    assistant_push_url: str = setting(
        "", "ASSISTANT_PUSH_URL",
        "Rasa's hand-over channel, where agents' replies go to the customer (`http://RASA/webhooks/handover/push`)", shown=UNUSED)
    assistant_push_token: Optional[SecretStr] = setting(
        None, "HANDOVER_PUSH_TOKEN", "shared with Rasa's hand-over channel (16+ characters)", shown=UNUSED)
    index_sync_seconds: float = setting(60.0, "WHMCS_SYNC_SECONDS",
                                        "how often new WHMCS clients are added to the phone index (full rebuild hourly)")
    index_max_age_seconds: float = setting(3 * 3600.0, "INDEX_MAX_AGE_SECONDS",
                                           "a phone index older than this makes /readyz say not ready")
    sms_sender: Literal["outbox", "smsapi", "serwersms", "twilio_verify"] = setting(
        "outbox", "SMS_SENDER", "`outbox`, `smsapi`, `serwersms` or `twilio_verify`")
    sms_outbox: Path = setting(REPO / "var" / "sms-outbox.jsonl", "SMS_OUTBOX",
                               "file the outbox SMS sender appends to", shown="`<repo>/var/sms-outbox.jsonl`")
    smsapi_token: Optional[SecretStr] = setting(None, "SMSAPI_TOKEN", "SMSAPI.pl token (SMS_SENDER=smsapi: required)")
    smsapi_sender: Optional[str] = setting(None, "SMSAPI_SENDER", "SMSAPI.pl sender name")
    smsapi_base_url: str = setting("https://api.smsapi.pl", "SMSAPI_BASE_URL", "SMSAPI.pl address")
    serwersms_token: Optional[SecretStr] = setting(None, "SERWERSMS_TOKEN",
                                                   "SerwerSMS token (SMS_SENDER=serwersms: required)")
    serwersms_sender: Optional[str] = setting(None, "SERWERSMS_SENDER", "SerwerSMS sender name")
    serwersms_base_url: str = setting("https://api2.serwersms.pl", "SERWERSMS_BASE_URL", "SerwerSMS address")
    twilio_account_sid: str = setting("", "TWILIO_ACCOUNT_SID", "Twilio Verify account (SMS_SENDER=twilio_verify: required)")
    twilio_auth_token: Optional[SecretStr] = setting(None, "TWILIO_AUTH_TOKEN",
                                                     "Twilio Verify token (SMS_SENDER=twilio_verify: required)")
    twilio_verify_service_sid: str = setting("", "TWILIO_VERIFY_SERVICE_SID",
                                             "Twilio Verify service (SMS_SENDER=twilio_verify: required)")
    twilio_base_url: str = setting("https://verify.twilio.com", "TWILIO_BASE_URL", "Twilio Verify address")
    external_check_deadline_seconds: float = setting(
        1.5, "TWILIO_CHECK_DEADLINE_SECONDS",
        "with Twilio Verify every code check that counts a try answers after this long, whether and however "
        "slowly Twilio answered, so its timing is the same for every number (call statuses asked of SerwerSMS "
        "or Twilio too)")
    provider_check_workers: int = setting(
        16, "PROVIDER_CHECK_WORKERS",
        "threads asking Twilio Verify for code checks and SerwerSMS or Twilio for call statuses; the HTTP "
        "answers only wait for them, so a slow provider holds these and never the server's own threads")
    voice_sender: Optional[Literal["outbox", "smsapi", "serwersms", "twilio_verify", "none"]] = setting(
        None, "VOICE_SENDER",
        "who places the calls that read a code aloud: `outbox` (a development file), `smsapi` (VMS), `serwersms` "
        "(voice messages), `twilio_verify` (`channel=call`) or `none` (calls refused); each reuses its SMS "
        "credentials (docs/voice.md)", shown="`outbox` in development, `none` in production")
    voice_outbox: Path = setting(REPO / "var" / "voice-outbox.jsonl", "VOICE_OUTBOX",
                                 "file the outbox voice sender appends each call's text to",
                                 shown="`<repo>/var/voice-outbox.jsonl`")
    smsapi_tts_lector_pl: str = setting("ewa", "SMSAPI_TTS_LECTOR_PL", "SMSAPI's text-to-speech voice for Polish")
    smsapi_tts_lector_en: str = setting("", "SMSAPI_TTS_LECTOR_EN",
                                        "SMSAPI's text-to-speech voice for English; with none an English "
                                        "conversation's call is read in Polish", shown="empty")
    voice_callback_secret: Optional[SecretStr] = setting(
        None, "VOICE_CALLBACK_SECRET",
        "the secret path segment of the call-status callback address given to SMSAPI (16+ characters; "
        "VOICE_SENDER=smsapi: required)", shown="empty")
    call_countries: tuple[str, ...] = setting(
        ("PL",), "CALL_COUNTRIES",
        "countries (ISO codes, comma separated) whose fixed and mobile numbers may be called; every other number, "
        "and premium or special-rate numbers, is refused without a call", shown="`PL`")
    calls_per_number_per_day: int = setting(3, "CALLS_PER_NUMBER_PER_DAY",
                                            "calls per number in 24 h (every number alike), on top of the SMS "
                                            "limits that calls count against too")
    calls_per_conversation_per_day: int = setting(3, "CALLS_PER_CONVERSATION_PER_DAY", "calls per conversation in 24 h")
    call_budget_per_day: int = setting(200, "CALL_BUDGET_PER_DAY",
                                       "the operator's global cap on call requests in 24 h (placed or not, so that it "
                                       "says nothing about a number)")
    call_ring_seconds: int = setting(60, "CALL_RING_SECONDS", "how long a call rings before it counts as not answered")
    email_sender: Literal["outbox", "smtp"] = setting("outbox", "EMAIL_SENDER", "`outbox` or `smtp`")
    email_outbox: Path = setting(REPO / "var" / "email-outbox.jsonl", "EMAIL_OUTBOX",
                                 "file the outbox e-mail sender appends to", shown="`<repo>/var/email-outbox.jsonl`")
    smtp_host: str = setting("localhost", "SMTP_HOST", "SMTP server")
    smtp_port: int = setting(25, "SMTP_PORT", "SMTP port")
    smtp_user: Optional[str] = setting(None, "SMTP_USER", "SMTP user")
    smtp_password: Optional[SecretStr] = setting(None, "SMTP_PASSWORD", "SMTP password")
    smtp_starttls: bool = setting(False, "SMTP_STARTTLS", "STARTTLS on the SMTP connection")
    smtp_from: str = setting("panel@kylos.pl", "SMTP_FROM", "sender address of the e-mails")
    email_change_mode: Literal["confirm_link", "staff"] = setting(
        "confirm_link", "EMAIL_CHANGE_MODE", "`confirm_link` (the customer confirms) or `staff` (queued for staff)")
    email_change_delay_hours: Optional[float] = setting(
        None, "EMAIL_CHANGE_DELAY_HOURS",
        "protection against a stolen phone or SIM swap: an e-mail change applies no earlier than this after the "
        "request; the old address gets a cancel link, the account's mobiles an SMS with it",
        shown="`24` in production, `0` in development")
    public_base_url: str = setting("", "PUBLIC_BASE_URL", "base of the links put in e-mails",
                                   shown="`http://127.0.0.1:$BACKEND_PORT`")
    password_reset_url: str = setting("https://panel.kylos.pl/index.php?rp=/password/reset", "PASSWORD_RESET_URL",
                                      "the panel's password reset page")
    pinned_now: Optional[datetime] = setting(None, "RECOVERY_NOW",
                                             "pins the clock, ISO 8601 with a UTC offset (development only)")
    code_secret: Optional[SecretStr] = setting(
        None, "CODE_SECRET", "HMAC key for code and token hashes (production: required, 32+ characters)",
        shown="development: made once and kept in the database")
    connector_attestation_secret: Optional[SecretStr] = setting(
        None, "CONNECTOR_ATTESTATION_SECRET",
        "verifies the channel connectors' signed phone proofs (docs/backend-api.md); unset: attested starts are "
        "refused (production: required, 32+ characters)")
    extra_closed_dates: tuple[str, ...] = setting((), "OFFICE_CLOSED_DATES",
                                                  "extra closed dates, comma separated (YYYY-MM-DD)")
    documents_file: Path = setting(BACKEND_DIR / "config" / "documents.yml", "DOCUMENTS_FILE",
                                   "what customers send to prove ownership, per account type",
                                   shown="`backend/config/documents.yml`")
    outbox_workers: int = setting(4, "OUTBOX_WORKERS", "threads sending SMS and e-mails from the outbox table")
    outbox_backoff_seconds: float = setting(2.0, "OUTBOX_BACKOFF_SECONDS",
                                            "first retry delay of a failed send (doubles each time)")
    code_ttl_seconds: int = setting(600, "CODE_TTL_SECONDS", "how long an SMS code is valid")
    token_ttl_seconds: int = setting(900, "TOKEN_TTL_SECONDS", "how long a proof of phone ownership is valid")
    max_wrong_tries: int = setting(5, "MAX_WRONG_TRIES", "wrong entries that burn a code")
    burned_codes_before_lock: int = setting(3, "BURNED_CODES_BEFORE_LOCK", "burned codes that lock a number")
    resend_cooldown_seconds: int = setting(60, "RESEND_COOLDOWN_SECONDS",
                                           "seconds between verification starts for one number")
    sends_per_number_per_hour: int = setting(3, "SENDS_PER_NUMBER_PER_HOUR", "verification starts per number per hour")
    sends_per_number_per_day: int = setting(6, "SENDS_PER_NUMBER_PER_DAY", "verification starts per number per day")
    starts_per_conversation_per_hour: int = setting(5, "STARTS_PER_CONVERSATION_PER_HOUR",
                                                    "verification starts per conversation per hour")
    email_checks_per_token: int = setting(3, "EMAIL_CHECKS_PER_TOKEN", "e-mail address checks one proof allows")
    password_resets_per_token: int = setting(2, "PASSWORD_RESETS_PER_TOKEN", "password resets one proof allows")
    email_changes_per_token: int = setting(1, "EMAIL_CHANGES_PER_TOKEN", "e-mail changes one proof allows")
    cases_per_conversation_per_day: int = setting(3, "CASES_PER_CONVERSATION_PER_DAY",
                                                  "times one conversation may write (open, then update) its one case in 24 h")
    burned_codes_per_conversation: int = setting(2, "BURNED_CODES_PER_CONVERSATION",
                                                 "burned codes that stop verification in one conversation")
    sends_per_number_per_day_all_clients: int = setting(10, "SENDS_PER_NUMBER_PER_DAY_ALL_CLIENTS",
                                                        "sends to one number in 24 h from all clients together")
    seal_keys: tuple[tuple[str, bytes], ...] = setting(
        (), "SEAL_KEYS",
        "keys sealing the outbox's pending SMS and e-mails (AES-256-GCM), `id=secret` pairs separated by commas, "
        "the newest first: it seals new rows, every listed key (and CODE_SECRET's) still opens older ones; ids are "
        "letters/digits, secrets 32+ characters", shown="unset: a key derived from CODE_SECRET")
    metrics_token: Optional[SecretStr] = setting(
        None, "METRICS_TOKEN", "bearer token Prometheus sends to read `/metrics`; unset, `/metrics` answers 404",
        shown="unset: no metrics")
    rate_limit_storage: str = setting(
        "memory://", "RATE_LIMIT_STORAGE",
        "where the request limits below are counted: `memory://` for one backend process, `redis://host:6379/N` "
        "when several replicas share them (keys under RATE_LIMIT_KEY_PREFIX)")
    rate_limit_key_prefix: str = setting("recovery", "RATE_LIMIT_KEY_PREFIX", "prefix of the request limits' keys")
    start_limits_per_client: str = setting(
        "10/minute;30/hour", "START_LIMITS_PER_CLIENT",
        "verification starts per client (`X-Client-Key`, else the conversation); `limits` notation, `;` between "
        "windows, `none` = no limit (rate_limits.py checks it at start)")
    start_limits_global: str = setting("300/minute", "START_LIMITS_GLOBAL", "verification starts for everybody")
    check_limits_per_client: str = setting("30/minute", "CHECK_LIMITS_PER_CLIENT",
                                           "code checks per client (only with `X-Client-Key`)")
    check_limits_global: str = setting("1200/minute", "CHECK_LIMITS_GLOBAL", "code checks for everybody")
    case_limits_per_client: str = setting("5/hour;10/day", "CASE_LIMITS_PER_CLIENT",
                                          "cases opened per client (besides CASES_PER_CONVERSATION_PER_DAY)")
    case_limits_global: str = setting("60/minute", "CASE_LIMITS_GLOBAL", "cases opened by everybody")
    sms_daily_budget: int = setting(
        2000, "SMS_DAILY_BUDGET",
        "SMS (and Twilio verifications) sent in any 24 h, all numbers together; once spent, starts answer 429 and "
        "queued SMS wait; 0 = no budget")

    @field_validator("seal_keys", mode="before")
    @classmethod
    def _seal_key_pairs(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        keys = []
        for entry in filter(None, (part.strip() for part in value.split(","))):
            key_id, _, key = entry.partition("=")
            if not key_id.isalnum() or len(key) < 32:
                raise ValueError("each entry is id=secret, the id letters and digits, the secret 32+ characters")
            keys.append((key_id, key.encode()))
        if len({key_id for key_id, _ in keys}) != len(keys):
            raise ValueError("key ids must be unique")
        return tuple(keys)

    @field_validator("extra_closed_dates", "call_countries", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("call_countries")
    @classmethod
    def _country_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(code.upper() for code in value)

    @field_validator("api_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be 16+ characters; `make run` generates one")
        return value

    @field_validator("pinned_now")
    @classmethod
    def _with_offset(cls, value: Optional[datetime]) -> Optional[datetime]:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-11-28T11:00:00+01:00")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.voice_sender is None:
            self.voice_sender = "none" if self.environment == "production" else "outbox"
        problems = self.missing_provider_secrets()
        if self.voice_sender == "smsapi" and 0 < len(secret(self.voice_callback_secret)) < 16:
            problems.append("VOICE_CALLBACK_SECRET must be 16+ characters for VOICE_SENDER=smsapi")
        if self.environment == "production":
            problems = self.production_problems() + problems
            if self.pinned_now is not None:
                log.warning("RECOVERY_NOW ignored outside development mode")
                self.pinned_now = None
            self.accounts_fixture = None
        elif self.accounts_fixture is not None:
            self.accounts_fixture = _existing(self.accounts_fixture)
        if problems:
            refusal = ("RECOVERY_ENV=production refuses to start" if self.environment == "production"
                       else "the backend cannot start")
            raise ValueError(refusal + ":\n  - " + "\n  - ".join(problems))
        if self.email_change_delay_hours is None:
            self.email_change_delay_hours = 24.0 if self.environment == "production" else 0.0
        self.public_base_url = (self.public_base_url or f"http://127.0.0.1:{self.port}").rstrip("/")
        return self

    def missing_provider_secrets(self) -> list[str]:
        return [f"{variable(name)} must be set for {variable(chosen)}={value}"
                for (chosen, value), needed in PROVIDER_SECRETS.items() if getattr(self, chosen) == value
                for name in needed if not _plain(getattr(self, name))]

    def production_problems(self) -> list[str]:
        """Everything that makes a production start unsafe, each naming the variable to fix."""
        problems = []
        if len(secret(self.staff_key)) < 16:
            problems.append("BACKEND_STAFF_KEY must be set (16+ characters)")
        if len(secret(self.code_secret)) < 32:
            problems.append("CODE_SECRET must be set (32+ characters): the code-hashing key never lives in the database")
        if len(secret(self.connector_attestation_secret)) < 32:
            problems.append("CONNECTOR_ATTESTATION_SECRET must be set (32+ characters), shared with the channel connectors")
        if self.accounts_fixture is not None:
            problems.append("ACCOUNTS_FIXTURE is set: demo or test accounts are loaded in development only")
        if self.account_source != "whmcs":
            problems.append("ACCOUNT_SOURCE must be whmcs: the local account table holds development accounts")
        if self.sms_sender == "outbox":
            problems.append("SMS_SENDER is outbox (a development file): choose smsapi, serwersms or twilio_verify")
        if self.voice_sender == "outbox":
            problems.append("VOICE_SENDER is outbox (a development file): choose smsapi, serwersms, twilio_verify or none")
        if self.email_sender == "outbox":
            problems.append("EMAIL_SENDER is outbox (a development file): choose smtp")
        if not self.public_base_url.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be the https:// address customers open confirmation links at")
        if self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at PostgreSQL (postgresql+psycopg://…)")
        return problems

    @property
    def code_key(self) -> bytes:
        return secret(self.code_secret).encode()

    @property
    def email_change_delay(self) -> timedelta:
        """EMAIL_CHANGE_DELAY_HOURS as the validation resolved it for the environment."""
        if self.email_change_delay_hours is None:  # only settings that skipped validation lack it
            raise RuntimeError("EMAIL_CHANGE_DELAY_HOURS is unresolved: build Settings through Settings.from_env")
        return timedelta(hours=self.email_change_delay_hours)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Settings:
        """The settings from `env` (the process environment when None), or SystemExit naming every
        variable that is wrong and why."""
        try:
            if env is None:
                return cls()
            return cls.model_validate({name: value for name, value in env.items() if value != ""})
        except ValidationError as error:
            raise SystemExit(describe(error)) from None


def variable(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else field.upper()


def _plain(value: Any) -> str:
    return secret(value) if isinstance(value, SecretStr) or value is None else str(value)


def _existing(path: Path) -> Path:
    """A relative path means the same from the repository root and from backend/."""
    if not path.is_absolute() and not path.exists():
        path = REPO / path
    if not path.exists():
        raise ValueError(f"ACCOUNTS_FIXTURE {str(path)!r} does not exist")
    return path


def describe(error: ValidationError) -> str:
    """One line per wrong variable, never echoing a value (it may be a secret)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        message = "must be set" if problem["type"] == "missing" else problem["msg"].removeprefix("Value error, ")
        lines.append(f"  - {where}: {message}" if where else message)
    return "\n".join(lines if len(lines) == 1 and not lines[0].startswith("  - ")
                     else ["the backend cannot start:", *lines])
