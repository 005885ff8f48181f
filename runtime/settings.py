"""The Rasa process's own settings, read from the environment in one place (the channels'
secrets come through credentials.yml, the stores' addresses through endpoints*.yml; Rasa reads
those). `make purge` shares them.

| variable | default | meaning |
| --- | --- | --- |
| REDIS_URL | — | where channels remember delivery ids already handled (may carry a password) |
| REDIS_HOST / REDIS_PORT / REDIS_DB | — / 6379 / 0 | the scaled set-up's Redis, used when REDIS_URL is unset; no host: ids kept in memory |
| STORE_RETRY_SECONDS | 10 | how long a lost conversation database is retried before a message fails |
| TRACKER_RETENTION_DAYS | 30 | `make purge` deletes conversations whose last message is older |
| RASA_ENDPOINTS | endpoints.yml | the endpoints file (its tracker store is the one purged) |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class RasaProcessSettings:
    redis_url: str
    store_retry_seconds: float
    tracker_retention_days: float
    endpoints: str


def _redis_url(env: Mapping[str, str]) -> str:
    if env.get("REDIS_URL"):
        return env["REDIS_URL"]
    host = env.get("REDIS_HOST", "")
    if not host:
        return ""
    return f"redis://{host}:{env.get('REDIS_PORT') or 6379}/{env.get('REDIS_DB') or 0}"


def rasa_process_settings(env: Optional[Mapping[str, str]] = None) -> RasaProcessSettings:
    env = os.environ if env is None else env
    return RasaProcessSettings(
        redis_url=_redis_url(env),
        store_retry_seconds=float(env.get("STORE_RETRY_SECONDS", "10")),
        tracker_retention_days=float(env.get("TRACKER_RETENTION_DAYS", "30")),
        endpoints=env.get("RASA_ENDPOINTS", "endpoints.yml"),
    )
