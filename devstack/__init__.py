"""Starts the real parts of the assistant — account backend, action server and
Rasa — as subprocesses on free loopback ports, for the tests and the benchmark (both import it
from here, so bench/ needs nothing of tests/); and
what several Rasa instances run on: nginx in front, a PostgreSQL cluster and a
Redis server of their own (restartable: the fault tests restart them), or the machine's
PostgreSQL and Redis; the scaled set-up itself (two Rasa instances on one conversation store and
one lock store: `Stack.scaled_endpoints`, `Stack.start_scaled`). devstack/fake_http.py: the HTTP
server every fake provider of the tests stands on.

Plain standard library on purpose: both Python environments (Rasa's 3.10 and
the backend's 3.11) import it (psycopg2, for the machine's PostgreSQL, only where it is used).
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parents[1]
ASSISTANT_BIN = REPO / ".venv" / "bin"
BACKEND_PYTHON = REPO / "backend" / ".venv" / "bin" / "python"
TEST_ACCOUNTS = REPO / "tests" / "fixtures" / "accounts.yml"
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONWARNINGS": "ignore"}
CODE_IN_SMS = re.compile(r"\b(\d{6})\b")
# The conversation store every assistant runs on (runtime/tracker_store.py).
TRACKER_STORE = "runtime.tracker_store.RedactingSQLTrackerStore"
LOCK_STORE = "scaling.redis_lock.AtomicRedisLockStore"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# The machine's own PostgreSQL and Redis (tests/scaling and the benchmark run on them; the fault
# tests and the web chat across instances run servers of their own, PostgresCluster and RedisServer).
MACHINE_POSTGRES = {"host": os.environ.get("POSTGRES_HOST", "127.0.0.1"), "port": int(os.environ.get("POSTGRES_PORT", "5432")),
                    "user": os.environ.get("POSTGRES_USER", "postgres"), "password": os.environ.get("POSTGRES_PASSWORD", "")}
MACHINE_REDIS = {"host": os.environ.get("REDIS_HOST", "127.0.0.1"), "port": int(os.environ.get("REDIS_PORT", "6379"))}


def spoken_code(text: str) -> str:
    """The code as a listener hears it: a call reads each digit on its own ("… 1. 2. 3. …"), twice."""
    return "".join(re.findall(r"\b(\d)\.", text)[:6])


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

    def start(self, timeout: float = 60) -> Service:
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
    second_rasa_port: int = field(default_factory=free_port)  # the scaled set-up's second instance, "rasa-2"
    web_port: int = field(default_factory=free_port)  # the help page, the one origin allowed to call Rasa
    rest_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def sms_outbox(self) -> Path:
        return self.workdir / "sms-outbox.jsonl"

    @property
    def voice_outbox(self) -> Path:
        return self.workdir / "voice-outbox.jsonl"

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

    @property
    def second_rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.second_rasa_port}"

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
            "VOICE_OUTBOX": str(self.voice_outbox),
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
            "HANDOVER_PUSH_TOKEN": "",
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
                   port: Optional[int] = None, name: str = "rasa", stock: bool = False) -> None:
        """`stock`: Rasa's own `rasa run`, without this project's start-up patches and probes
        (the benchmark's baseline, as Rasa ships it)."""
        port = port or self.rasa_port
        server = [str(ASSISTANT_BIN / "rasa")] if stock else [str(ASSISTANT_BIN / "python"), "-m", "runtime.rasa_server"]
        ready = f"status?token={self.rasa_token}" if stock else "readyz"  # Rasa's /status: 409 until the model is loaded
        service = self._service(
            name,
            [*server, "run", "--model", str(model or latest_model()),
             "--endpoints", str(endpoints or self.endpoints_file()),
             "--credentials", str(REPO / "credentials.yml"),
             "--interface", "127.0.0.1", "--port", str(port), "--cors", f"http://127.0.0.1:{self.web_port}",
             "--enable-api", f"--auth-token={self.rasa_token}"],
            REPO, f"http://127.0.0.1:{port}/{ready}",
        )
        self.services[name] = service.start(timeout=180)

    def scaled_endpoints(self, postgres: dict[str, Any], database: str, redis: dict[str, Any], key_prefix: str,
                         redis_db: int = 0) -> Path:
        """The endpoints of the scaled set-up (endpoints-scaled.yml): every instance keeps its
        conversations in `database` on the PostgreSQL server `postgres` and locks them in Redis
        (`redis`, database `redis_db`, keys starting with `key_prefix`). The servers are given as
        MACHINE_POSTGRES / MACHINE_REDIS, or a PostgresCluster's or RedisServer's `connection`."""
        return self.endpoints_file(
            tracker_store={"type": TRACKER_STORE, "dialect": "postgresql", "url": postgres["host"], "port": postgres["port"],
                           "db": database, "username": postgres["user"], "password": postgres["password"]},
            lock_store={"type": LOCK_STORE, "url": redis["host"], "port": redis["port"], "db": redis_db,
                        "key_prefix": key_prefix})

    def start_second_rasa(self, endpoints: Path, model: Optional[Path] = None) -> None:
        self.start_rasa(model=model, endpoints=endpoints, port=self.second_rasa_port, name="rasa-2")

    def start_scaled(self, endpoints: Path, model: Optional[Path] = None) -> Stack:
        """The scaled set-up: backend, action server and two Rasa instances on `endpoints`
        (scaled_endpoints), "rasa" on rasa_port and "rasa-2" on second_rasa_port, loading their
        model side by side."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_backend()
        self.start_actions()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for started in [pool.submit(self.start_rasa, model=model, endpoints=endpoints),
                            pool.submit(self.start_second_rasa, endpoints, model)]:
                started.result()
        return self

    def start_all(self) -> Stack:
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

    # What a customer would hear on the phone: the text each call read aloud.
    def calls(self, to: Optional[str] = None) -> list[dict]:
        if not self.voice_outbox.exists():
            return []
        lines = [json.loads(line) for line in self.voice_outbox.read_text().splitlines() if line.strip()]
        return [call for call in lines if to is None or call["to"] == to]

    def latest_code(self, to: str, timeout: float = 10) -> str:
        """The code last sent to `to`, by SMS or read aloud by a call (whichever came last)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = []
            messages, calls = self.sms_messages(to), self.calls(to)
            if messages and CODE_IN_SMS.search(messages[-1]["text"]):
                found.append((self.sms_outbox.stat().st_mtime, CODE_IN_SMS.search(messages[-1]["text"]).group(1)))
            if calls and len(spoken_code(calls[-1]["text"])) == 6:
                found.append((self.voice_outbox.stat().st_mtime, spoken_code(calls[-1]["text"])))
            if found:
                return max(found)[1]
            time.sleep(0.1)
        raise AssertionError(f"no code for {to} in {self.sms_outbox} or {self.voice_outbox}")

    def emails(self, to: Optional[str] = None) -> list[dict]:
        if not self.email_outbox.exists():
            return []
        lines = [json.loads(line) for line in self.email_outbox.read_text().splitlines() if line.strip()]
        return [mail for mail in lines if to is None or mail["to"] == to]

    def cases(self) -> list[dict]:
        """Every case, as staff tools list them (the backend's staff API)."""
        request = urllib.request.Request(f"{self.backend_url}/api/v1/cases", headers={"X-API-Key": self.staff_key})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["cases"]

    def tracker(self, conversation_id: str, rasa_url: Optional[str] = None) -> dict:
        """The whole tracker (every session's events) from Rasa's HTTP API."""
        query = urllib.parse.urlencode({"token": self.rasa_token, "include_events": "ALL"})
        url = f"{rasa_url or self.rasa_url}/conversations/{urllib.parse.quote(conversation_id, safe=':')}/tracker?{query}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def say(self, sender: str, text: str, metadata: Optional[dict] = None, rasa_url: Optional[str] = None,
            idempotency_key: Optional[str] = None) -> list[dict]:
        """One user message through the authenticated REST channel (conversation `rest:<sender>`);
        returns the bot's messages."""
        body = json.dumps({"sender": sender, "message": text, "metadata": metadata or {}}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(f"{rasa_url or self.rasa_url}/webhooks/rest/webhook", data=body,
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def own_servers_missing(nginx: bool = False) -> list[str]:
    """What running a PostgreSQL cluster and a Redis server of our own (and nginx, if asked) needs
    and this machine lacks."""
    needed = [POSTGRES_BIN / "initdb", Path(REDIS_SERVER), *([Path(NGINX)] if nginx else [])]
    missing = [str(path) for path in needed if not path.exists()]
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser")  # PostgreSQL runs as `postgres` (_as_postgres)
    return missing


def postgres_admin(server: dict[str, Any] = MACHINE_POSTGRES) -> Any:
    """An autocommit connection to the `postgres` database of a PostgreSQL server (psycopg2: Rasa's
    environment has it)."""
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", connect_timeout=3, **server)
    connection.autocommit = True
    return connection


@contextlib.contextmanager
def own_database(prefix: str, server: dict[str, Any] = MACHINE_POSTGRES) -> Iterator[str]:
    """A database of our own on a PostgreSQL server (named `prefix`_<random>), dropped afterwards
    even while connections still hold it."""
    admin = postgres_admin(server)
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        try:
            yield name
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        admin.close()


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


class Nginx:
    """nginx in the foreground with its own prefix, balancing round-robin (a conversation hops).

    A connection refused (an instance that died) goes to the next instance. A request already
    sent when its instance died is not resent by nginx (`non_idempotent` is off): the client
    sees a 502 and resends it with its Idempotency-Key, which makes the resend safe
    (channels/rest.py); nginx cannot tell a keyed request from one without a key."""

    def __init__(self, workdir: Path):
        self.workdir, self.port, self.process = workdir / "nginx", free_port(), None
        self.workdir.mkdir(parents=True, exist_ok=True)

    def start(self, upstream_ports: list[int]) -> str:
        self.stop()
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in upstream_ports)
        temp = self.workdir / "temp"
        temp.mkdir(exist_ok=True)
        (self.workdir / "nginx.conf").write_text(f"""
worker_processes 1;
error_log {self.workdir}/error.log warn;
pid {self.workdir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
  upstream rasa {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }}
  }}
}}
""")
        self.process = subprocess.Popen([NGINX, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"),
                                         "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_for_http(f"{self.url}/", self.process, 20, self.workdir / "error.log")
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresCluster:
    """A PostgreSQL cluster of our own (initdb in a temporary directory, trust on loopback),
    so it can be restarted without touching the machine's."""

    def __init__(self) -> None:
        self.port = free_port()
        # Not under pytest's directories: those are 0700 root, and the server may run as `postgres`.
        self.root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        self.data = self.root / "data"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(_as_postgres([str(POSTGRES_BIN / command[0]), *command[1:]]), check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def _ctl(self, *action: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", options, *action)

    def start(self) -> PostgresCluster:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        self._ctl("start")
        return self

    def restart(self) -> None:
        """What an operator's `pg_ctl restart -m fast` does: every connection is cut."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # not running
                self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str) -> str:
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                  "-q", "-c", f"CREATE DATABASE {name}")
        return name

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def connection(self) -> dict[str, Any]:
        """How to reach it (psycopg2's keywords; Stack.scaled_endpoints takes them too)."""
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres", "password": ""}


class RedisServer:
    """redis-server of our own, without persistence (a restart loses every key, the harder case)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir, self.port, self.process = workdir, free_port(), None
        self.workdir.mkdir(parents=True, exist_ok=True)

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def restart(self, pause: float = 1.0) -> None:
        self.stop()
        time.sleep(pause)  # a gap in which every client call fails
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def connection(self) -> dict[str, Any]:
        """How to reach it (redis-py's keywords; Stack.scaled_endpoints takes them too)."""
        return {"host": "127.0.0.1", "port": self.port}
