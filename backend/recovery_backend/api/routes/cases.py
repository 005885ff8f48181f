"""Cases for a person: opened by the assistant (documents, hand-over), listed by staff tools."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends

from contact_rules import is_valid_email, mask_email

from ...cases import CaseDetails, InvalidCase, TooManyCases, scrub_transcript, staff_text
from ...office_hours import WARSAW
from ...ports import ProviderError
from ...recovery import InvalidEmail
from ...services import Services
from ..deps import ClientKeyDep, ServicesDep, assistant, limit, staff
from ..errors import ApiError, answers
from ..schemas import CaseApprovalBody, CaseApprovedAnswer, CaseBody, CaseContactAnswer, CaseContactBody, CaseOpenedAnswer, CasesAnswer

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
log = logging.getLogger("recovery_backend.cases")


@router.post("", status_code=201, dependencies=[Depends(assistant)], response_model=CaseOpenedAnswer,
             responses=answers(403, 429))
def open_case(body: CaseBody, services: ServicesDep, client_key: ClientKeyDep) -> dict[str, Any]:
    limit(services, "case", client_key, body.conversation_id)
    details = CaseDetails(body.path, body.company_name, body.phone_proven, tuple(body.phones_tried),
                          body.failure, body.open_question, body.language, body.callback_phone,
                          tuple((line.speaker, line.text) for line in body.transcript))
    try:
        opened = services.cases.open(body.reason, body.account_type, body.contact_email, body.nip,
                                     body.channel, body.conversation_id, body.summary, details)
    except InvalidCase as invalid:
        raise ApiError(422, invalid.code) from None
    except TooManyCases as limited:
        raise ApiError(429, "rate_limited", retry_after=limited.retry_after) from None
    text = staff_text(body.summary, body.conversation_id, scrub_transcript(details.transcript))
    if opened.updated:
        to_inbox(services, opened.case_number, body, text, updated=True)
        return {"case_number": opened.case_number, "open_now": opened.open_now, "updated": True,
                "handled_from": opened.handled_from.astimezone(WARSAW).isoformat()}
    services.metrics.cases.labels(body.reason).inc()
    if services.handovers.inbox is not None:
        to_inbox(services, opened.case_number, body, text, updated=False)
    elif services.settings.account_source == "whmcs":
        # Staff work in WHMCS: the case is mirrored there as a ticket (same number in the subject).
        services.accounts.open_staff_ticket(None, f"Odzyskanie dostępu {opened.case_number}", text)
    return {"case_number": opened.case_number, "open_now": opened.open_now, "updated": False,
            "handled_from": opened.handled_from.astimezone(WARSAW).isoformat()}


@router.patch("/{case_number}", dependencies=[Depends(assistant)], response_model=CaseContactAnswer,
              responses=answers(403, 404))
def update_case_contact(case_number: str, body: CaseContactBody, services: ServicesDep) -> dict[str, Any]:
    try:
        updated = services.cases.set_contact_email(case_number, body.conversation_id, body.contact_email)
    except InvalidCase as invalid:
        raise ApiError(422, invalid.code) from None
    if not updated:
        raise ApiError(404, "not_found")
    return {"case_number": case_number, "contact_email": mask_email(body.contact_email.strip())}


@router.get("", dependencies=[Depends(staff)], response_model=CasesAnswer, responses=answers(403))
def list_cases(services: ServicesDep) -> dict[str, Any]:
    return {"cases": services.cases.all()}


@router.post("/{case_number}/email-change", dependencies=[Depends(staff)], response_model=CaseApprovedAnswer,
             responses=answers(403, 404, 409, 503))
def approve_email_change(case_number: str, body: CaseApprovalBody, services: ServicesDep) -> dict[str, Any]:
    """A person checked a documents case (its `checklist`) and approves: the backend changes the login
    address of the account they identified, with an audit entry, instead of someone doing it by hand."""
    case = services.cases.get(case_number)
    if case is None:
        raise ApiError(404, "not_found")
    if case["reason"] != "documents":
        raise ApiError(409, "not_a_documents_case")
    new_email = (body.new_email or case["contact_email"] or "").strip()
    if not is_valid_email(new_email):
        raise ApiError(422, "invalid_email")
    if services.accounts.get(body.account_id) is None:
        raise ApiError(404, "account_not_found")
    if not services.cases.claim_resolution(case_number, "email_changed", body.approved_by):
        raise ApiError(409, "already_resolved")
    try:
        change = services.recovery.apply_approved_change(body.account_id, new_email, case_number, body.approved_by,
                                                         case["language"] or "pl")
    except InvalidEmail as invalid:
        services.cases.release_resolution(case_number)
        raise ApiError(422, invalid.code) from None
    except ProviderError:
        services.cases.release_resolution(case_number)
        raise ApiError(503, "account_source_unavailable") from None
    return {"case_number": case_number, "resolution": "email_changed", "change": change}


def to_inbox(services: Services, case_number: str, body: CaseBody, text: str, updated: bool) -> None:
    """Staff work in the human inbox (HUMAN_INBOX): the case opens a conversation there (the case
    number first in the note), an update adds a note. The case is kept here either way: an inbox
    that fails is logged, never the customer's problem."""
    inbox = services.handovers.inbox
    if inbox is None:
        return
    note = f"Zgłoszenie {case_number}\n{text}"
    try:
        reference = (services.cases.get(case_number) or {}).get("inbox_reference")
        if updated and reference:
            inbox.post_note(reference, note)
        elif not updated:
            name = ("Customer" if body.language == "en" else "Klient") + f" {case_number}"
            thread = inbox.create_conversation(body.conversation_id, name, body.contact_email, note, live=False)
            services.cases.set_inbox_reference(case_number, thread.reference)
    except ProviderError as error:
        log.warning("the human inbox refused a case", extra={"case": case_number, "error": str(error)[:200]})
