"""Every error answer is JSON `{"error": "<code>", ...}`; no exception reaches a caller as text."""
from __future__ import annotations

import logging
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("recovery_backend.api")

# What a route's `responses=` documents, keyed by status code: FastAPI's declared type.
Responses = dict[int | str, dict[str, Any]]


class ApiError(Exception):
    def __init__(self, status: int, code: str, **extra: Any):
        super().__init__(code)
        self.status, self.body = status, {"error": code, **extra}


class ErrorAnswer(BaseModel):
    error: str
    retry_after: Optional[int] = None
    reason: Optional[str] = None


_DESCRIBED = {400: "Control characters in the path or query", 401: "Missing or wrong X-API-Key",
              403: "Wrong role, or token_invalid / attestation_invalid", 404: "not_found",
              410: "Link no longer valid", 422: "invalid_request / invalid_phone / invalid_email / not_callable (with reason) / …",
              409: "Conflicts with the resource's state (a case already resolved, not a documents case; "
                   "not_correctable: no pending e-mail change of this proof to correct)",
              429: "rate_limited, with retry_after seconds",
              503: "A provider the request needs (the account source) is unavailable"}


def answers(*codes: int) -> Responses:
    """The error answers a keyed route can give, for the OpenAPI document (all JSON ErrorAnswer)."""
    return {code: {"model": ErrorAnswer, "description": _DESCRIBED[code]} for code in (400, 401, 422) + codes}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        retry_after = error.body.get("retry_after")
        # The header for HTTP clients and proxies, the body field for the action server (the same number).
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return JSONResponse(error.body, status_code=error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, _error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = getattr(error, "headers", None)
        if error.status_code == 405:
            # Starlette names only the first route matching the path; a path served by two routes
            # (GET and POST /api/v1/cases) allows both, so every method is tried against every route.
            allowed = [method for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
                       if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                              for route in request.app.routes)]
            headers = {"Allow": ", ".join(allowed)}
        return JSONResponse({"error": "not_found" if error.status_code == 404 else "invalid_request"},
                            status_code=error.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        # The type only: a database error's text could carry what the customer typed.
        log.error("unexpected error", extra={"error": type(error).__name__})
        return JSONResponse({"error": "internal"}, status_code=500)
