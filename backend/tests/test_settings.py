"""Issue 19 #1: one typed settings class; a wrong value stops the start naming the variable (never
its value); secrets never printed; backend/README.md's table is the class's."""
from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import BACKEND, base_env

from recovery_backend.settings import Settings

sys.path.insert(0, str(BACKEND.parent / "scripts"))
import settings_tables  # noqa: E402


def test_the_readme_table_is_written_from_the_class():
    assert settings_tables.stale("backend") == ""


@pytest.mark.parametrize("variable, value", [
    ("BACKEND_PORT", "eighty"), ("SMS_SENDER", "pigeon"), ("OUTBOX_WORKERS", "-"), ("RECOVERY_NOW", "2026-11-28T11:00"),
    ("SMTP_STARTTLS", "perhaps"), ("RECOVERY_ENV", "staging"),
])
def test_a_wrong_value_stops_the_start_naming_its_variable(tmp_path, variable, value):
    with pytest.raises(SystemExit) as refused:
        Settings.from_env(base_env(tmp_path, **{variable: value}))
    assert variable in str(refused.value.code)


def test_a_short_key_is_refused_without_echoing_it(tmp_path):
    with pytest.raises(SystemExit) as refused:
        Settings.from_env(base_env(tmp_path, BACKEND_API_KEY="sekret-short"))
    assert "BACKEND_API_KEY" in str(refused.value.code) and "sekret-short" not in str(refused.value.code)


def test_secrets_never_appear_when_settings_are_printed(tmp_path):
    settings = Settings.from_env(base_env(tmp_path, SMTP_PASSWORD="smtp-pass-123", CODE_SECRET="c" * 40))
    shown = repr(settings) + str(settings.model_dump())
    assert "smtp-pass-123" not in shown and "c" * 40 not in shown and settings.api_key.get_secret_value() not in shown


def test_empty_variables_mean_their_defaults(tmp_path):
    settings = Settings.from_env(base_env(tmp_path, SMTP_PORT="", OFFICE_CLOSED_DATES="2026-12-24, 2026-12-31"))
    assert settings.smtp_port == 25 and settings.extra_closed_dates == ("2026-12-24", "2026-12-31")


def test_the_process_reads_its_environment_and_says_what_is_wrong_without_a_traceback(tmp_path):
    env = {**base_env(tmp_path), "BACKEND_PORT": "eighty", "PATH": "/usr/bin:/bin"}
    finished = subprocess.run([sys.executable, "-m", "recovery_backend"], cwd=BACKEND, env=env,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "BACKEND_PORT" in finished.stderr and "Traceback" not in finished.stderr


@pytest.mark.parametrize("chosen", [
    {"SMS_SENDER": "smsapi", "VOICE_SENDER": "smsapi", "VOICE_CALLBACK_SECRET": "callback-secret-0123"},
    {"SMS_SENDER": "serwersms", "VOICE_SENDER": "serwersms"},
])
def test_every_provider_gets_its_secret_as_text_not_a_secret_wrapper(tmp_path, chosen):
    from recovery_backend.wiring import sms_delivery, voice_delivery
    token = {"SMSAPI_TOKEN": "provider-token-1"} if "smsapi" in chosen.values() else {"SERWERSMS_TOKEN": "provider-token-1"}
    settings = Settings.from_env(base_env(tmp_path, **chosen, **token))
    for sender in (sms_delivery(settings), voice_delivery(settings)):
        assert sender.session.headers["Authorization"] == "Bearer provider-token-1"
    if chosen["VOICE_SENDER"] == "smsapi":
        assert voice_delivery(settings).notify_url.endswith("/voice-status/smsapi/callback-secret-0123")
