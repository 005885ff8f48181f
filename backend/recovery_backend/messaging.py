"""Delivery of SMS, calls and e-mail: JSON-lines outboxes for development, SMTP for real."""
from __future__ import annotations

import json
import logging
import secrets
import smtplib
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Optional

from contact_rules import mask_email, mask_phone

from .ports import CallStatus

log = logging.getLogger("recovery_backend.messaging")
_append_lock = threading.Lock()


def _append_json_line(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _append_lock, path.open("a", encoding="utf-8") as outbox:
        outbox.write(json.dumps(record, ensure_ascii=False) + "\n")


class OutboxSmsSender:
    def __init__(self, path: Path):
        self.path = path

    def send_text(self, to_e164: str, text: str) -> None:
        _append_json_line(self.path, {"to": to_e164, "text": text})
        log.info("sms written to outbox", extra={"to": mask_phone(to_e164)})


class OutboxVoiceSender:
    """Development calls: the text the call would read, one JSON line each; every call is answered."""
    languages: tuple[str, ...] = ("pl", "en")

    def __init__(self, path: Path):
        self.path = path

    def call(self, to_e164: str, text: str, language: str) -> str:
        reference = secrets.token_hex(8)
        _append_json_line(self.path, {"to": to_e164, "text": text, "language": language, "reference": reference})
        log.info("call written to outbox", extra={"to": mask_phone(to_e164)})
        return reference

    def call_status(self, reference: str) -> CallStatus:
        return "answered"


class OutboxEmailSender:
    def __init__(self, path: Path):
        self.path = path

    def send(self, to: str, subject: str, body: str) -> None:
        _append_json_line(self.path, {"to": to, "subject": subject, "body": body})
        log.info("e-mail written to outbox", extra={"to": mask_email(to)})


class SmtpEmailSender:
    def __init__(self, host: str, port: int, sender: str, user: Optional[str] = None,
                 password: Optional[str] = None, starttls: bool = False, timeout: float = 10):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)
        log.info("e-mail sent over SMTP", extra={"to": mask_email(to)})
