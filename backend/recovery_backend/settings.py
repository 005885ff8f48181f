"""Every setting of the backend, read once from the environment.

| variable | default | meaning |
| --- | --- | --- |
| RECOVERY_ENV | development | `production` refuses to start with demo data, development senders or missing secrets (and names them); ignores RECOVERY_NOW |
| BACKEND_HOST / BACKEND_PORT | 127.0.0.1 / 8000 | where the HTTP API listens |
| BACKEND_API_KEY | — (required) | key of the action server (`X-API-Key`) |
| BACKEND_STAFF_KEY | — | key of staff tools (listing cases); unset = no staff access |
| DATABASE_URL | sqlite:///<repo>/var/backend.sqlite3 | SQLite file or `postgresql+psycopg://…` |
| ACCOUNTS_FIXTURE | — | development only: YAML accounts added at start when missing (never overwriting); relative to the repository root or the working directory |
| SMS_SENDER | outbox | outbox, smsapi, serwersms or twilio_verify |
| SMSAPI_TOKEN / SMSAPI_SENDER / SMSAPI_BASE_URL | — / — / https://api.smsapi.pl | SMSAPI.pl gateway (SMS_SENDER=smsapi; the token required) |
| SERWERSMS_TOKEN / SERWERSMS_SENDER / SERWERSMS_BASE_URL | — / — / https://api2.serwersms.pl | SerwerSMS gateway (SMS_SENDER=serwersms; the token required) |
| TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN / TWILIO_VERIFY_SERVICE_SID / TWILIO_BASE_URL | — / — / — / https://verify.twilio.com | Twilio Verify (SMS_SENDER=twilio_verify; all but the URL required) |
| SMS_OUTBOX | <repo>/var/sms-outbox.jsonl | file the outbox sender appends to |
| VOICE_SENDER | development: outbox; production: none | who places the calls that read a code aloud: outbox (a development file), smsapi (VMS), serwersms (voice messages), twilio_verify (`channel=call`) or none (calls refused); each reuses its SMS credentials above |
| VOICE_OUTBOX | <repo>/var/voice-outbox.jsonl | file the outbox voice sender appends each call's text to |
| SMSAPI_TTS_LECTOR_PL / SMSAPI_TTS_LECTOR_EN | ewa / — | SMSAPI's text-to-speech voice per language; with no English voice an English conversation's call is read in Polish |
| VOICE_CALLBACK_SECRET | — (required for VOICE_SENDER=smsapi) | the secret path segment of the call-status callback address given to SMSAPI (16+ characters) |
| CALL_COUNTRIES | PL | countries (ISO codes, comma separated) whose fixed and mobile numbers may be called; every other number, and premium or special-rate numbers, is refused without a call |
| CALLS_PER_NUMBER_PER_DAY / CALLS_PER_CONVERSATION_PER_DAY | 3 / 3 | call caps (every number alike, 24 h rolling), on top of the SMS limits that calls count against too |
| CALL_BUDGET_PER_DAY | 200 | the operator's global cap on call requests in 24 h (placed or not, so that it says nothing about a number) |
| CALL_RING_SECONDS | 60 | how long a call rings before it counts as not answered |
| EMAIL_SENDER | outbox | outbox or smtp |
| EMAIL_OUTBOX | <repo>/var/email-outbox.jsonl | file the outbox e-mail sender appends to |
| SMTP_HOST / SMTP_PORT / SMTP_USER / SMTP_PASSWORD / SMTP_STARTTLS / SMTP_FROM | localhost / 25 / — / — / false / panel@kylos.pl | SMTP sender |
| EMAIL_CHANGE_MODE | confirm_link | `confirm_link` (customer confirms) or `staff` (queued for staff) |
| PUBLIC_BASE_URL | http://127.0.0.1:8000 | base of the links put in e-mails |
| PASSWORD_RESET_URL | https://panel.kylos.pl/index.php?rp=/password/reset | the panel's reset page |
| RECOVERY_NOW | — | ISO 8601 with offset; pins the clock (development only) |
| CODE_SECRET | development: made once and kept in the database; production: required (32+ chars) | HMAC key for code and token hashes |
| METRICS_TOKEN | — (no metrics) | bearer token Prometheus sends to read `/metrics`; unset, `/metrics` answers 404 |
| SEAL_KEYS | — (a key derived from CODE_SECRET) | keys sealing the outbox's pending SMS and e-mails (AES-256-GCM), `id=secret` pairs separated by commas, the newest first: it seals new rows, every listed key (and CODE_SECRET's) still opens older ones; ids are letters/digits |
| OFFICE_CLOSED_DATES | — | extra closed dates, comma separated (YYYY-MM-DD) |
| OUTBOX_WORKERS / OUTBOX_BACKOFF_SECONDS | 4 / 2 | threads sending SMS and e-mails from the outbox table; first retry delay (doubles each time) |
| CONNECTOR_ATTESTATION_SECRET | — (production: required, 32+ chars) | verifies the channel connectors' signed phone proofs (docs/backend-api.md); unset: attested starts are refused |
| TWILIO_CHECK_DEADLINE_SECONDS | 1.5 | with Twilio Verify every code check answers after this long (or when Twilio answers, if later), so its timing is the same for every number |
| EMAIL_CHANGE_DELAY_HOURS | production 24, development 0 | protection against a stolen phone or SIM swap: an e-mail change applies no earlier than this after the request; the old address gets a cancel link, the account's mobiles an SMS with it |
| WHMCS_SYNC_SECONDS | 60 | how often the background sync adds new WHMCS clients to the phone index (full rebuild hourly) |
| RESEND_COOLDOWN_SECONDS / SENDS_PER_NUMBER_PER_HOUR / SENDS_PER_NUMBER_PER_DAY | 60 / 3 / 6 | limits per number (every number alike): the pause between any two sends; sends asked by one client in an hour and in a day |
| SENDS_PER_NUMBER_PER_DAY_ALL_CLIENTS | 10 | sends to one number in 24 h from all clients together |
| RATE_LIMIT_STORAGE / RATE_LIMIT_KEY_PREFIX | memory:// / recovery | where the request limits below are counted: `memory://` for one backend process, `redis://host:6379/N` when several replicas share them (keys under the prefix) |
| START_LIMITS_PER_CLIENT / START_LIMITS_GLOBAL | 10/minute;30/hour / 300/minute | verification starts per client (`X-Client-Key`, else the conversation) and for everybody; `limits` notation, `;` between windows, empty = none |
| CHECK_LIMITS_PER_CLIENT / CHECK_LIMITS_GLOBAL | 30/minute / 1200/minute | code checks, likewise (per client only with `X-Client-Key`) |
| CASE_LIMITS_PER_CLIENT / CASE_LIMITS_GLOBAL | 5/hour;10/day / 60/minute | cases opened, likewise (besides CASES_PER_CONVERSATION_PER_DAY) |
| CASES_PER_CONVERSATION_PER_DAY | 3 | cases one conversation may open in 24 h |
| SMS_DAILY_BUDGET | 2000 | SMS (and Twilio verifications) sent in any 24 h, all numbers together; once spent, starts answer 429 and queued SMS wait; 0 = no budget |
| ACCOUNT_SOURCE | local | `local` (this database) or `whmcs` |
| WHMCS_URL / WHMCS_IDENTIFIER / WHMCS_SECRET | — | the WHMCS API and its credentials (ACCOUNT_SOURCE=whmcs; all required) |
| DOCUMENTS_FILE | backend/config/documents.yml | what customers send to prove ownership, per account type |
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO / "backend"
log = logging.getLogger("recovery_backend.settings")


DEMO_FIXTURE = BACKEND_DIR / "fixtures" / "demo-accounts.yml"
# Secrets each choice needs; in production a missing one stops the start with its name.
PROVIDER_SECRETS = {
    ("SMS_SENDER", "smsapi"): ("SMSAPI_TOKEN",),
    ("SMS_SENDER", "serwersms"): ("SERWERSMS_TOKEN",),
    ("SMS_SENDER", "twilio_verify"): ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_VERIFY_SERVICE_SID"),
    ("VOICE_SENDER", "smsapi"): ("SMSAPI_TOKEN", "VOICE_CALLBACK_SECRET"),
    ("VOICE_SENDER", "serwersms"): ("SERWERSMS_TOKEN",),
    ("VOICE_SENDER", "twilio_verify"): ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_VERIFY_SERVICE_SID"),
    ("ACCOUNT_SOURCE", "whmcs"): ("WHMCS_URL", "WHMCS_IDENTIFIER", "WHMCS_SECRET"),
}


def missing_provider_secrets(env: dict) -> list[str]:
    return [f"{name} must be set for {variable}={value}"
            for (variable, value), needed in PROVIDER_SECRETS.items() if env.get(variable) == value
            for name in needed if not env.get(name)]


def production_problems(env: dict) -> list[str]:
    """Everything that makes a production start unsafe, each naming the variable to fix."""
    problems = []
    if len(env.get("BACKEND_STAFF_KEY", "")) < 16:
        problems.append("BACKEND_STAFF_KEY must be set (16+ characters)")
    if len(env.get("CODE_SECRET", "")) < 32:
        problems.append("CODE_SECRET must be set (32+ characters): the code-hashing key never lives in the database")
    if len(env.get("CONNECTOR_ATTESTATION_SECRET", "")) < 32:
        problems.append("CONNECTOR_ATTESTATION_SECRET must be set (32+ characters), shared with the channel connectors")
    if env.get("ACCOUNTS_FIXTURE"):
        problems.append("ACCOUNTS_FIXTURE is set: demo or test accounts are loaded in development only")
    if env.get("ACCOUNT_SOURCE", "local") != "whmcs":
        problems.append("ACCOUNT_SOURCE must be whmcs: the local account table holds development accounts")
    if env.get("SMS_SENDER", "outbox") == "outbox":
        problems.append("SMS_SENDER is outbox (a development file): choose smsapi, serwersms or twilio_verify")
    if env.get("VOICE_SENDER") == "outbox":
        problems.append("VOICE_SENDER is outbox (a development file): choose smsapi, serwersms, twilio_verify or none")
    if env.get("EMAIL_SENDER", "outbox") == "outbox":
        problems.append("EMAIL_SENDER is outbox (a development file): choose smtp")
    if not env.get("PUBLIC_BASE_URL", "").startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be the https:// address customers open confirmation links at")
    if env.get("DATABASE_URL", "").startswith("sqlite") or not env.get("DATABASE_URL"):
        problems.append("DATABASE_URL must point at PostgreSQL (postgresql+psycopg://…)")
    return problems + missing_provider_secrets(env)


def _fixture_path(text: Optional[str]) -> Optional[Path]:
    """A relative path means the same from the repository root and from backend/."""
    if not text:
        return None
    path = Path(text)
    if not path.is_absolute() and not path.exists():
        path = REPO / path
    if not path.exists():
        raise SystemExit(f"ACCOUNTS_FIXTURE {text!r} does not exist")
    return path


def _seal_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, secret = entry.partition("=")
        if not key_id.isalnum() or len(secret) < 32:
            raise SystemExit("SEAL_KEYS: each entry is id=secret, the id letters and digits, the secret 32+ characters")
        keys.append((key_id, secret.encode()))
    if len({key_id for key_id, _ in keys}) != len(keys):
        raise SystemExit("SEAL_KEYS: key ids must be unique")
    return tuple(keys)


def _limits(env: dict, name: str, default: str) -> str:
    # Read as text here (this module stays standard library only); rate_limits.py parses it and
    # a wrong value stops the start there, naming the variable.
    return env.get(name, default)


@dataclass(frozen=True)
class Settings:
    environment: str
    host: str
    port: int
    api_key: str
    staff_key: Optional[str]
    database_url: str
    accounts_fixture: Optional[Path]
    sms_sender: str
    sms_outbox: Path
    email_sender: str
    email_outbox: Path
    smtp_host: str
    smtp_port: int
    smtp_user: Optional[str]
    smtp_password: Optional[str]
    smtp_starttls: bool
    smtp_from: str
    email_change_mode: str
    public_base_url: str
    password_reset_url: str
    pinned_now: Optional[datetime]
    code_secret: bytes
    extra_closed_dates: tuple[str, ...]
    documents_file: Path
    account_source: str = "local"
    # The chosen providers' addresses and secrets ("" when not chosen).
    smsapi_token: str = ""
    smsapi_sender: Optional[str] = None
    smsapi_base_url: str = "https://api.smsapi.pl"
    serwersms_token: str = ""
    serwersms_sender: Optional[str] = None
    serwersms_base_url: str = "https://api2.serwersms.pl"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_verify_service_sid: str = ""
    twilio_base_url: str = "https://verify.twilio.com"
    whmcs_url: str = ""
    whmcs_identifier: str = ""
    whmcs_secret: str = ""
    code_ttl_seconds: int = 600
    token_ttl_seconds: int = 900
    max_wrong_tries: int = 5
    sends_per_number_per_hour: int = 3
    resend_cooldown_seconds: int = 60
    starts_per_conversation_per_hour: int = 5
    sends_per_number_per_day: int = 6
    burned_codes_before_lock: int = 3  # per client (and the staff alert per number)
    burned_codes_per_conversation: int = 2
    sends_per_number_per_day_all_clients: int = 10
    connector_attestation_secret: str = ""
    external_check_deadline_seconds: float = 1.5
    outbox_workers: int = 4
    outbox_backoff_seconds: float = 2.0
    email_change_delay_hours: float = 0.0
    index_sync_seconds: float = 60.0
    index_max_age_seconds: float = 3 * 3600  # older than this, /readyz says not ready
    email_checks_per_token: int = 3
    password_resets_per_token: int = 2
    email_changes_per_token: int = 1
    cases_per_conversation_per_day: int = 3
    voice_sender: str = "none"
    voice_outbox: Path = REPO / "var" / "voice-outbox.jsonl"
    smsapi_tts_lector_pl: str = "ewa"
    smsapi_tts_lector_en: str = ""
    voice_callback_secret: str = ""
    call_countries: tuple[str, ...] = ("PL",)
    calls_per_number_per_day: int = 3
    calls_per_conversation_per_day: int = 3
    call_budget_per_day: int = 200
    call_ring_seconds: int = 60
    seal_keys: tuple[tuple[str, bytes], ...] = ()
    metrics_token: str = ""
    rate_limit_storage: str = "memory://"
    rate_limit_key_prefix: str = "recovery"
    start_limits_per_client: str = "10/minute;30/hour"
    start_limits_global: str = "300/minute"
    check_limits_per_client: str = "30/minute"
    check_limits_global: str = "1200/minute"
    case_limits_per_client: str = "5/hour;10/day"
    case_limits_global: str = "60/minute"
    sms_daily_budget: int = 2000

    @classmethod
    def from_env(cls, env: Optional[dict] = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        environment = env.get("RECOVERY_ENV", "development")
        if environment not in ("development", "production"):
            raise SystemExit(f"RECOVERY_ENV must be development or production, not {environment!r}")
        api_key = env.get("BACKEND_API_KEY", "")
        if len(api_key) < 16:
            raise SystemExit("BACKEND_API_KEY must be set (16+ characters); `make run` generates one.")
        if environment == "production":
            problems = production_problems(env)
            if problems:
                raise SystemExit("RECOVERY_ENV=production refuses to start:\n  - " + "\n  - ".join(problems))
        missing = missing_provider_secrets(env)
        if missing:
            raise SystemExit("the backend cannot start:\n  - " + "\n  - ".join(missing))
        voice_sender = env.get("VOICE_SENDER") or ("none" if environment == "production" else "outbox")
        if voice_sender not in ("outbox", "smsapi", "serwersms", "twilio_verify", "none"):
            raise SystemExit(f"VOICE_SENDER must be outbox, smsapi, serwersms, twilio_verify or none, not {voice_sender!r}")
        if voice_sender == "smsapi" and len(env.get("VOICE_CALLBACK_SECRET", "")) < 16:
            raise SystemExit("VOICE_CALLBACK_SECRET must be set (16+ characters) for VOICE_SENDER=smsapi")
        pinned = None
        if env.get("RECOVERY_NOW"):
            if environment == "development":
                pinned = datetime.fromisoformat(env["RECOVERY_NOW"])
                if pinned.tzinfo is None:
                    raise SystemExit("RECOVERY_NOW needs a UTC offset, e.g. 2026-11-28T11:00:00+01:00")
            else:
                log.warning("RECOVERY_NOW ignored outside development mode")
        port = int(env.get("BACKEND_PORT", "8000"))
        return cls(
            environment=environment,
            host=env.get("BACKEND_HOST", "127.0.0.1"),
            port=port,
            api_key=api_key,
            staff_key=env.get("BACKEND_STAFF_KEY") or None,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{REPO / 'var' / 'backend.sqlite3'}",
            accounts_fixture=_fixture_path(env.get("ACCOUNTS_FIXTURE")) if environment == "development" else None,
            account_source=env.get("ACCOUNT_SOURCE", "local"),
            smsapi_token=env.get("SMSAPI_TOKEN", ""),
            smsapi_sender=env.get("SMSAPI_SENDER") or None,
            smsapi_base_url=env.get("SMSAPI_BASE_URL", "https://api.smsapi.pl"),
            serwersms_token=env.get("SERWERSMS_TOKEN", ""),
            serwersms_sender=env.get("SERWERSMS_SENDER") or None,
            serwersms_base_url=env.get("SERWERSMS_BASE_URL", "https://api2.serwersms.pl"),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_verify_service_sid=env.get("TWILIO_VERIFY_SERVICE_SID", ""),
            twilio_base_url=env.get("TWILIO_BASE_URL", "https://verify.twilio.com"),
            whmcs_url=env.get("WHMCS_URL", ""),
            whmcs_identifier=env.get("WHMCS_IDENTIFIER", ""),
            whmcs_secret=env.get("WHMCS_SECRET", ""),
            sms_sender=env.get("SMS_SENDER", "outbox"),
            sms_outbox=Path(env.get("SMS_OUTBOX") or REPO / "var" / "sms-outbox.jsonl"),
            email_sender=env.get("EMAIL_SENDER", "outbox"),
            email_outbox=Path(env.get("EMAIL_OUTBOX") or REPO / "var" / "email-outbox.jsonl"),
            smtp_host=env.get("SMTP_HOST", "localhost"),
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=env.get("SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
            smtp_from=env.get("SMTP_FROM", "panel@kylos.pl"),
            email_change_mode=env.get("EMAIL_CHANGE_MODE", "confirm_link"),
            public_base_url=env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
            password_reset_url=env.get("PASSWORD_RESET_URL", "https://panel.kylos.pl/index.php?rp=/password/reset"),
            pinned_now=pinned,
            code_secret=env.get("CODE_SECRET", "").encode(),
            extra_closed_dates=tuple(d.strip() for d in env.get("OFFICE_CLOSED_DATES", "").split(",") if d.strip()),
            documents_file=Path(env.get("DOCUMENTS_FILE") or BACKEND_DIR / "config" / "documents.yml"),
            metrics_token=env.get("METRICS_TOKEN", ""),
            rate_limit_storage=env.get("RATE_LIMIT_STORAGE") or "memory://",
            rate_limit_key_prefix=env.get("RATE_LIMIT_KEY_PREFIX") or "recovery",
            **{name: _limits(env, name.upper(), default) for name, default in (
                ("start_limits_per_client", cls.start_limits_per_client),
                ("start_limits_global", cls.start_limits_global),
                ("check_limits_per_client", cls.check_limits_per_client),
                ("check_limits_global", cls.check_limits_global),
                ("case_limits_per_client", cls.case_limits_per_client),
                ("case_limits_global", cls.case_limits_global))},
            cases_per_conversation_per_day=int(env.get("CASES_PER_CONVERSATION_PER_DAY", "3")),
            sms_daily_budget=int(env.get("SMS_DAILY_BUDGET", "2000")),
            seal_keys=_seal_keys(env.get("SEAL_KEYS", "")),
            resend_cooldown_seconds=int(env.get("RESEND_COOLDOWN_SECONDS", "60")),
            outbox_workers=int(env.get("OUTBOX_WORKERS", "4")),
            connector_attestation_secret=env.get("CONNECTOR_ATTESTATION_SECRET", ""),
            external_check_deadline_seconds=float(env.get("TWILIO_CHECK_DEADLINE_SECONDS", "1.5")),
            outbox_backoff_seconds=float(env.get("OUTBOX_BACKOFF_SECONDS", "2")),
            index_sync_seconds=float(env.get("WHMCS_SYNC_SECONDS", "60")),
            email_change_delay_hours=float(env.get("EMAIL_CHANGE_DELAY_HOURS",
                                                   "24" if environment == "production" else "0")),
            sends_per_number_per_hour=int(env.get("SENDS_PER_NUMBER_PER_HOUR", "3")),
            sends_per_number_per_day=int(env.get("SENDS_PER_NUMBER_PER_DAY", "6")),
            voice_sender=voice_sender,
            voice_outbox=Path(env.get("VOICE_OUTBOX") or REPO / "var" / "voice-outbox.jsonl"),
            smsapi_tts_lector_pl=env.get("SMSAPI_TTS_LECTOR_PL", "ewa"),
            smsapi_tts_lector_en=env.get("SMSAPI_TTS_LECTOR_EN", ""),
            voice_callback_secret=env.get("VOICE_CALLBACK_SECRET", ""),
            call_countries=tuple(c.strip().upper() for c in env.get("CALL_COUNTRIES", "PL").split(",") if c.strip()),
            calls_per_number_per_day=int(env.get("CALLS_PER_NUMBER_PER_DAY", "3")),
            calls_per_conversation_per_day=int(env.get("CALLS_PER_CONVERSATION_PER_DAY", "3")),
            call_budget_per_day=int(env.get("CALL_BUDGET_PER_DAY", "200")),
            call_ring_seconds=int(env.get("CALL_RING_SECONDS", "60")),
            sends_per_number_per_day_all_clients=int(env.get("SENDS_PER_NUMBER_PER_DAY_ALL_CLIENTS", "10")),
        )
