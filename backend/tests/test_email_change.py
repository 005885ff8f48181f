"""Issue 9 M4, M5, L17: one pending change per account, confirmation by POST, a cancel link to the
old address, notices when it applies, a waiting period against SIM swaps, and a link that
survives a failure of the account source."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from conftest import make_backend
from test_recovery_and_cases import account_email

MAREK, OLD = "+48601234567", "marek@zielinski-domena.pl"


def link(text: str, path: str) -> str:
    url = next(word for word in text.split() if path in word)
    return parse_qs(urlparse(url).query)["t"][0]


def request_change(backend, new_email, conversation="conv-1"):
    token = backend.verified_token(MAREK, conversation)
    answer = backend.post("/api/v1/recovery/email-change", {"new_email": new_email}, token=token)
    assert answer.status_code == 202
    mails = backend.emails()
    confirm = next(m for m in reversed(mails) if m["to"] == new_email)
    notice = next(m for m in reversed(mails) if m["to"] == OLD and "anulować" in m["body"])
    return answer.json(), link(confirm["body"], "/email-change/confirm"), link(notice["body"], "/email-change/cancel")


def confirm(backend, token):
    return backend.client.post("/email-change/confirm", data={"t": token})


def test_a_newer_request_voids_the_older_link(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00")
    _, first, _ = request_change(backend, "pierwszy@nowy.pl", "conv-1")
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:05:00+01:00")
    _, second, _ = request_change(later, "drugi@nowy.pl", "conv-2")
    assert backend.client.get("/email-change/confirm", params={"t": first}).status_code == 410
    assert confirm(later, first).status_code == 410
    assert confirm(later, second).status_code == 200 and account_email(later) == "drugi@nowy.pl"


def test_the_old_address_can_cancel_and_both_hear_when_it_applies(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00")
    _, confirm_token, cancel_token = request_change(backend, "marek@nowy.pl")
    page = backend.client.get("/email-change/cancel", params={"t": cancel_token})
    assert page.status_code == 200 and "<form method='post'" in page.text
    assert backend.client.post("/email-change/cancel", data={"t": cancel_token}).status_code == 200
    assert confirm(backend, confirm_token).status_code == 410 and account_email(backend) == OLD
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:05:00+01:00")
    _, confirm_token, _ = request_change(backend, "marek@nowy.pl", "conv-2")
    assert confirm(backend, confirm_token).status_code == 200
    applied = [m for m in backend.emails() if "został zmieniony" in m["subject"]]
    assert sorted(m["to"] for m in applied) == sorted([OLD, "marek@nowy.pl"])
    assert all("ma***@n***.pl" in m["body"] and "czasu polskiego" in m["body"] for m in applied)
    actions = [e["action"] for e in backend.audit()]
    assert "email_change_cancelled" in actions and actions[-1] == "email_changed"


def test_a_failing_account_source_keeps_the_link_valid(backend, monkeypatch):
    _, confirm_token, _ = request_change(backend, "marek@nowy.pl")
    accounts = backend.client.app.state.services.accounts
    real = accounts.change_email

    def down(*_args):
        raise ConnectionError("WHMCS away")
    monkeypatch.setattr(accounts, "change_email", down)
    failed = confirm(backend, confirm_token)
    assert failed.status_code == 503 and account_email(backend) == OLD
    monkeypatch.setattr(accounts, "change_email", real)
    assert confirm(backend, confirm_token).status_code == 200 and account_email(backend) == "marek@nowy.pl"


def test_a_waiting_period_protects_against_a_stolen_phone(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00", EMAIL_CHANGE_DELAY_HOURS="24")
    answer, confirm_token, cancel_token = request_change(backend, "marek@nowy.pl")
    assert answer["applies_after"] == "2026-11-25T10:00:00+01:00"
    warning = [m for m in backend.sms() if "anulować" in m["text"]]
    assert warning and warning[-1]["to"] == MAREK and cancel_token in warning[-1]["text"]
    assert "25.11.2026, 10:00 (czasu polskiego)" in warning[-1]["text"]
    waiting = confirm(backend, confirm_token)
    assert waiting.status_code == 200 and "25.11.2026, 10:00" in waiting.text and account_email(backend) == OLD
    assert backend.client.app.state.services.recovery.apply_due_changes() == 0
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-25T10:01:00+01:00", EMAIL_CHANGE_DELAY_HOURS="24")
    assert later.client.app.state.services.recovery.apply_due_changes() == 1
    assert account_email(later) == "marek@nowy.pl"


def test_a_waiting_change_can_still_be_cancelled(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-24T10:00:00+01:00", EMAIL_CHANGE_DELAY_HOURS="24")
    _, confirm_token, cancel_token = request_change(backend, "marek@nowy.pl")
    confirm(backend, confirm_token)
    assert backend.client.post("/email-change/cancel", data={"t": cancel_token}).status_code == 200
    later = make_backend(tmp_path, RECOVERY_NOW="2026-11-25T10:01:00+01:00", EMAIL_CHANGE_DELAY_HOURS="24")
    assert later.client.app.state.services.recovery.apply_due_changes() == 0 and account_email(later) == OLD
