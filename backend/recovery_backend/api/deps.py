"""What routes depend on: the services, the caller's role, the recovery token bound to its
conversation, and the per-token counters. The key itself is checked by a middleware (app.py)
before any body is read; the role dependencies declare the scheme in the OpenAPI document."""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader

from contact_rules import to_e164

from ..rate_limits import Limited
from ..services import Services
from ..verification import TokenGrant
from .errors import ApiError

API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False,
                       description="BACKEND_API_KEY (the action server) or BACKEND_STAFF_KEY (staff tools)")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services  # set by create_app (Starlette's state is untyped)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def assistant(request: Request, _key: Optional[str] = Security(API_KEY)) -> None:
    if request.state.role != "assistant":
        raise ApiError(403, "forbidden")


def staff(request: Request, _key: Optional[str] = Security(API_KEY)) -> None:
    if request.state.role != "staff":
        raise ApiError(403, "forbidden")


def token_grant(services: ServicesDep, x_recovery_token: str = Header(default="", max_length=200),
                x_conversation_id: str = Header(default="", max_length=200)) -> TokenGrant:
    # The token works only from the conversation it was earned in (issue 9 C1).
    grant = services.verification.grant_for_token(x_recovery_token, x_conversation_id)
    if grant is None:
        raise ApiError(403, "token_invalid")
    return grant


GrantDep = Annotated[TokenGrant, Depends(token_grant)]


def correction_grant(services: ServicesDep, x_recovery_token: str = Header(default="", max_length=200),
                     x_conversation_id: str = Header(default="", max_length=200)) -> TokenGrant:
    grant = services.verification.grant_for_correction(x_recovery_token, x_conversation_id)
    if grant is None:
        raise ApiError(403, "token_invalid")
    return grant


CorrectionGrantDep = Annotated[TokenGrant, Depends(correction_grant)]


def count_use(services: Services, grant: TokenGrant, counter: str, limit: int) -> int:
    """One more use of the token for `counter`; 429 once `limit` uses are spent."""
    left = services.verification.use_token(grant, counter, limit)
    if left is None:
        raise ApiError(429, "rate_limited", retry_after=services.verification.seconds_left(grant))
    return left


def client_key(x_client_key: str = Header(
        default="", max_length=200,
        description="Who the channel saw sending (the web chat's client address), set by the action server; "
                    "limits count per client, or per conversation without it")) -> str:
    return x_client_key


ClientKeyDep = Annotated[str, Depends(client_key)]


def limit(services: Services, operation: str, client_key: str, conversation: Optional[str]) -> None:
    """One more `operation` for this client and for everybody; 429 with retry_after when a limit is reached."""
    try:
        services.limits.hit(operation, services.limits.client(client_key, conversation))
    except Limited as limited:
        raise ApiError(429, "rate_limited", retry_after=limited.retry_after) from None


def e164_or_422(text: str) -> str:
    e164 = to_e164(text)
    if e164 is None:
        raise ApiError(422, "invalid_phone")
    return e164
