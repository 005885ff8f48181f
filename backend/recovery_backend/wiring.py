"""Builds the parts chosen in settings: account source, SMS, call and e-mail delivery."""
from __future__ import annotations

import sqlalchemy as sa

from .accounts import LocalAccountSource
from .messaging import OutboxEmailSender, OutboxSmsSender, OutboxVoiceSender, SmtpEmailSender
from .ports import AccountSource, CallingVerifier, EmailSender, ExternalVerifier, HumanInbox, SmsSender, StaffTicket, VoiceSender
from .settings import Settings, secret


def email_sender(settings: Settings) -> EmailSender:
    if settings.email_sender == "smtp":
        return SmtpEmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_user,
                               secret(settings.smtp_password), settings.smtp_starttls)
    if settings.email_sender == "outbox":
        return OutboxEmailSender(settings.email_outbox)
    raise SystemExit(f"EMAIL_SENDER must be outbox or smtp, not {settings.email_sender!r}")


def sms_delivery(settings: Settings) -> SmsSender | ExternalVerifier:
    if settings.sms_sender == "outbox":
        return OutboxSmsSender(settings.sms_outbox)
    if settings.sms_sender == "smsapi":
        from .providers.smsapi import SmsapiSender
        return SmsapiSender(secret(settings.smsapi_token), settings.smsapi_sender, settings.smsapi_base_url)
    if settings.sms_sender == "serwersms":
        from .providers.serwersms import SerwerSmsSender
        return SerwerSmsSender(secret(settings.serwersms_token), settings.serwersms_sender, settings.serwersms_base_url)
    if settings.sms_sender == "twilio_verify":
        from .providers.twilio_verify import TwilioVerifier
        return TwilioVerifier(settings.twilio_account_sid, secret(settings.twilio_auth_token),
                              settings.twilio_verify_service_sid, settings.twilio_base_url)
    raise SystemExit(f"unknown SMS_SENDER {settings.sms_sender!r}")


def voice_delivery(settings: Settings) -> VoiceSender | CallingVerifier | None:
    """Who places the calls (None: VOICE_SENDER=none, calls are refused)."""
    if settings.voice_sender == "outbox":
        return OutboxVoiceSender(settings.voice_outbox)
    if settings.voice_sender == "smsapi":
        from .providers.smsapi_vms import SmsapiVoiceSender
        lectors = {"pl": settings.smsapi_tts_lector_pl, "en": settings.smsapi_tts_lector_en}
        notify = f"{settings.public_base_url}/voice-status/smsapi/{secret(settings.voice_callback_secret)}"
        return SmsapiVoiceSender(secret(settings.smsapi_token), lectors, notify, settings.smsapi_base_url)
    if settings.voice_sender == "serwersms":
        from .providers.serwersms_voice import SerwerSmsVoiceSender
        return SerwerSmsVoiceSender(secret(settings.serwersms_token), settings.serwersms_base_url)
    if settings.voice_sender == "twilio_verify":
        from .providers.twilio_verify import TwilioVerifier
        return TwilioVerifier(settings.twilio_account_sid, secret(settings.twilio_auth_token),
                              settings.twilio_verify_service_sid, settings.twilio_base_url)
    return None


def account_source(settings: Settings, engine: sa.Engine, email: EmailSender,
                   staff_ticket: StaffTicket) -> AccountSource:
    source = settings.account_source
    if source == "local":
        return LocalAccountSource(engine, email, settings.password_reset_url, staff_ticket)
    if source == "whmcs":
        from .providers.whmcs import WhmcsAccountSource
        return WhmcsAccountSource(settings.whmcs_url, secret(settings.whmcs_identifier), secret(settings.whmcs_secret), engine,
                                  email_change_via_ticket=settings.email_change_mode == "staff")
    raise SystemExit(f"ACCOUNT_SOURCE must be local or whmcs, not {source!r}")


def human_inbox(settings: Settings) -> HumanInbox | None:
    """Where staff work on conversations (None: HUMAN_INBOX=none, cases stay in the staff API)."""
    if settings.human_inbox == "chatwoot":
        from .providers.chatwoot import ChatwootInbox
        return ChatwootInbox(settings.chatwoot_url, secret(settings.chatwoot_api_token),
                             int(settings.chatwoot_account_id or 0), int(settings.chatwoot_inbox_id or 0))
    return None
