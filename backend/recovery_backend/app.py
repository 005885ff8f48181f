"""The HTTP application: the services, the checks every request passes (control characters,
the key, latency measured), the error answers, and the routers (api/routes/)."""
from __future__ import annotations

import hmac
import logging
import re
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import RequestResponseEndpoint

from .api.errors import install_error_handlers
from .api.routes import cases, documents, email_change_links, handovers, health, office_hours, phone_verifications, recovery, voice_status
from .api.schemas import CONTROL
from .services import build_services
from .settings import Settings

# One line per request (docs/operations.md): the action server's request id and the conversation's
# pseudonym when it sends them (letters, digits, `-` and `_` only: nothing a caller writes reaches the log).
requests_log = logging.getLogger("recovery.requests")
_TRACE_VALUE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _trace(value: str | None) -> str | None:
    return value if value and _TRACE_VALUE.fullmatch(value) else None

# Paths under /api/v1/ that need no key.
OPEN_API_PATHS = ("/api/v1/health", "/api/v1/openapi.json")


def create_app(settings: Settings) -> FastAPI:
    services = build_services(settings)
    settings = services.settings  # with the code secret filled in
    services.start()

    app = FastAPI(title="Kylos account recovery backend", version="1.0.0",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.services = services
    app.router.on_shutdown.append(services.stop)
    install_error_handlers(app)

    @app.middleware("http")
    async def refuse_control_characters(request: Request, call_next: RequestResponseEndpoint) -> Response:
        # Path and query (e.g. a verification id with %00) are checked before anything reads them.
        if CONTROL.search(request.url.path) or CONTROL.search(str(request.query_params)) or \
                "%00" in request.url.query:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        return await call_next(request)

    @app.middleware("http")
    async def require_key(request: Request, call_next: RequestResponseEndpoint) -> Response:
        # Authentication runs before body parsing so that a caller without a key learns nothing.
        path = request.url.path
        if path.startswith("/api/v1/") and path not in OPEN_API_PATHS:
            given = request.headers.get("x-api-key", "")
            if hmac.compare_digest(given.encode(), settings.api_key.get_secret_value().encode()):
                request.state.role = "assistant"
            elif settings.staff_key and hmac.compare_digest(given.encode(), settings.staff_key.get_secret_value().encode()):
                request.state.role = "staff"
            else:
                return JSONResponse({"error": "unauthorized"}, status_code=401)
        return await call_next(request)

    @app.middleware("http")
    async def measure(request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        elapsed = time.perf_counter() - started
        services.metrics.latency.labels(route, request.method, str(response.status_code)).observe(elapsed)
        if route.startswith("/api/v1/") and route not in OPEN_API_PATHS:
            requests_log.info("request", extra={
                "event": "request", "request_id": _trace(request.headers.get("x-request-id")),
                "conversation": _trace(request.headers.get("x-conversation-ref")), "route": route,
                "method": request.method, "status": response.status_code, "ms": round(elapsed * 1000)})
        return response

    for resource in (health, phone_verifications, recovery, email_change_links, cases, documents, office_hours,
                     voice_status, handovers):
        app.include_router(resource.router)
    return app
