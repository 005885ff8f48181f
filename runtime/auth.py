"""Rasa → action server authentication: a shared secret in the Authorization header.

Rasa sends it from `action_endpoint.headers` in endpoints.yml. A header rather than
Rasa's `token:` option, which puts the secret in the URL, where access logs keep it.
"""
from __future__ import annotations

import hmac
from typing import Optional

from sanic import Sanic, response
from sanic.request import Request

# Probes and scrapers carry no secret; these answers carry no conversation.
OPEN_PATHS = frozenset({"/health", "/healthz", "/readyz", "/metrics"})
MIN_TOKEN_LENGTH = 16


def checked_token(token: str) -> str:
    """The configured secret, or a stop naming the variable when it is too short to protect."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise SystemExit(
            f"ACTION_SERVER_TOKEN must be set ({MIN_TOKEN_LENGTH}+ characters); Rasa sends it as "
            "'Authorization: Bearer …' (endpoints.yml). `make run` generates one."
        )
    return token


def bearer_matches(header: Optional[str], token: str) -> bool:
    return hmac.compare_digest((header or "").encode(), f"Bearer {token}".encode())


def require_bearer_token(app: Sanic, token: str) -> None:
    """Every request but the open paths needs the token; a refusal says nothing more."""

    @app.middleware("request")
    async def check_token(request: Request):
        if request.path in OPEN_PATHS:
            return None
        if not bearer_matches(request.headers.get("authorization"), token):
            return response.json({"error": "unauthorised"}, status=401,
                                 headers={"WWW-Authenticate": "Bearer"})
        return None
