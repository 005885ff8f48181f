"""1 and 2 Rasa instances behind nginx, sharing a PostgreSQL conversation store
and a Redis lock store (the scaled set-up of endpoints-scaled.yml), under the
same scripted load: the throughput ratio, and where each message's CPU goes.

Uses its own PostgreSQL database (created and dropped here) and its own Redis
database number, so nothing else on the machine is touched.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator

from bench.conversations import Load, cpu_seconds
from tests.stack import Stack, free_port, wait_for_http

PG = {"host": os.environ.get("POSTGRES_HOST", "127.0.0.1"), "port": int(os.environ.get("POSTGRES_PORT", "5432")),
      "user": os.environ.get("POSTGRES_USER", "postgres"), "password": os.environ.get("POSTGRES_PASSWORD", "")}
REDIS = {"host": os.environ.get("REDIS_HOST", "127.0.0.1"), "port": int(os.environ.get("REDIS_PORT", "6379"))}
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def own_database() -> Iterator[str]:
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    admin.autocommit = True
    name = f"bench_speed_{secrets.token_hex(4)}"
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def database_pids(database: str) -> list[int]:
    """The PostgreSQL server processes serving our database (its share of the CPU)."""
    import psycopg2

    with psycopg2.connect(dbname="postgres", connect_timeout=3, **PG) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))
        return [row[0] for row in cursor.fetchall()]


class Nginx:
    """nginx in the foreground with its own prefix, balancing round-robin (a conversation hops)."""

    def __init__(self, workdir: Path):
        self.workdir, self.port, self.process = workdir / "nginx", free_port(), None
        self.workdir.mkdir(parents=True, exist_ok=True)

    def start(self, upstream_ports: list[int]) -> str:
        self.stop()
        servers = "\n".join(f"    server 127.0.0.1:{port};" for port in upstream_ports)
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


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


def scale_out(model: Path, workdir: Path, phones: list[str], workers: int, conversations_per_worker: int,
              repetitions: int) -> dict:
    stack = Stack(workdir)
    stack.accounts = workdir / "accounts.yml"
    nginx = Nginx(workdir)
    with own_database() as database:
        endpoints = stack.endpoints_file(
            tracker_store={"type": "runtime.tracker_store.RedactingSQLTrackerStore", "dialect": "postgresql",
                           "url": PG["host"], "port": PG["port"], "db": database, "username": PG["user"],
                           "password": PG["password"]},
            lock_store={"type": "scaling.redis_lock.AtomicRedisLockStore", "url": REDIS["host"], "port": REDIS["port"],
                        "db": BENCH_REDIS_DB, "key_prefix": f"benchspeed{secrets.token_hex(3)}"})
        second = free_port()
        try:
            stack.start_backend()
            stack.start_actions()
            stack.start_rasa(model=model, endpoints=endpoints)
            stack.start_rasa(model=model, endpoints=endpoints, port=second, name="rasa-2")
            load = Load(stack, phones)
            rasa_pids = {name: (lambda n=name: [stack.services[n].process.pid]) for name in ("rasa", "rasa-2")}
            parts = {"Rasa": lambda: rasa_pids["rasa"]() + rasa_pids["rasa-2"](),
                     "action server": lambda: [stack.services["actions"].process.pid],
                     "backend": lambda: [stack.services["backend"].process.pid],
                     "PostgreSQL": lambda: database_pids(database), "nginx": nginx.pids}
            results = {}
            for instances, ports in ((1, [stack.rasa_port]), (2, [stack.rasa_port, second])):
                load.rasa_url = nginx.start(ports)
                load.at_once(2, 1)  # warm-up: connections, first session of each instance
                before = {name: cpu_seconds(pids) for name, pids in parts.items()}
                runs = [load.at_once(workers, conversations_per_worker) for _ in range(repetitions)]
                after = {name: cpu_seconds(pids) for name, pids in parts.items()}
                messages = sum(run["messages"] for run in runs)
                results[instances] = {"runs": runs, "cpu_ms_per_message": {
                    name: (after[name] - before[name]) * 1000 / messages for name in parts}}
            results["failures"] = load.failures
            return results
        finally:
            nginx.stop()
            stack.stop()
            time.sleep(1)  # the store's connections close before the database is dropped
