"""What a verified token allows, recovery cases, documents and office hours over HTTP."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from conftest import STAFF_KEY, make_backend

MAREK = "+48601234567"


def test_password_reset_mails_the_account_address(backend):
    token = backend.verified_token(MAREK)
    assert backend.post("/api/v1/recovery/password-reset", {"channel": "rest"}, token=token).status_code == 202
    mail = backend.emails()[-1]
    assert mail["to"] == "marek@zielinski-domena.pl" and "password/reset" in mail["body"]


def account_email(backend, account_id=9001) -> str:
    import sqlalchemy as sa

    from recovery_backend.storage import accounts
    engine = sa.create_engine(f"sqlite:///{backend.tmp_path / 'backend.sqlite3'}")
    with engine.connect() as db:
        return db.execute(sa.select(accounts.c.email).where(accounts.c.id == account_id)).scalar()


def test_email_change_applies_only_after_the_link_is_followed(backend):
    token = backend.verified_token(MAREK)
    response = backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl", "channel": "web"},
                            token=token)
    assert response.status_code == 202
    assert response.json() == {"status": "confirmation_sent", "masked_new_email": "ma***@n***.pl",
                               "applies_after": None}
    confirmation, notice = backend.emails()[-2:]
    assert confirmation["to"] == "marek@nowy.pl" and notice["to"] == "marek@zielinski-domena.pl"
    assert "ma***@n***.pl" in notice["body"] and "marek@nowy.pl" not in notice["body"]
    assert account_email(backend) == "marek@zielinski-domena.pl"
    link = next(word for word in confirmation["body"].split() if "/email-change/confirm" in word)
    token = parse_qs(urlparse(link).query)["t"][0]
    page = backend.client.get(urlparse(link).path, params={"t": token})
    assert page.status_code == 200 and "<form method='post'" in page.text
    assert account_email(backend) == "marek@zielinski-domena.pl", "opening the link (a mail scanner) changes nothing"
    confirmed = backend.client.post(urlparse(link).path, data={"t": token})
    assert confirmed.status_code == 200 and "zmieniony" in confirmed.text
    assert account_email(backend) == "marek@nowy.pl"
    again = backend.client.post(urlparse(link).path, data={"t": token})
    assert again.status_code == 410
    actions = [entry["action"] for entry in backend.audit()]
    assert actions == ["email_change_requested", "email_changed"]
    assert all("marek@" not in entry["details"] for entry in backend.audit())


def test_email_change_refuses_bad_and_same_addresses(backend):
    token = backend.verified_token(MAREK)
    for new_email, error in (("not-an-email", "invalid_email"), ("Marek@Zielinski-Domena.pl", "same_email")):
        response = backend.post("/api/v1/recovery/email-change", {"new_email": new_email}, token=token)
        assert response.status_code == 422 and response.json() == {"error": error}


def test_email_change_can_be_queued_for_staff(tmp_path):
    backend = make_backend(tmp_path, EMAIL_CHANGE_MODE="staff")
    token = backend.verified_token(MAREK)
    response = backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl"}, token=token)
    assert response.json()["status"] == "queued_for_staff"
    cases = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"]
    assert len(cases) == 1 and "ma***@n***.pl" in cases[0]["summary"] and "marek@nowy.pl" not in cases[0]["summary"]


def test_operations_need_a_token(backend):
    for method, path in (("get", "/api/v1/recovery/email-hint"), ("post", "/api/v1/recovery/password-reset"),
                         ("post", "/api/v1/recovery/email-change")):
        response = getattr(backend, method)(path) if method == "get" else backend.post(path, {"new_email": "a@b.pl"})
        assert response.status_code == 403 and response.json() == {"error": "token_invalid"}


def test_cases_get_numbers_and_the_next_opening(tmp_path):
    backend = make_backend(tmp_path, RECOVERY_NOW="2026-11-28T11:00:00+01:00")  # a Saturday
    response = backend.post("/api/v1/cases", {
        "reason": "documents", "account_type": "company", "contact_email": "biuro@firma.pl", "nip": "526-025-02-74",
        "channel": "web", "conversation_id": "c-1", "summary": "Firma, kod 123456 podany przez klienta"})
    assert response.status_code == 201
    body = response.json()
    assert body["case_number"] == "ODZ-20261128-0001"
    assert body["open_now"] is False and body["handled_from"] == "2026-11-30T09:00:00+01:00"
    listed = backend.get("/api/v1/cases", key=STAFF_KEY).json()["cases"][0]
    assert "123456" not in listed["summary"] and listed["nip"] == "5260250274"


def test_cases_check_nip_and_email(backend):
    base = {"reason": "documents", "channel": "web", "conversation_id": "c"}
    assert backend.post("/api/v1/cases", {**base, "nip": "1234567890"}).json() == {"error": "invalid_nip"}
    assert backend.post("/api/v1/cases", {**base, "contact_email": "x@"}).json() == {"error": "invalid_email"}
    assert backend.post("/api/v1/cases", {**base, "reason": "other"}).status_code == 422


def test_documents_per_account_type(backend):
    private = backend.get("/api/v1/documents", account_type="private").json()
    company = backend.get("/api/v1/documents", account_type="company").json()
    assert private["send_to"] == company["send_to"] == "info@kylos.pl"
    assert any("dowodu" in item for item in private["documents"])
    assert any("zakryć zdjęcie i numer" in note for note in private["notes"])
    assert any("KRS" in item for item in company["documents"]) and any("CEIDG" in item for item in company["documents"])
    assert backend.get("/api/v1/documents", account_type="alien").status_code == 422


def test_office_hours_endpoint_follows_the_pinned_clock(tmp_path):
    closed = make_backend(tmp_path, RECOVERY_NOW="2026-12-24T10:00:00+01:00").get("/api/v1/office-hours").json()
    assert closed["open_now"] is False and closed["next_opening"] == "2026-12-28T09:00:00+01:00"
    opened = make_backend(tmp_path / "b", RECOVERY_NOW="2026-11-24T16:59:00+01:00").get("/api/v1/office-hours").json()
    assert opened["open_now"] is True




def test_openapi_document_is_served(backend):
    spec = backend.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/phone-verifications" in spec["paths"] and "/api/v1/cases" in spec["paths"]
