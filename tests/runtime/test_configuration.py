"""Every address from one place (scripts/env.sh): Rasa calls the action server it was
started with, relative paths mean the repository, every variable is documented."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import time
import urllib.request

import pytest

from devstack import ASSISTANT_BIN, QUIET, REPO, free_port, latest_model

DOCS = (REPO / "docs" / "deploy.md", REPO / "backend" / "README.md")


def env_after_sourcing(**overrides: str) -> dict[str, str]:
    """The environment scripts/env.sh produces from `overrides` (nothing else inherited)."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), **overrides}
    output = subprocess.run(["bash", "-c", "set -euo pipefail; source scripts/env.sh; env -0"], cwd=REPO,
                            env=base, check=True, capture_output=True).stdout.decode()
    return dict(item.split("=", 1) for item in output.split("\0") if "=" in item)


def rasa_reads(endpoints: str, section: str, env: dict[str, str]) -> dict:
    script = ("import json, sys; from rasa.utils.endpoints import read_endpoint_config as r; "
              f"c = r({endpoints!r}, {section!r}); print(json.dumps({{'url': c.url, 'headers': c.headers, 'type': c.type, "
              "'kwargs': c.kwargs}))")
    result = subprocess.run([str(ASSISTANT_BIN / "python"), "-c", script], cwd=REPO, env={**env, **QUIET},
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rasa_calls_the_action_server_on_the_configured_port_with_the_secret(tmp_path):
    env = env_after_sourcing(VAR_DIR=str(tmp_path), ACTIONS_PORT="6123", ACTION_SERVER_TOKEN="t" * 32)
    action = rasa_reads("endpoints.yml", "action_endpoint", env)
    assert action["url"] == "http://127.0.0.1:6123/webhook"
    assert action["headers"] == {"Authorization": "Bearer " + "t" * 32}


def test_an_action_server_url_that_disagrees_with_the_port_is_not_used(tmp_path):
    env = env_after_sourcing(VAR_DIR=str(tmp_path), ACTIONS_PORT="6124", ACTION_SERVER_URL="http://127.0.0.1:5055/webhook")
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:6124/webhook"


def test_relative_paths_are_resolved_against_the_repository(tmp_path):
    env = env_after_sourcing(VAR_DIR=str(tmp_path), ACCOUNTS_FIXTURE="tests/fixtures/accounts.yml",
                             SMS_OUTBOX="var-test/sms.jsonl")
    assert env["ACCOUNTS_FIXTURE"] == str(REPO / "tests" / "fixtures" / "accounts.yml")
    assert env["SMS_OUTBOX"] == str(REPO / "var-test" / "sms.jsonl")
    assert rasa_reads("endpoints.yml", "tracker_store", env)["kwargs"]["db"] == str(tmp_path / "rasa-tracker.sqlite3")


def test_development_secrets_are_made_once_private_and_kept(tmp_path):
    first = env_after_sourcing(VAR_DIR=str(tmp_path))
    second = env_after_sourcing(VAR_DIR=str(tmp_path))
    for name in ("BACKEND_API_KEY", "ACTION_SERVER_TOKEN", "CONVERSATION_SEAL_KEY"):
        assert len(first[name]) >= 32 and first[name] == second[name]
    assert stat.S_IMODE((tmp_path / "dev-secrets.env").stat().st_mode) == 0o600


VARIABLE_READ = re.compile(r"""(?:environ|env)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
YAML_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]+)\}")
SHELL_DEFAULT = re.compile(r"\$\{([A-Z][A-Z0-9_]+):-")


def variables_read_by_the_project() -> set[str]:
    found: set[str] = set()
    for pattern, files in (
        (YAML_VARIABLE, ["endpoints.yml", "endpoints-scaled.yml", "credentials.yml"]),
        (SHELL_DEFAULT, ["scripts/env.sh", "scripts/run.sh", "scripts/rasa.sh"]),
    ):
        for name in files:
            found |= set(pattern.findall((REPO / name).read_text()))
    # The settings classes' variables: their tables are written from the classes (scripts/settings_tables.py).
    for doc in DOCS:
        for table in re.findall(r"<!-- settings table \w+:.*?-->\n(.*?)<!-- end of settings table", doc.read_text(), re.S):
            found |= set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", table, flags=re.M))
    for folder in ("actions", "channels", "runtime", "scaling", "web", "backend/recovery_backend"):
        for path in (REPO / folder).rglob("*.py"):
            found |= set(VARIABLE_READ.findall(path.read_text(encoding="utf-8")))
    # Tools' own variables the scripts only pass on, not the project's configuration.
    return found - {"PATH", "HOME", "TF_CPP_MIN_LOG_LEVEL", "SQLALCHEMY_SILENCE_UBER_WARNING", "PYTHONWARNINGS",
                    "RASA_TELEMETRY_ENABLED", "PYENV_VERSION", "CI",
                    "HTTP_HOST", "HTTP_ORIGIN"}  # request headers in a WSGI/ASGI environ, not variables


def test_every_variable_is_documented_with_its_default_in_docs_deploy():
    documented = {name for doc in DOCS for name in re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", doc.read_text(), flags=re.M)}
    missing = sorted(variables_read_by_the_project() - documented)
    assert not missing, f"add a setting to its process's settings class (or a row to docs/deploy.md) for: {missing}"


@pytest.fixture
def running(tmp_path):
    """`make run`'s script on free ports, a relative accounts fixture and its own data folder."""
    ports = {name: str(free_port()) for name in ("BACKEND_PORT", "ACTIONS_PORT", "RASA_PORT", "WEB_PORT")}
    env = {**os.environ, **ports, "VAR_DIR": str(tmp_path / "var"), "ACCOUNTS_FIXTURE": "tests/fixtures/accounts.yml",
           "RASA_MODEL": str(latest_model())}
    for name in ("BACKEND_URL", "ACTION_SERVER_URL", "DATABASE_URL", "SMS_OUTBOX", "EMAIL_OUTBOX", "BACKEND_API_KEY",
                 "ACTION_SERVER_TOKEN", "RASA_ENDPOINTS", "RASA_TRACKER_DB", "RECOVERY_NOW", "REST_API_TOKEN",
                 "CHAT_ALLOWED_ORIGINS", "CHAT_SESSION_SECRET"):
        env.pop(name, None)
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(["scripts/run.sh"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while b"The assistant is running" not in (tmp_path / "run.log").read_bytes():
            assert process.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "scripts/run.sh did not start"
            time.sleep(0.5)
        yield ports, tmp_path / "var"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_make_run_on_other_ports_with_a_relative_fixture_serves_a_whole_verification(running):
    ports, var = running
    rasa = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"
    secrets = dict(line.split("=", 1) for line in (var / "dev-secrets.env").read_text().splitlines())

    def say(text: str) -> str:
        body = json.dumps({"sender": "run-sh-test", "message": text}).encode()
        request = urllib.request.Request(rasa, data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {secrets['REST_API_TOKEN']}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return " ".join(m.get("text", "") for m in json.loads(response.read()))

    say("nie działa mi skrzynka mailowa, domena wygasła")
    say("601 234 567")
    outbox = var / "sms-outbox.jsonl"
    deadline = time.monotonic() + 10   # the backend may deliver after it answered (uniform timing)
    while not outbox.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    sms = [json.loads(line) for line in outbox.read_text().splitlines()]
    # The backend loaded the relative fixture and the actions reached it through the configured ports.
    assert [m["to"] for m in sms] == ["+48601234567"]
    for path in var.iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is readable by others"


@pytest.fixture
def redis_with_password(tmp_path):
    """A redis-server of this test's own that refuses clients without its password."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--requirepass", "redis-pass-1", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_scaled_set_up_reaches_a_redis_with_a_password_and_asks_postgresql_for_tls(tmp_path, redis_with_password):
    """Issue 19 #8: REDIS_PASSWORD reaches the lock store and the channels' delivery ids,
    POSTGRES_SSLMODE the conversation store."""
    scaled = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_with_password), "REDIS_DB": "0",
              "POSTGRES_HOST": "db", "POSTGRES_PORT": "5432", "POSTGRES_DB": "c", "POSTGRES_USER": "u",
              "POSTGRES_PASSWORD": "p"}
    env = env_after_sourcing(VAR_DIR=str(tmp_path), REDIS_PASSWORD="redis-pass-1", POSTGRES_SSLMODE="verify-full", **scaled)
    assert rasa_reads("endpoints-scaled.yml", "tracker_store", env)["kwargs"]["query"] == {"sslmode": "verify-full"}
    assert env_after_sourcing(VAR_DIR=str(tmp_path), **scaled)["POSTGRES_SSLMODE"] == "prefer"
    script = ("from rasa.utils.endpoints import read_endpoint_config; from scaling.redis_lock import AtomicRedisLockStore; "
              "from runtime.settings import rasa_process_settings; import redis; "
              "AtomicRedisLockStore(read_endpoint_config('endpoints-scaled.yml', 'lock_store')).red.ping(); "
              "redis.from_url(rasa_process_settings().redis_url).ping(); print('both answered')")
    for password, answered in (("redis-pass-1", True), ("", False)):
        env = env_after_sourcing(VAR_DIR=str(tmp_path), REDIS_PASSWORD=password, **scaled)
        result = subprocess.run([str(ASSISTANT_BIN / "python"), "-c", script], cwd=REPO, env={**env, **QUIET},
                                capture_output=True, text=True, timeout=120)
        assert ("both answered" in result.stdout) is answered, result.stderr[-2000:]
