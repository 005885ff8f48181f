"""What a proven phone unlocks, each use counted on its recovery token: the masked login address,
a yes/no check of an address, a password reset, an e-mail change."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from contact_rules import mask_email

from ...office_hours import WARSAW
from ...recovery import InvalidEmail, NotCorrectable
from ..deps import CorrectionGrantDep, GrantDep, ServicesDep, assistant, count_use
from ..errors import ApiError, answers
from ..schemas import EmailChangeAnswer, EmailChangeBody, EmailCheckAnswer, EmailCheckBody, EmailHintAnswer, PasswordResetBody, SentAnswer

router = APIRouter(prefix="/api/v1/recovery", tags=["recovery"], dependencies=[Depends(assistant)])


@router.get("/email-hint", response_model=EmailHintAnswer, responses=answers(403))
def email_hint(grant: GrantDep, services: ServicesDep) -> dict[str, Any]:
    return {"masked_email": services.recovery.email_hint(grant.account_id)}


@router.post("/email-check", response_model=EmailCheckAnswer, responses=answers(403, 429))
def email_check(body: EmailCheckBody, grant: GrantDep, services: ServicesDep) -> dict[str, Any]:
    left = count_use(services, grant, "email_checks", services.settings.email_checks_per_token)
    return {"matches": services.recovery.email_matches(grant.account_id, body.email, grant.channel),
            "checks_left": left}


@router.post("/password-reset", status_code=202, response_model=SentAnswer, responses=answers(403, 429))
def password_reset(body: PasswordResetBody, grant: GrantDep, services: ServicesDep) -> dict[str, Any]:
    count_use(services, grant, "password_resets", services.settings.password_resets_per_token)
    services.recovery.password_reset(grant.account_id, grant.channel, body.language)
    return {"status": "sent"}


@router.post("/email-change", status_code=202, response_model=EmailChangeAnswer, responses=answers(403, 429))
def email_change(body: EmailChangeBody, grant: GrantDep, services: ServicesDep) -> dict[str, Any]:
    recovery = services.recovery
    try:
        recovery.check_new_email(grant.account_id, body.new_email)
        count_use(services, grant, "email_changes", services.settings.email_changes_per_token)
        requested = recovery.request_email_change(grant.account_id, body.new_email, grant.channel, body.language,
                                                  grant.token_hash)
    except InvalidEmail as invalid:
        raise ApiError(422, invalid.code) from None
    # The proof has done its job: a leaked token can't start a second change.
    services.verification.revoke(grant)
    return {"status": requested.status, "masked_new_email": mask_email(body.new_email.strip()),
            "applies_after": requested.applies_after.astimezone(WARSAW).isoformat()
            if requested.applies_after else None}


@router.post("/email-change/correction", status_code=202, response_model=EmailChangeAnswer,
             responses=answers(403, 409))
def email_change_correction(body: EmailChangeBody, grant: CorrectionGrantDep, services: ServicesDep) -> dict[str, Any]:
    """A mistyped new address corrected from the same conversation, with the proof the change spent,
    while its link is pending: the old link is void, a new one goes to the corrected address."""
    try:
        requested = services.recovery.correct_email_change(grant.account_id, grant.token_hash, body.new_email,
                                                           grant.channel, body.language)
    except InvalidEmail as invalid:
        raise ApiError(422, invalid.code) from None
    except NotCorrectable:
        raise ApiError(409, "not_correctable") from None
    return {"status": requested.status, "masked_new_email": mask_email(body.new_email.strip()),
            "applies_after": requested.applies_after.astimezone(WARSAW).isoformat()
            if requested.applies_after else None}
