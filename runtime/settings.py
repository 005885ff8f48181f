"""The Rasa process's own settings, read from the environment in one place, by one typed class
(the channels' secrets come through credentials.yml, the stores' addresses through endpoints*.yml;
Rasa reads those). `make purge` shares them.

The class is pydantic 1's BaseSettings: Rasa 3.6 pins pydantic below 1.10.10, while
pydantic-settings needs pydantic 2. docs/deploy.md's table is written from it (`make settings-tables`).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import quote

from pydantic import BaseSettings, Field, SecretStr, ValidationError


def setting(default: Any, variable: str, meaning: str, shown: Optional[str] = None) -> Any:
    """A field read from `variable`; `shown` is the default as the table writes it, when needed."""
    return Field(default, env=variable, description=meaning, **({"shown_default": shown} if shown else {}))


class RasaProcessSettings(BaseSettings):
    redis_url_given: SecretStr = setting(
        "", "REDIS_URL",
        "where channels remember delivery ids already handled and the REST channel the answers to "
        "`Idempotency-Key`s, for 10 minutes, and the web chat's rooms are shared between instances "
        "(may carry a password; set it with several Rasa instances)",
        shown="— (this process's memory)")
    redis_host: str = setting("", "REDIS_HOST", "the scaled set-up's Redis (also its lock store), used when "
                                                "REDIS_URL is unset")
    redis_port: int = setting(6379, "REDIS_PORT", "its port")
    redis_db: int = setting(0, "REDIS_DB", "its database number")
    redis_password: SecretStr = setting("", "REDIS_PASSWORD", "its password (empty: no AUTH)")
    store_retry_seconds: float = setting(10.0, "STORE_RETRY_SECONDS",
                                         "how long Rasa waits for a lost conversation database before a message fails")
    tracker_retention_days: float = setting(30.0, "TRACKER_RETENTION_DAYS",
                                            "`make purge` deletes conversations whose last message is older")
    action_server_token: SecretStr = setting(
        "", "ACTION_SERVER_TOKEN", "the secret Rasa sends the action server (endpoints.yml); it also keys the "
        "conversations' pseudonyms in logs and exports (runtime/pseudonym.py)", shown="— (required by `make run`)")
    endpoints: str = setting("endpoints.yml", "RASA_ENDPOINTS",
                             "the endpoints file: `endpoints-scaled.yml` for several instances (PostgreSQL + Redis); "
                             "its tracker store is the one purged")

    class Config:
        case_sensitive = True

    @property
    def redis_url(self) -> str:
        if self.redis_url_given.get_secret_value():
            return self.redis_url_given.get_secret_value()
        if not self.redis_host:
            return ""
        password = self.redis_password.get_secret_value()
        credentials = f":{quote(password, safe='')}@" if password else ""
        return f"redis://{credentials}{self.redis_host}:{self.redis_port}/{self.redis_db}"


class _FromMapping(RasaProcessSettings):
    """The same settings from a given mapping alone (the process environment ignored)."""

    class Config:
        @classmethod
        def customise_sources(cls, init_settings, env_settings, file_secret_settings):
            return (init_settings,)


def rasa_process_settings(env: Optional[Mapping[str, str]] = None) -> RasaProcessSettings:
    """The settings, or a stop naming each wrong variable (never its value)."""
    fields = RasaProcessSettings.__fields__
    try:
        if env is None:
            return RasaProcessSettings()
        return _FromMapping(**{name: env[field.field_info.extra["env"]] for name, field in fields.items()
                               if env.get(field.field_info.extra["env"])})
    except ValidationError as error:
        raise SystemExit("Rasa cannot start:\n" + "\n".join(
            f"  - {fields[str(problem['loc'][0])].field_info.extra['env']}: {problem['msg']}"
            for problem in error.errors())) from None
