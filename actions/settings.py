"""The action server's configuration: company facts from company.yml; where it listens, its
secret, the backend's address and key from the environment, read here only, by one typed class.

The class is pydantic 1's BaseSettings: Rasa 3.6 pins pydantic below 1.10.10 and this process
shares Rasa's environment, while pydantic-settings needs pydantic 2. docs/deploy.md's table is
written from it (`make settings-tables`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseSettings, Field, SecretStr, ValidationError

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
    hours_text_en: str = ""          # the same hours for English answers (hours_text when empty)


@dataclass(frozen=True)
class BackendSettings:
    url: str
    api_key: str
    connect_timeout: float
    read_timeout: float
    action_deadline: float = 6.0
    max_parallel: int = 32


def setting(default: Any, variable: str, meaning: str, shown: Optional[str] = None) -> Any:
    """A field read from `variable`; `shown` is the default as the table writes it, when needed."""
    return Field(default, env=variable, description=meaning, **({"shown_default": shown} if shown else {}))


class ActionServerSettings(BaseSettings):
    host: str = setting("127.0.0.1", "ACTIONS_HOST", "where the action server listens")
    port: int = setting(5055, "ACTIONS_PORT", "the action server's port")
    token: SecretStr = setting("", "ACTION_SERVER_TOKEN",
                               "the secret Rasa sends as `Authorization: Bearer …` (16+ characters)",
                               shown="— (required)")
    log_level: str = setting("INFO", "LOG_LEVEL", "the action server's log level")
    backend_url: str = setting("http://127.0.0.1:8000", "BACKEND_URL", "the account backend")
    backend_api_key: SecretStr = setting("", "BACKEND_API_KEY", "the action server's key for the backend",
                                         shown="— (required)")
    backend_connect_timeout: float = setting(2.0, "BACKEND_CONNECT_TIMEOUT", "seconds to connect to the backend")
    backend_read_timeout: float = setting(5.0, "BACKEND_READ_TIMEOUT", "seconds to wait for the backend's answer")
    action_deadline: float = setting(
        6.0, "ACTION_DEADLINE",
        "seconds all backend calls of one customer message may take together (one deadline per action, no retries)")
    backend_max_parallel: int = setting(
        32, "BACKEND_MAX_PARALLEL",
        "backend calls in flight at once per action server (its thread pool and connection pool)")
    conversation_seal_key: SecretStr = setting(
        "", "CONVERSATION_SEAL_KEY",
        "encrypts phones, e-mails and the proof token kept in the conversation state (actions/sealing.py); "
        "the same on every action server", shown="— (a random key per process)")
    company_file: Path = setting(REPO / "company.yml", "COMPANY_FILE", "company facts (URLs, contact, hours text)",
                                 shown="`company.yml`")

    class Config:
        case_sensitive = True


def action_server_settings() -> ActionServerSettings:
    """The settings from the environment, or a stop naming each wrong variable (never its value)."""
    try:
        return ActionServerSettings()
    except ValidationError as error:
        fields = ActionServerSettings.__fields__
        raise SystemExit("the action server cannot start:\n" + "\n".join(
            f"  - {fields[str(problem['loc'][0])].field_info.extra['env']}: {problem['msg']}"
            for problem in error.errors())) from None


@lru_cache(maxsize=1)
def company() -> Company:
    path = action_server_settings().company_file
    return Company(**yaml.safe_load(path.read_text(encoding="utf-8")))


def backend_settings() -> BackendSettings:
    settings = action_server_settings()
    return BackendSettings(
        url=settings.backend_url.rstrip("/"),
        api_key=settings.backend_api_key.get_secret_value(),
        connect_timeout=settings.backend_connect_timeout,
        read_timeout=settings.backend_read_timeout,
        action_deadline=settings.action_deadline,
        max_parallel=settings.backend_max_parallel,
    )


def seal_key() -> str:
    return action_server_settings().conversation_seal_key.get_secret_value()
