"""The backend under test: in-process (FastAPI's TestClient) for the rules, and
as a real process on a loopback port where restarts and timing matter."""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from recovery_backend.app import create_app
from recovery_backend.settings import Settings

BACKEND = Path(__file__).resolve().parents[1]
FIXTURE = BACKEND.parent / "tests" / "fixtures" / "accounts.yml"
API_KEY = "test-assistant-key-0123456789"
STAFF_KEY = "test-staff-key-0123456789"
CODE = re.compile(r"\b(\d{6})\b")


def base_env(tmp_path: Path, **extra: str) -> dict:
    return {
        "RECOVERY_ENV": "development", "BACKEND_API_KEY": API_KEY, "BACKEND_STAFF_KEY": STAFF_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'backend.sqlite3'}", "ACCOUNTS_FIXTURE": str(FIXTURE),
        "SMS_OUTBOX": str(tmp_path / "sms.jsonl"), "EMAIL_OUTBOX": str(tmp_path / "mail.jsonl"),
        "VOICE_OUTBOX": str(tmp_path / "calls.jsonl"),
        # One outbox worker sends in the order the backend queued (by id): the tests read a confirmation
        # and its notice by position. With four, the two could land in the file either way round
        # (a clean-clone CI run saw it); test_outbox.py runs four on purpose.
        "OUTBOX_WORKERS": "1", **extra,
    }


class Backend:
    def __init__(self, client, tmp_path: Path):
        self.client, self.tmp_path = client, tmp_path
        self.conversations: dict[str, str] = {}  # token -> the conversation it was earned in

    def headers(self, key, token, conversation):
        headers = {"X-API-Key": key}
        if token:
            headers["X-Recovery-Token"] = token
            headers["X-Conversation-Id"] = conversation or self.conversations.get(token, "")
        return headers

    def post(self, path, body=None, token=None, key=API_KEY, conversation=None):
        return self.client.post(path, json=body or {}, headers=self.headers(key, token, conversation))

    def patch(self, path, body=None, key=API_KEY):
        return self.client.patch(path, json=body or {}, headers={"X-API-Key": key})

    def get(self, path, token=None, key=API_KEY, conversation=None, **params):
        return self.client.get(path, headers=self.headers(key, token, conversation), params=params)

    def start(self, phone, conversation="conv-1", client=None):
        """`client`: the X-Client-Key the action server passes on (the web chat's client address)."""
        return self.client.post("/api/v1/phone-verifications", json={"phone": phone, "conversation_id": conversation},
                                headers={"X-API-Key": API_KEY, **({"X-Client-Key": client} if client else {})})

    def sms(self) -> list[dict]:
        deliveries = getattr(getattr(self.client.app.state, "services", None), "outbox", None) if hasattr(self.client, "app") else None
        if deliveries:
            deliveries.join()
        path = self.tmp_path / "sms.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def calls(self) -> list[dict]:
        """What the development voice sender would have read aloud, one entry per call placed."""
        self.client.app.state.services.outbox.join()
        path = self.tmp_path / "calls.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def start_call(self, phone, conversation="conv-1", language="pl"):
        return self.post("/api/v1/phone-verifications", {"phone": phone, "conversation_id": conversation,
                                                         "delivery": "call", "language": language})

    def code_for(self, phone) -> str:
        return CODE.search([m for m in self.sms() if m["to"] == phone][-1]["text"]).group(1)

    def audit(self, outbox: bool = False) -> list[dict]:
        """Audit entries; deliveries (outbox_*) only when asked."""
        self.client.app.state.services.outbox.join()
        return [e for e in self.client.app.state.services.audit.entries() if outbox or not e["action"].startswith("outbox_")]

    def emails(self) -> list[dict]:
        self.client.app.state.services.outbox.join()
        path = self.tmp_path / "mail.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def verified_token(self, phone, conversation="conv-1") -> str:
        verification = self.start(phone, conversation).json()["verification_id"]
        result = self.post(f"/api/v1/phone-verifications/{verification}/check", {"code": self.code_for(phone)})
        token = result.json()["token"]
        self.conversations[token] = conversation
        return token


_running_apps: list = []


def make_backend(tmp_path: Path, **env: str) -> Backend:
    settings = Settings.from_env(base_env(tmp_path, **env))
    app = create_app(settings)
    _running_apps.append(app)
    return Backend(TestClient(app), tmp_path)


@pytest.fixture(autouse=True)
def _stop_background_work():
    """Each in-process app runs outbox workers (and maybe an index sync): stopped after each test."""
    yield
    while _running_apps:
        for handler in _running_apps.pop().router.on_shutdown:
            handler()


@pytest.fixture
def backend(tmp_path) -> Backend:
    return make_backend(tmp_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BackendProcess:
    """The service as users run it: `python -m recovery_backend`."""

    def __init__(self, tmp_path: Path, **env: str):
        self.port = free_port()
        self.env = {**os.environ, **base_env(tmp_path, **env), "BACKEND_PORT": str(self.port)}
        self.log = (tmp_path / "backend.log").open("ab")
        self.process = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> BackendProcess:
        self.process = subprocess.Popen([sys.executable, "-m", "recovery_backend"], cwd=BACKEND, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("backend did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def postgres_url():
    admin_url = os.environ.get("POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"backend_test_{secrets.token_hex(4)}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is not running here")
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Both databases the backend supports, for the tests where they behave differently."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backend.sqlite3'}"
    return request.getfixturevalue("postgres_url")
