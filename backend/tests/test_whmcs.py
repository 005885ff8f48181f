"""The WHMCS account source against a fake WHMCS on loopback."""
from __future__ import annotations

import pytest
from conftest import make_backend
from fake_whmcs import IDENTIFIER, SECRET, FakeWhmcs

from devstack.fake_http import FakeHttpServer
from recovery_backend.ports import ProviderError
from recovery_backend.providers import whmcs
from recovery_backend.providers.whmcs import WhmcsAccountSource, WhmcsApi
from recovery_backend.storage import create_engine


def wait_for_index(backend) -> None:
    import time
    deadline = time.monotonic() + 30
    while backend.client.app.state.services.accounts.index_age() is None and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def fake():
    running = FakeWhmcs()
    yield running
    running.close()


@pytest.fixture
def source(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(whmcs, "PAGE", 2)  # three clients: two pages
    return WhmcsAccountSource(fake.url, IDENTIFIER, SECRET, create_engine(f"sqlite:///{tmp_path / 'index.db'}"))


def test_phone_index_finds_clients_in_any_whmcs_phone_format(source, fake):
    assert source.refresh_index() == 3
    marek = source.find_by_phone("+48601234567")
    assert marek.id == 1 and marek.type == "private" and marek.email == "marek@zielinski-domena.pl"
    company = source.find_by_phone("+48602345678")
    assert company.type == "company" and company.nip == "5260250274"
    assert source.find_by_phone("+48221112233").id == 3
    assert source.find_by_phone("+48609999888") is None
    pages = [form["limitstart"] for action, form in fake.actions if action == "GetClients"]
    assert pages == ["0", "2"]


def test_lookups_never_call_whmcs_and_the_sync_is_full_then_incremental(source, fake):
    assert source.account_id_for_phone("+48601234567") is None and fake.actions == [], "no sync in a request"
    assert source.sync_once() == "full"
    assert source.account_id_for_phone("+48601234567") == 1 and source.index_age() < 5
    fake.add_client(7, "+48 605 000 777", "nowy@example.pl")
    before = len(fake.actions)
    assert source.sync_once() == "incremental"
    assert source.account_id_for_phone("+48605000777") == 7
    details = [form["clientid"] for action, form in fake.actions[before:] if action == "GetClientsDetails"]
    assert details == ["7"], "the incremental step fetched only the new client"


def test_one_replica_at_a_time_syncs(source, fake, tmp_path):
    assert source._take_lease(60) is True
    other = WhmcsAccountSource(fake.url, IDENTIFIER, SECRET, source.engine)
    assert other.sync_once() is None and fake.actions == []
    source._release_lease()
    assert other.sync_once() == "full"


def test_reset_and_email_change_go_to_whmcs(source, fake):
    source.refresh_index()
    marek = source.find_by_phone("+48601234567")
    source.send_password_reset(marek)
    source.change_email(marek, "marek@nowy.pl")
    assert fake.clients[1]["email"] == "marek@nowy.pl" and fake.users[0]["email"] == "marek@nowy.pl"
    assert [a for a, _ in fake.actions if a in ("ResetPassword", "UpdateClient", "GetUsers", "UpdateUser")] == \
        ["ResetPassword", "UpdateClient", "GetUsers", "UpdateUser"]


def test_email_change_can_become_a_ticket(fake, tmp_path):
    source = WhmcsAccountSource(fake.url, IDENTIFIER, SECRET, create_engine(f"sqlite:///{tmp_path / 'i.db'}"),
                                email_change_via_ticket=True)
    source.refresh_index()
    marek = source.find_by_phone("+48601234567")
    source.change_email(marek, "marek@nowy.pl")
    assert fake.clients[1]["email"] == "marek@zielinski-domena.pl"
    assert fake.tickets[0]["clientid"] == "1" and "marek@nowy.pl" not in fake.tickets[0]["message"]


def test_whmcs_errors_are_provider_errors(fake, tmp_path):
    wrong = WhmcsAccountSource(fake.url, IDENTIFIER, "wrong", create_engine(f"sqlite:///{tmp_path / 'w.db'}"))
    with pytest.raises(ProviderError) as error:
        wrong.refresh_index()
    assert "403" in str(error.value) and "Authentication Failed" in str(error.value)


def test_a_json_answer_that_is_no_object_is_a_provider_error():
    """A proxy or a broken WHMCS answering a JSON list is refused like any WHMCS error (it was read with .get)."""
    gateway = FakeHttpServer(lambda seen: (200, ["not", "an", "object"]))
    try:
        with pytest.raises(ProviderError) as error:
            WhmcsApi(f"{gateway.url}/includes/api.php", IDENTIFIER, SECRET).call("GetClients")
    finally:
        gateway.close()
    assert "GetClients" in str(error.value)


def whmcs_env(fake) -> dict:
    return {"ACCOUNT_SOURCE": "whmcs", "WHMCS_URL": fake.url, "WHMCS_IDENTIFIER": IDENTIFIER, "WHMCS_SECRET": SECRET}


def test_backend_recovers_a_whmcs_account(fake, tmp_path):
    backend = make_backend(tmp_path, **whmcs_env(fake))
    wait_for_index(backend)
    token = backend.verified_token("+48602345678")
    assert backend.get("/api/v1/recovery/email-hint", token=token).json() == {"masked_email": "bi***@p***.pl"}
    assert backend.post("/api/v1/recovery/password-reset", {}, token=token).status_code == 202
    assert tuple(a for a, _ in fake.actions if a == "ResetPassword") == ("ResetPassword", )


def test_cases_become_whmcs_tickets(fake, tmp_path):
    backend = make_backend(tmp_path, **whmcs_env(fake))
    case = backend.post("/api/v1/cases", {"reason": "documents", "channel": "web", "conversation_id": "c",
                                          "summary": "Sprawa: dokumenty, kod 123456"}).json()
    assert fake.tickets[-1]["subject"] == f"Odzyskanie dostępu {case['case_number']}"
    assert "123456" not in fake.tickets[-1]["message"]
