"""Limits on what an anonymous chat user can make the backend do for free (issue 17 #1):
starts of phone verifications, code checks and cases, counted per client (the web chat's
IP address as the channel saw it, carried by the action server in `X-Client-Key`; the
conversation when a channel has no such key) and for the whole service, plus a daily budget of
SMS an operator sets. The per-number and per-conversation rules stay in the database next to
the rows they count (verification.py, cases.py).

`limits` does the counting: moving windows, thread-safe in memory for one backend process, and
atomic in Redis (RATE_LIMIT_STORAGE=redis://…) when several replicas must share the counts. No
database table: these counts are short-lived and hot, the wrong load for SQLite's one writer.
Keys are HMACs of the client key, so the limiter's storage never holds an IP address."""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from typing import Optional

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("recovery_backend.rate_limits")


class Limited(Exception):
    def __init__(self, retry_after: int, what: str):
        super().__init__(f"{what}: retry after {retry_after}s")
        self.retry_after, self.what = retry_after, what


def parse_rules(text: str) -> tuple[RateLimitItem, ...]:
    """`limits` notation, several separated by semicolons: "10/minute;60/hour"; `none` (or empty) =
    no limit. An empty environment variable keeps the default (settings ignore empty variables)."""
    return () if text.strip().lower() in ("", "none") else tuple(parse_many(text))


class RateLimits:
    def __init__(self, storage_uri: str, key_prefix: str, secret: bytes, rules: dict[str, str],
                 sms_per_day: int):
        options = {"key_prefix": key_prefix} if storage_uri.startswith(("redis://", "rediss://")) else {}
        self._storage = storage_from_string(storage_uri, **options)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._secret = secret
        # rules: "<operation>.<scope>" -> limits text, e.g. "start.client" -> "10/minute;60/hour".
        self._rules = {name: self._parse(name, text) for name, text in rules.items()}
        self._budget = parse_rules(f"{sms_per_day}/day") if sms_per_day > 0 else ()

    @staticmethod
    def _parse(name: str, text: str) -> tuple[RateLimitItem, ...]:
        operation, scope = name.split(".")
        try:
            return parse_rules(text)
        except ValueError:
            variable = f"{operation.upper()}_LIMITS_{'PER_CLIENT' if scope == 'client' else 'GLOBAL'}"
            raise SystemExit(f"{variable} must be in `limits` notation, e.g. 10/minute;60/hour "
                             f"(`none` = no limit), not {text!r}") from None

    def client(self, client_key: Optional[str], conversation_id: Optional[str]) -> Optional[str]:
        """Who is counted: the client the channel saw, else the conversation itself (None: nobody)."""
        scope, value = ("client", client_key) if client_key else ("conversation", conversation_id)
        if not value:
            return None
        return hmac.new(self._secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, operation: str, client: Optional[str]) -> None:
        """Counts one `operation` for `client` (if any) and for everybody; Limited when a window is full."""
        for scope, key in (("client", client), ("global", "all")):
            if not key:
                continue
            for item in self._rules.get(f"{operation}.{scope}", ()):
                if not self._limiter.hit(item, operation, scope, key):
                    raise Limited(self._retry_after(item, operation, scope, key), f"{operation} per {scope}")

    def sms_budget_left(self) -> None:
        """Limited once today's SMS budget is spent (asked on every start: the same for every number)."""
        for item in self._budget:
            if not self._limiter.test(item, "sms", "budget"):
                raise Limited(self._retry_after(item, "sms", "budget"), "daily SMS budget")

    def spend_sms(self) -> bool:
        """One SMS (or provider verification) of today's budget; False when it is spent."""
        return all(self._limiter.hit(item, "sms", "budget") for item in self._budget)

    def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        reset = self._limiter.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset - time.time()))

    def reset(self) -> None:
        """Forget every count (this process's, or every key under the Redis prefix)."""
        self._storage.reset()
