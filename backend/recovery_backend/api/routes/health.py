"""Liveness and readiness (no key needed) and Prometheus metrics (METRICS_TOKEN)."""
from __future__ import annotations

import hmac

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ...metrics import CONTENT_TYPE_LATEST
from ...ports import SyncedAccountSource
from ..deps import ServicesDep
from ..schemas import HealthAnswer, ReadyAnswer

router = APIRouter(tags=["health"])


@router.get("/api/v1/health", response_model=HealthAnswer)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/healthz", response_model=HealthAnswer)
def live() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={200: {"model": ReadyAnswer}, 503: {"model": ReadyAnswer, "description": "Not ready"}})
def ready(services: ServicesDep) -> JSONResponse:
    """Readiness: the database answers and the phone index is fresh enough to decide "registered?"."""
    checks: dict[str, str | float | None] = {}
    ready = True
    try:
        with services.engine.connect() as db:
            db.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        checks["database"], ready = type(error).__name__, False
    if isinstance(services.accounts, SyncedAccountSource):
        age = services.accounts.index_age()
        checks["phone_index_age_seconds"] = None if age is None else round(age, 1)
        if age is None or age > services.settings.index_max_age_seconds:
            ready = False
    return JSONResponse({"status": "ready" if ready else "not_ready", **checks}, status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response, include_in_schema=False)
def prometheus(request: Request, services: ServicesDep) -> Response:
    """Counts of starts and deliveries tell an observer how traffic goes, so only a scraper holding
    METRICS_TOKEN (as a bearer token) reads them; without the token set, there are no metrics."""
    configured = services.settings.metrics_token
    token = configured.get_secret_value() if configured is not None else ""
    given = request.headers.get("authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return JSONResponse({"error": "not_found"}, status_code=404)
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
