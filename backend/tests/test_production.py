"""Issue 11 #4 and issue 9 L10, L16: a restart never resets data; production refuses demo data,
development senders and missing secrets, and says which."""
from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from conftest import API_KEY, BACKEND, FIXTURE, base_env, make_backend

from recovery_backend.settings import Settings
from recovery_backend.storage import accounts

PRODUCTION = {
    "RECOVERY_ENV": "production", "BACKEND_API_KEY": API_KEY, "BACKEND_STAFF_KEY": "staff-key-0123456789abcdef",
    "CODE_SECRET": "c" * 40, "ACCOUNT_SOURCE": "whmcs", "WHMCS_URL": "https://panel.example/includes/api.php",
    "WHMCS_IDENTIFIER": "id", "WHMCS_SECRET": "secret", "SMS_SENDER": "smsapi", "SMSAPI_TOKEN": "t",
    "EMAIL_SENDER": "smtp", "PUBLIC_BASE_URL": "https://pomoc.kylos.pl",
    "DATABASE_URL": "postgresql+psycopg://backend@db/backend", "CONNECTOR_ATTESTATION_SECRET": "a" * 32,
}


def emails_in(backend) -> dict:
    engine = sa.create_engine(f"sqlite:///{backend.tmp_path / 'backend.sqlite3'}")
    with engine.connect() as db:
        return dict(db.execute(sa.select(accounts.c.id, accounts.c.email)).all())


def test_a_restart_keeps_an_applied_email_change(tmp_path):
    backend = make_backend(tmp_path)
    token = backend.verified_token("+48601234567")
    backend.post("/api/v1/recovery/email-change", {"new_email": "marek@nowy.pl"}, token=token)
    link = next(w for w in backend.emails()[-2]["body"].split() if "/email-change/confirm" in w)
    backend.client.post(urlparse(link).path, data={"t": parse_qs(urlparse(link).query)["t"][0]})
    backend.client.get(urlparse(link).path, params={"t": parse_qs(urlparse(link).query)["t"][0]})
    assert emails_in(backend)[9001] == "marek@nowy.pl"
    restarted = make_backend(tmp_path)  # same database, same fixture: a second start
    assert emails_in(restarted)[9001] == "marek@nowy.pl", "the fixture never overwrites an account"


def test_fixtures_load_only_when_asked(tmp_path):
    env = base_env(tmp_path)
    del env["ACCOUNTS_FIXTURE"]
    from fastapi.testclient import TestClient

    from recovery_backend.app import create_app
    TestClient(create_app(Settings.from_env(env)))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'backend.sqlite3'}")
    with engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(accounts)).scalar() == 0


def test_a_relative_fixture_path_works_from_the_repository_root(tmp_path):
    relative = FIXTURE.relative_to(BACKEND.parent)
    assert Settings.from_env(base_env(tmp_path, ACCOUNTS_FIXTURE=str(relative))).accounts_fixture == FIXTURE


def test_production_settings_that_are_complete_start():
    settings = Settings.from_env({**PRODUCTION, "RECOVERY_NOW": "2020-01-01T12:00:00+01:00"})
    assert settings.pinned_now is None and settings.accounts_fixture is None


@pytest.mark.parametrize("change, named", [
    ({"CODE_SECRET": ""}, "CODE_SECRET"),
    ({"BACKEND_STAFF_KEY": ""}, "BACKEND_STAFF_KEY"),
    ({"ACCOUNTS_FIXTURE": str(FIXTURE)}, "ACCOUNTS_FIXTURE"),
    ({"ACCOUNT_SOURCE": "local"}, "ACCOUNT_SOURCE"),
    ({"SMS_SENDER": "outbox"}, "SMS_SENDER"),
    ({"SMSAPI_TOKEN": ""}, "SMSAPI_TOKEN"),
    ({"EMAIL_SENDER": "outbox"}, "EMAIL_SENDER"),
    ({"WHMCS_SECRET": ""}, "WHMCS_SECRET"),
    ({"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL"),
    ({"CONNECTOR_ATTESTATION_SECRET": ""}, "CONNECTOR_ATTESTATION_SECRET"),
])
def test_production_refuses_and_names_what_is_missing(change, named):
    with pytest.raises(SystemExit) as refused:
        Settings.from_env({**PRODUCTION, **change})
    assert named in str(refused.value.code)


@pytest.mark.parametrize("chosen, named", [
    ({"SMS_SENDER": "serwersms"}, "SERWERSMS_TOKEN"),
    ({"SMS_SENDER": "twilio_verify", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_VERIFY_SERVICE_SID"),
    ({"ACCOUNT_SOURCE": "whmcs", "WHMCS_URL": "https://panel.example/includes/api.php"}, "WHMCS_IDENTIFIER"),
])
def test_a_provider_without_its_secrets_stops_the_start_in_development_too(tmp_path, chosen, named):
    with pytest.raises(SystemExit) as refused:
        Settings.from_env(base_env(tmp_path, **chosen))
    assert named in str(refused.value.code)


def test_providers_are_configured_from_the_settings_alone(tmp_path):
    """Nothing reads the process environment behind the settings' back."""
    from recovery_backend.wiring import sms_delivery
    settings = Settings.from_env(base_env(tmp_path, SMS_SENDER="smsapi", SMSAPI_TOKEN="token-from-settings",
                                          SMSAPI_BASE_URL="http://127.0.0.1:9/"))
    sender = sms_delivery(settings)
    assert sender.base_url == "http://127.0.0.1:9"
    assert sender.session.headers["Authorization"] == "Bearer token-from-settings"


def test_production_refuses_a_database_with_the_demo_accounts(tmp_path):
    make_backend(tmp_path, ACCOUNTS_FIXTURE=str(BACKEND / "fixtures" / "demo-accounts.yml"))
    from recovery_backend.app import create_app
    settings = Settings.from_env({**PRODUCTION, "DATABASE_URL": "postgresql+psycopg://x@y/z"})
    settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'backend.sqlite3'}"})
    with pytest.raises(SystemExit) as refused:
        create_app(settings)
    assert "demo accounts" in str(refused.value.code)


def test_the_service_says_why_it_refuses_to_start(tmp_path):
    env = {**base_env(tmp_path), "RECOVERY_ENV": "production", "PATH": "/usr/bin:/bin"}
    finished = subprocess.run([sys.executable, "-m", "recovery_backend"], cwd=BACKEND, env=env,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    for name in ("CODE_SECRET", "ACCOUNTS_FIXTURE", "SMS_SENDER", "EMAIL_SENDER"):
        assert name in finished.stderr
