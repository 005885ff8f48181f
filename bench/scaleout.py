"""1 and 2 Rasa instances behind nginx, sharing a PostgreSQL conversation store
and a Redis lock store (the scaled set-up of endpoints-scaled.yml), under the
same scripted load: the throughput ratio, and where each message's CPU goes.

Uses its own PostgreSQL database (created and dropped here) and its own Redis
database number, so nothing else on the machine is touched.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from bench.conversations import NO_REQUEST_LIMITS, Load, cpu_seconds
from devstack import MACHINE_POSTGRES, MACHINE_REDIS, Nginx, Stack, own_database, postgres_admin

BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))


def database_pids(database: str) -> list[int]:
    """The PostgreSQL server processes serving our database (its share of the CPU)."""
    admin = postgres_admin()
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))
            return [row[0] for row in cursor.fetchall()]
    finally:
        admin.close()


def scale_out(model: Path, workdir: Path, phones: list[str], workers: int, conversations_per_worker: int,
              repetitions: int) -> dict:
    stack = Stack(workdir, extra_env=NO_REQUEST_LIMITS)
    stack.accounts = workdir / "accounts.yml"
    nginx = Nginx(workdir)
    with own_database("bench_speed") as database:
        endpoints = stack.scaled_endpoints(MACHINE_POSTGRES, database, MACHINE_REDIS, f"benchspeed{secrets.token_hex(3)}",
                                           redis_db=BENCH_REDIS_DB)
        try:
            stack.start_scaled(endpoints, model=model)
            load = Load(stack, phones)
            rasa_pids = {name: (lambda n=name: [stack.services[n].process.pid]) for name in ("rasa", "rasa-2")}
            parts = {"Rasa": lambda: rasa_pids["rasa"]() + rasa_pids["rasa-2"](),
                     "action server": lambda: [stack.services["actions"].process.pid],
                     "backend": lambda: [stack.services["backend"].process.pid],
                     "PostgreSQL": lambda: database_pids(database), "nginx": nginx.pids}
            results = {}
            for instances, ports in ((1, [stack.rasa_port]), (2, [stack.rasa_port, stack.second_rasa_port])):
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
