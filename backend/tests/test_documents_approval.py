"""Issue 20 #2: a documents case tells staff what to check and, once they approve, the backend
changes the login address (audited) instead of someone doing it by hand."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import STAFF_KEY, make_backend

from recovery_backend.documents import load_documents
from recovery_backend.storage import accounts

MAREK_ID = 9001  # tests/fixtures/accounts.yml: Marek, marek@zielinski-domena.pl


def documents_case(backend, **extra) -> str:
    response = backend.post("/api/v1/cases", {"reason": "documents", "account_type": "private",
                                              "contact_email": "marek@nowa-domena.pl", "channel": "socketio",
                                              "conversation_id": "sio:docs-1", "summary": "Dokumenty.", **extra})
    assert response.status_code == 201
    return response.json()["case_number"]


def login_of(backend, account_id: int) -> str:
    with backend.client.app.state.services.engine.connect() as db:
        return db.execute(sa.select(accounts.c.email).where(accounts.c.id == account_id)).scalar()


def approve(backend, number, **body):
    return backend.post(f"/api/v1/cases/{number}/email-change",
                        {"account_id": MAREK_ID, "approved_by": "Ola z obsługi", **body}, key=STAFF_KEY)


def test_a_documents_case_lists_what_to_check(backend):
    documents_case(backend)
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    checklist = "\n".join(case["checklist"])
    assert case["case_number"] in checklist, "the subject line staff look for"
    assert "Skan dowodu osobistego." in checklist and "Wystarczy jeden z tych dokumentów." in checklist
    assert "email-change" in checklist and case["resolution"] is None


def test_approval_changes_the_login_with_an_audit_entry_and_notices(backend):
    number = documents_case(backend)
    assert login_of(backend, MAREK_ID) == "marek@zielinski-domena.pl"
    response = approve(backend, number)
    assert response.status_code == 200, response.text
    assert response.json() == {"case_number": number, "resolution": "email_changed",
                               "change": "ma***@z***.pl -> ma***@n***.pl"}
    assert login_of(backend, MAREK_ID) == "marek@nowa-domena.pl"
    entry = [e for e in backend.audit() if e["action"] == "email_changed_by_staff"]
    assert len(entry) == 1 and entry[0]["account_id"] == MAREK_ID and entry[0]["channel"] == "staff"
    assert number in entry[0]["details"] and "Ola z obsługi" in entry[0]["details"]
    assert "marek@nowa-domena.pl" not in entry[0]["details"], "the audit keeps masked addresses"
    assert {mail["to"] for mail in backend.emails()} == {"marek@zielinski-domena.pl", "marek@nowa-domena.pl"}
    case = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert case["resolution"] == "email_changed" and case["resolved_by"] == "Ola z obsługi"
    assert approve(backend, number).status_code == 409, "applied once"


def test_approval_is_refused_where_it_does_not_fit(backend):
    number = documents_case(backend)
    assert approve(backend, "ODZ-20990101-9999").status_code == 404
    assert approve(backend, number, account_id=99).json() == {"error": "account_not_found"}
    assert approve(backend, number, new_email="marek@zielinski-domena.pl").json() == {"error": "same_email"}
    assert approve(backend, number, new_email="nie-adres").json() == {"error": "invalid_email"}
    assert backend.post(f"/api/v1/cases/{number}/email-change", {"account_id": MAREK_ID, "approved_by": "x"}
                        ).status_code == 403, "the assistant's key cannot approve"
    assert login_of(backend, MAREK_ID) == "marek@zielinski-domena.pl"
    assert not [e for e in backend.audit() if e["action"] == "email_changed_by_staff"]
    assert approve(backend, number).status_code == 200, "refusals left the case open"


def test_only_documents_cases_are_approved(tmp_path):
    backend = make_backend(tmp_path)
    response = backend.post("/api/v1/cases", {"reason": "human_handoff", "contact_email": "a@b.pl",
                                              "conversation_id": "sio:h"})
    assert approve(backend, response.json()["case_number"]).json() == {"error": "not_a_documents_case"}


def test_with_whmcs_in_ticket_mode_an_approval_still_changes_the_client(tmp_path):
    """EMAIL_CHANGE_MODE=staff turns customers' own changes into tickets; a person's approval is the
    person acting, so WHMCS gets UpdateClient."""
    from fake_whmcs import FakeWhmcs
    from test_whmcs import wait_for_index, whmcs_env
    fake = FakeWhmcs()
    try:
        backend = make_backend(tmp_path, EMAIL_CHANGE_MODE="staff", **whmcs_env(fake))
        wait_for_index(backend)
        number = documents_case(backend)
        assert backend.post(f"/api/v1/cases/{number}/email-change", {"account_id": 1, "approved_by": "Ola"},
                            key=STAFF_KEY).status_code == 200
        assert fake.clients[1]["email"] == "marek@nowa-domena.pl"
        assert "UpdateClient" in [action for action, _ in fake.actions]
    finally:
        fake.close()


def test_a_documents_file_that_is_no_mapping_stops_the_start_naming_the_file(tmp_path):
    listed = tmp_path / "documents.yml"
    listed.write_text("- dowód osobisty\n- odpis KRS\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_documents(listed)
    assert str(listed) in str(refused.value)

