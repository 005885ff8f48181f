"""Proof that the customer holds a registered phone: an SMS code, or a connector's attestation."""
from __future__ import annotations

import logging
import time
from typing import Any, Optional

from fastapi import APIRouter, BackgroundTasks, Depends
from starlette.concurrency import run_in_threadpool

from contact_rules import mask_phone

from ... import attestation
from ...rate_limits import Limited
from ...services import Services
from ...verification import CheckResult, NotCallable, RateLimited
from ...verification import Started as VerificationStarted
from ..deps import ClientKeyDep, ServicesDep, assistant, e164_or_422, limit
from ..errors import ApiError, answers
from ..schemas import AttestedBody, CallAnswer, CheckAnswer, CheckBody, StartBody, Started

log = logging.getLogger("recovery_backend.api")
router = APIRouter(prefix="/api/v1/phone-verifications", tags=["phone verifications"],
                   dependencies=[Depends(assistant)])


def started_body(started: VerificationStarted) -> dict[str, Any]:
    return {"verification_id": started.verification_id, "status": "accepted",
            "expires_in": started.expires_in, "resend_after": started.resend_after}


@router.post("", status_code=202, response_model=Started, responses=answers(403, 429))
def start_verification(body: StartBody, after: BackgroundTasks, services: ServicesDep, client_key: ClientKeyDep) -> dict[str, Any]:
    phone = e164_or_422(body.phone)
    limit(services, "start", client_key, body.conversation_id)
    try:
        if body.delivery != "call":  # calls have their own daily budget (CALL_BUDGET_PER_DAY)
            services.limits.sms_budget_left()
    except Limited as spent:
        log.warning("daily SMS budget spent: starts refused", extra={"retry_after": spent.retry_after})
        raise ApiError(429, "rate_limited", retry_after=spent.retry_after) from None
    try:
        started = services.verification.start(phone, body.conversation_id, body.channel,
                                              delivery=body.delivery, language=body.language, client_key=client_key)
    except RateLimited as limited:
        raise ApiError(429, "rate_limited", retry_after=limited.retry_after) from None
    except NotCallable as refused:
        raise ApiError(422, "not_callable", reason=refused.reason) from None
    # The workers wake once the answer is out, so their work never overlaps it (timing, issue 9 H1).
    after.add_task(services.outbox.notify)
    services.metrics.verifications_started.labels(body.delivery).inc()
    return started_body(started)


@router.post("/attested", status_code=202, response_model=Started, responses=answers(403, 429))
def start_attested(body: AttestedBody, services: ServicesDep, client_key: ClientKeyDep) -> dict[str, Any]:
    phone = e164_or_422(body.phone)
    limit(services, "start", client_key, body.conversation_id)
    refused = attestation_refused(services, body)
    if refused:
        log.warning("connector attestation refused", extra={"reason": refused, "channel": body.channel})
        services.audit.record("phone_attestation_refused", body.channel, None, f"{mask_phone(phone)}: {refused}")
        raise ApiError(403, "attestation_invalid")
    try:
        started = services.verification.start(phone, body.conversation_id, body.channel, attested=True,
                                              client_key=client_key)
    except RateLimited as limited:
        raise ApiError(429, "rate_limited", retry_after=limited.retry_after) from None
    services.audit.record("phone_attested", body.channel, None, f"{body.attestation} {mask_phone(phone)}")
    services.metrics.verifications_started.labels("attested").inc()
    return started_body(started)


def attestation_refused(services: Services, body: AttestedBody) -> Optional[str]:
    configured = services.settings.connector_attestation_secret
    secret = configured.get_secret_value() if configured is not None else ""
    if body.proof is None:
        return "no proof"
    if not secret:
        return "no CONNECTOR_ATTESTATION_SECRET here"
    # Real time, not the development clock: the connector signs with real time.
    refused = attestation.problem(secret, body.attestation, body.conversation_id, body.channel, body.phone,
                                  body.proof.issued_at, body.proof.nonce, body.proof.signature, time.time())
    return refused or services.verification.spend_nonce(body.proof.nonce)


@router.post("/{verification_id}/token", response_model=CheckAnswer, response_model_exclude_none=True,
             responses=answers(403))
def attested_token(verification_id: str, services: ServicesDep) -> dict[str, Any]:
    return check_body(services, services.verification.token_for_attested(verification_id), "attested")


# The two answers that may wait for a provider are coroutines: they wait on the event loop, while
# the provider is asked on threads of its own, so a slow provider cannot starve the server's
# threads (issue 17 #5); what blocks (database, limits) still runs in the threadpool.
@router.get("/{verification_id}/call", response_model=CallAnswer, responses=answers(404))
async def call_status(verification_id: str, services: ServicesDep) -> dict[str, Any]:
    status = await services.verification.call_status(verification_id)
    if status is None:
        raise ApiError(404, "not_found")
    return {"status": status}


@router.post("/{verification_id}/check", response_model=CheckAnswer, response_model_exclude_none=True,
             responses=answers(403, 429))
async def check_code(verification_id: str, body: CheckBody, services: ServicesDep, client_key: ClientKeyDep) -> dict[str, Any]:
    # A verification's own tries are capped already; checks are counted per client only when the
    # channel named one.
    await run_in_threadpool(limit, services, "check", client_key, None)
    return check_body(services, await services.verification.check(verification_id, body.code.strip()), "sms")


def check_body(services: Services, result: CheckResult, kind: str) -> dict[str, Any]:
    if result.verified:
        services.metrics.verifications_proven.labels(kind).inc()
        return {"verified": True, "token": result.token, "token_expires_in": result.token_expires_in}
    services.metrics.verifications_failed.labels(result.reason or "unknown").inc()
    return {"verified": False, "tries_left": result.tries_left, "reason": result.reason}
