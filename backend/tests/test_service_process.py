"""The backend as a real process and with real peers: restarts, SMTP, PostgreSQL, logs."""
from __future__ import annotations

import json
import time

import httpx
from aiosmtpd.controller import Controller
from conftest import API_KEY, CODE, BackendProcess, free_port, make_backend

from recovery_backend.messaging import SmtpEmailSender

HEADERS = {"X-API-Key": API_KEY}


def wait_for_sms(path, phone, timeout=5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            matching = [m for m in lines if m["to"] == phone]
            if matching:
                return CODE.search(matching[-1]["text"]).group(1)
        time.sleep(0.05)
    raise AssertionError("no SMS")


def test_nothing_is_lost_on_restart(tmp_path):
    service = BackendProcess(tmp_path).start()
    try:
        started = httpx.post(f"{service.url}/api/v1/phone-verifications", headers=HEADERS,
                             json={"phone": "601 234 567", "conversation_id": "restart"}).json()
        code = wait_for_sms(tmp_path / "sms.jsonl", "+48601234567")
        case = httpx.post(f"{service.url}/api/v1/cases", headers=HEADERS, json={
            "reason": "documents", "channel": "web", "conversation_id": "restart", "summary": "s"}).json()
    finally:
        service.stop()
    service = BackendProcess(tmp_path).start()
    try:
        checked = httpx.post(f"{service.url}/api/v1/phone-verifications/{started['verification_id']}/check",
                             headers=HEADERS, json={"code": code}).json()
        assert checked["verified"] is True, "the code and its hash key survived the restart"
        hint = httpx.get(f"{service.url}/api/v1/recovery/email-hint",
                         headers={**HEADERS, "X-Recovery-Token": checked["token"],
                                  "X-Conversation-Id": "restart"}).json()
        assert hint == {"masked_email": "ma***@z***.pl"}
        cases = httpx.get(f"{service.url}/api/v1/cases", headers={"X-API-Key": "test-staff-key-0123456789"}).json()
        assert [c["case_number"] for c in cases["cases"]] == [case["case_number"]]
        sms = [line for line in (tmp_path / "sms.jsonl").read_text().splitlines() if line.strip()]
        assert len(sms) == 1, "the SMS was neither lost nor sent again by the restarted backend"
    finally:
        service.stop()


def test_logs_never_show_codes_phones_emails_or_tokens(tmp_path):
    service = BackendProcess(tmp_path).start()
    try:
        started = httpx.post(f"{service.url}/api/v1/phone-verifications", headers=HEADERS,
                             json={"phone": "+48 601 234 567", "conversation_id": "logs"}).json()
        code = wait_for_sms(tmp_path / "sms.jsonl", "+48601234567")
        token = httpx.post(f"{service.url}/api/v1/phone-verifications/{started['verification_id']}/check",
                           headers=HEADERS, json={"code": code}).json()["token"]
        httpx.post(f"{service.url}/api/v1/recovery/email-change", headers={**HEADERS, "X-Recovery-Token": token,
                                                                                  "X-Conversation-Id": "logs"},
                   json={"new_email": "marek@nowy-adres.pl"})
    finally:
        service.stop()
    log = (tmp_path / "backend.log").read_text()
    assert "verification started" in log and "+48 *** *** 567" in log
    for secret in (code, token, "601234567", "601 234 567", "marek@nowy-adres.pl", "marek@zielinski-domena.pl",
                   API_KEY):
        assert secret not in log


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_smtp_sender_talks_to_a_real_smtp_server():
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        SmtpEmailSender("127.0.0.1", port, "panel@kylos.pl").send("anna@example.pl", "Temat ż", "Treść ąę")
    finally:
        controller.stop()
    assert len(mailbox.messages) == 1
    envelope = mailbox.messages[0]
    assert envelope.mail_from == "panel@kylos.pl" and envelope.rcpt_tos == ["anna@example.pl"]
    assert b"Subject:" in envelope.content


def test_backend_sends_reset_mail_over_smtp(tmp_path):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        backend = make_backend(tmp_path, EMAIL_SENDER="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
        token = backend.verified_token("+48601234567")
        assert backend.post("/api/v1/recovery/password-reset", {}, token=token).status_code == 202
        backend.client.app.state.services.outbox.join()
    finally:
        controller.stop()
    assert [m.rcpt_tos for m in mailbox.messages] == [["marek@zielinski-domena.pl"]]


def test_postgresql_storage(tmp_path, postgres_url):
    backend = make_backend(tmp_path, DATABASE_URL=postgres_url)
    token = backend.verified_token("+48602345678")
    assert backend.get("/api/v1/recovery/email-hint", token=token).json() == {"masked_email": "bi***@p***.pl"}
    case = backend.post("/api/v1/cases", {"reason": "human_handoff", "channel": "web", "conversation_id": "pg"})
    assert case.status_code == 201
    restarted = make_backend(tmp_path, DATABASE_URL=postgres_url)
    assert restarted.get("/api/v1/recovery/email-hint", token=token, conversation="conv-1").status_code == 200
