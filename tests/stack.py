"""Starts the real parts of the assistant — account backend, action server and
Rasa — as subprocesses on free loopback ports, for tests and benchmarks.

Plain standard library on purpose: both Python environments (Rasa's 3.10 and
the backend's 3.11) import it.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
ASSISTANT_BIN = REPO / ".venv" / "bin"
BACKEND_PYTHON = REPO / "backend" / ".venv" / "bin" / "python"
TEST_ACCOUNTS = REPO / "tests" / "fixtures" / "accounts.yml"
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONWARNINGS": "ignore"}
CODE_IN_SMS = re.compile(r"\b(\d{6})\b")
# The conversation store every assistant runs on (runtime/tracker_store.py).
TRACKER_STORE = "runtime.tracker_store.RedactingSQLTrackerStore"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def latest_model() -> Path:
    chosen = os.environ.get("RASA_MODEL")
    if chosen:
        return Path(chosen)
    models = sorted((REPO / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("No trained model in models/: run `make train` first")
    return models[-1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}; log:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s; log:\n{log.read_text()[-4000:]}")


@dataclass
class Service:
    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    health_url: str
    log: Path
    process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 60) -> "Service":
        log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_http(self.health_url, self.process, timeout, self.log)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Stack:
    """One assistant: backend + action server + (optionally) Rasa, in `workdir`."""

    workdir: Path
    accounts: Path = TEST_ACCOUNTS
    recovery_now: Optional[str] = None
    extra_env: dict[str, str] = field(default_factory=dict)
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    staff_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    attestation_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # Rasa's HTTP API (trackers) is on in tests, behind this token only.
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    backend_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)  # the help page, the one origin allowed to call Rasa
    rest_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def sms_outbox(self) -> Path:
        return self.workdir / "sms-outbox.jsonl"

    @property
    def email_outbox(self) -> Path:
        return self.workdir / "email-outbox.jsonl"

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}/webhook"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            **QUIET,
            "RECOVERY_ENV": "development",
            "BACKEND_URL": self.backend_url,
            "BACKEND_API_KEY": self.api_key,
            "BACKEND_STAFF_KEY": self.staff_key,
            "CONVERSATION_SEAL_KEY": self.attestation_secret + "-seal",
            "ACTION_SERVER_TOKEN": self.action_token,
            "DATABASE_URL": f"sqlite:///{self.workdir / 'backend.sqlite3'}",
            "ACCOUNTS_FIXTURE": str(self.accounts),
            "SMS_OUTBOX": str(self.sms_outbox),
            "EMAIL_OUTBOX": str(self.email_outbox),
            "SMS_SENDER": "outbox",
            "EMAIL_SENDER": "outbox",
            "CONNECTOR_ATTESTATION_SECRET": self.attestation_secret + "-connector",
            "REST_API_TOKEN": self.rest_token,
            "CHAT_SESSION_SECRET": self.attestation_secret + "-chat",
            "CHAT_ALLOWED_ORIGINS": f"http://127.0.0.1:{self.web_port}",
            "TELEGRAM_BOT_TOKEN": "",
            "TELEGRAM_WEBHOOK_SECRET": "",
            "TELEGRAM_API_BASE": "",
            "SLACK_BOT_TOKEN": "",
            "SLACK_SIGNING_SECRET": "",
            "SLACK_API_BASE": "",
        }
        env.pop("RECOVERY_NOW", None)
        if self.recovery_now:
            env["RECOVERY_NOW"] = self.recovery_now
        env.update(self.extra_env)
        return env

    def _service(self, name: str, command: list[str], cwd: Path, health_url: str) -> Service:
        return Service(name, command, cwd, self.env(), health_url, self.workdir / f"{name}.log")

    def start_backend(self) -> None:
        env_port = {"BACKEND_HOST": "127.0.0.1", "BACKEND_PORT": str(self.backend_port)}
        service = self._service("backend", [str(BACKEND_PYTHON), "-m", "recovery_backend"], REPO / "backend",
                                f"{self.backend_url}/api/v1/health")
        service.env.update(env_port)
        self.services["backend"] = service.start(timeout=30)

    def restart_backend(self, recovery_now: Optional[str] = None) -> None:
        """Same database and outboxes, new clock: what a restart keeps is what users keep."""
        self.services.pop("backend").stop()
        self.recovery_now = recovery_now
        self.start_backend()

    def start_actions(self) -> None:
        service = self._service(
            "actions",
            [str(ASSISTANT_BIN / "python"), "-m", "runtime.action_server", "--host", "127.0.0.1",
             "--port", str(self.actions_port)],
            REPO, f"http://127.0.0.1:{self.actions_port}/readyz",
        )
        self.services["actions"] = service.start(timeout=60)

    def endpoints_file(self, tracker_store: Optional[dict] = None, lock_store: Optional[dict] = None) -> Path:
        endpoints = {"action_endpoint": {"url": self.actions_url,
                                         "headers": {"Authorization": f"Bearer {self.action_token}"}}}
        endpoints["tracker_store"] = tracker_store or {
            "type": TRACKER_STORE, "dialect": "sqlite", "db": str(self.workdir / "rasa-tracker.sqlite3"),
        }
        if lock_store:
            endpoints["lock_store"] = lock_store
        path = self.workdir / "endpoints.yml"
        path.write_text(json.dumps(endpoints))  # JSON is YAML
        return path

    def start_rasa(self, model: Optional[Path] = None, endpoints: Optional[Path] = None,
                   port: Optional[int] = None, name: str = "rasa") -> None:
        port = port or self.rasa_port
        service = self._service(
            name,
            [str(ASSISTANT_BIN / "python"), "-m", "runtime.rasa_server", "run", "--model", str(model or latest_model()),
             "--endpoints", str(endpoints or self.endpoints_file()),
             "--credentials", str(REPO / "credentials.yml"),
             "--interface", "127.0.0.1", "--port", str(port), "--cors", f"http://127.0.0.1:{self.web_port}",
             "--enable-api", f"--auth-token={self.rasa_token}"],
            REPO, f"http://127.0.0.1:{port}/readyz",
        )
        self.services[name] = service.start(timeout=180)

    def start_all(self) -> "Stack":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_backend()
        self.start_actions()
        self.start_rasa()
        return self

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()
        self.services.clear()

    # What a customer would read on their phone.
    def sms_messages(self, to: Optional[str] = None) -> list[dict]:
        if not self.sms_outbox.exists():
            return []
        lines = [json.loads(line) for line in self.sms_outbox.read_text().splitlines() if line.strip()]
        return [message for message in lines if to is None or message["to"] == to]

    def latest_code(self, to: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.sms_messages(to)
            if messages:
                match = CODE_IN_SMS.search(messages[-1]["text"])
                if match:
                    return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no SMS code for {to} in {self.sms_outbox}")

    def emails(self, to: Optional[str] = None) -> list[dict]:
        if not self.email_outbox.exists():
            return []
        lines = [json.loads(line) for line in self.email_outbox.read_text().splitlines() if line.strip()]
        return [mail for mail in lines if to is None or mail["to"] == to]

    def tracker(self, conversation_id: str, rasa_url: Optional[str] = None) -> dict:
        """The whole tracker (every session's events) from Rasa's HTTP API."""
        query = urllib.parse.urlencode({"token": self.rasa_token, "include_events": "ALL"})
        url = f"{rasa_url or self.rasa_url}/conversations/{urllib.parse.quote(conversation_id, safe=':')}/tracker?{query}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def say(self, sender: str, text: str, metadata: Optional[dict] = None, rasa_url: Optional[str] = None) -> list[dict]:
        """One user message through the authenticated REST channel (conversation `rest:<sender>`);
        returns the bot's messages."""
        body = json.dumps({"sender": sender, "message": text, "metadata": metadata or {}}).encode()
        request = urllib.request.Request(
            f"{rasa_url or self.rasa_url}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
