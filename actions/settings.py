"""The action server's configuration: company facts from company.yml; where it listens,
its secret, the backend's address and key from the environment (read here only).

| variable | default | meaning |
| --- | --- | --- |
| ACTIONS_HOST / ACTIONS_PORT | 127.0.0.1 / 5055 | where the action server listens |
| ACTION_SERVER_TOKEN | — (required, 16+ characters) | the secret Rasa sends as `Authorization: Bearer …` |
| LOG_LEVEL | INFO | the action server's log level |
| BACKEND_URL | http://127.0.0.1:8000 | the account backend |
| BACKEND_API_KEY | — (required) | the action server's key for the backend |
| BACKEND_CONNECT_TIMEOUT / BACKEND_READ_TIMEOUT | 2 / 5 (seconds) | one backend call at most |
| ACTION_DEADLINE | 6 (seconds) | all backend calls of one customer message together |
| BACKEND_MAX_PARALLEL | 32 | backend calls in flight at once (thread pool and connection pool) |
| CONVERSATION_SEAL_KEY | — (a random key per process) | encrypts phones, e-mails and the proof token kept in the
  conversation state; set the same value on every action server |
| COMPANY_FILE | company.yml in the repository | company facts |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Company:
    name: str
    panel_url: str
    password_reset_url: str
    change_password_article_url: str
    contact_url: str
    documents_email: str
    ceidg_url: str
    hours_text: str


@dataclass(frozen=True)
class BackendSettings:
    url: str
    api_key: str
    connect_timeout: float
    read_timeout: float
    action_deadline: float = 6.0
    max_parallel: int = 32


@dataclass(frozen=True)
class ActionServerSettings:
    host: str
    port: int
    token: str
    log_level: str


@lru_cache(maxsize=1)
def company() -> Company:
    path = Path(os.environ.get("COMPANY_FILE", REPO / "company.yml"))
    return Company(**yaml.safe_load(path.read_text(encoding="utf-8")))


def backend_settings() -> BackendSettings:
    return BackendSettings(
        url=os.environ.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
        api_key=os.environ.get("BACKEND_API_KEY", ""),
        connect_timeout=float(os.environ.get("BACKEND_CONNECT_TIMEOUT", "2")),
        read_timeout=float(os.environ.get("BACKEND_READ_TIMEOUT", "5")),
        action_deadline=float(os.environ.get("ACTION_DEADLINE", "6")),
        max_parallel=int(os.environ.get("BACKEND_MAX_PARALLEL", "32")),
    )


def action_server_settings() -> ActionServerSettings:
    return ActionServerSettings(
        host=os.environ.get("ACTIONS_HOST", "127.0.0.1"),
        port=int(os.environ.get("ACTIONS_PORT", "5055")),
        token=os.environ.get("ACTION_SERVER_TOKEN", ""),
        log_level=os.environ.get("LOG_LEVEL", "INFO"),
    )


def seal_key() -> str:
    return os.environ.get("CONVERSATION_SEAL_KEY", "")
