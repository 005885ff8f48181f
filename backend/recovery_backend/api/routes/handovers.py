"""Live hand-over to a person (handovers.py): the assistant starts one and relays the customer's
messages; the human inbox's webhook (Chatwoot) brings the agents' replies and the end of it."""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from ...cases import InvalidCase, scrub_transcript, staff_text
from ...handovers import GIVEN_BACK, Unavailable
from ...providers.chatwoot import signature_valid
from ...settings import secret
from ..deps import ServicesDep, assistant
from ..errors import ApiError, ErrorAnswer, answers
from ..schemas import HandoverAnswer, HandoverBody, RelayBody

router = APIRouter(tags=["hand-over"])


@router.post("/api/v1/handovers", status_code=201, dependencies=[Depends(assistant)], response_model=HandoverAnswer,
             responses=answers(403, 409, 503))
def start_handover(body: HandoverBody, services: ServicesDep) -> dict[str, Any]:
    try:
        note = staff_text(body.summary, body.conversation_id,
                          scrub_transcript((line.speaker, line.text) for line in body.transcript))
    except InvalidCase as invalid:
        raise ApiError(422, invalid.code) from None
    name = ("Customer" if body.language == "en" else "Klient") + f" ({body.channel})"
    try:
        handover = services.handovers.start(body.conversation_id, body.language or "pl", name, body.contact_email,
                                            note)
    except Unavailable as unavailable:
        raise ApiError(503 if unavailable.code == "inbox_unavailable" else 409, unavailable.code) from None
    return {"status": handover.status, "pickup_seconds": int(handover.pickup_seconds)}


@router.post("/api/v1/handovers/messages", dependencies=[Depends(assistant)], response_model=HandoverAnswer,
             responses=answers(403))
def relay_message(body: RelayBody, services: ServicesDep) -> dict[str, Any]:
    """A customer's message while a person may have the conversation: relayed if so; the answer says
    whether the assistant stays silent (`waiting`, `talking`) or answers (anything else)."""
    handover = services.handovers.relay(body.conversation_id, body.text)
    return {"status": handover.status, "pickup_seconds": int(handover.pickup_seconds)}


@router.post("/chatwoot/webhook", response_model=None, responses={200: {"description": "accepted (or ignored: not an agent's reply)"},
                                             401: {"model": ErrorAnswer, "description": "not signed by Chatwoot"}})
async def chatwoot_webhook(request: Request, services: ServicesDep) -> dict[str, bool]:
    settings = services.settings
    raw = await request.body()
    if settings.human_inbox != "chatwoot" or not signature_valid(
            secret(settings.chatwoot_webhook_secret), request.headers.get("x-chatwoot-timestamp", ""), raw,
            request.headers.get("x-chatwoot-signature", "")):
        raise ApiError(401, "unauthorized")
    try:
        event = json.loads(raw)
    except ValueError:
        raise ApiError(422, "invalid_request") from None
    if not isinstance(event, dict):
        raise ApiError(422, "invalid_request")
    handled = False
    if event.get("event") == "message_created":
        sender, conversation = json_object(event.get("sender")), json_object(event.get("conversation"))
        content = event.get("content")
        # An agent's public reply: outgoing, not a private note, written by a user (not a bot or the contact).
        if event.get("message_type") == "outgoing" and not event.get("private") and sender.get("type") == "user" \
                and isinstance(content, str) and content.strip() and conversation.get("id") is not None \
                and services.handovers.first_delivery(f"message:{event.get('id')}:{conversation['id']}"):
            name = str(sender.get("available_name") or sender.get("name") or "").strip()
            handled = await run_in_threadpool(services.handovers.agent_replied, str(conversation["id"]), name,
                                              content.strip())
    elif event.get("event") == "conversation_status_changed" and event.get("status") in GIVEN_BACK \
            and event.get("id") is not None:
        handled = await run_in_threadpool(services.handovers.given_back, str(event["id"]))
    return {"handled": handled}


def json_object(value: Any) -> dict[str, Any]:
    """A webhook field that should be a JSON object; {} when it is missing or something else."""
    return value if isinstance(value, dict) else {}
