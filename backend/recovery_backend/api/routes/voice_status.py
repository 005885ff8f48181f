"""Where SMSAPI reports what became of a call (its VMS callback). SMSAPI cannot send our key, so
the address carries VOICE_CALLBACK_SECRET instead; a wrong secret gets the same 404 as any
unknown address. The report names calls by SMSAPI's own id only."""
from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from ...providers.smsapi_vms import status_from_report
from ...services import Services
from ..deps import ServicesDep
from ..errors import ApiError, ErrorAnswer, Responses

router = APIRouter(prefix="/voice-status", tags=["call status callbacks"])
ANSWERS: Responses = {200: {"description": "OK (plain text), which SMSAPI waits for", "content": {"text/plain": {}}},
           400: {"model": ErrorAnswer, "description": "Control characters in the path or query"},
           404: {"model": ErrorAnswer, "description": "not_found (also for a wrong secret)"}}


@router.get("/smsapi/{secret}", responses=ANSWERS)
async def smsapi_report(secret: str, request: Request, services: ServicesDep) -> PlainTextResponse:
    return await record(secret, request, services)


@router.post("/smsapi/{secret}", responses=ANSWERS)
async def smsapi_report_posted(secret: str, request: Request, services: ServicesDep) -> PlainTextResponse:
    return await record(secret, request, services)


async def record(secret: str, request: Request, services: Services) -> PlainTextResponse:
    configured = services.settings.voice_callback_secret
    expected = configured.get_secret_value() if configured is not None else ""
    if services.settings.voice_sender != "smsapi" or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise ApiError(404, "not_found")
    report = dict(request.query_params)
    if request.method == "POST":  # a form body, read as the e-mail-change pages read theirs
        report.update({key: values[0] for key, values in parse_qs((await request.body()).decode(errors="replace")).items()})
    # One report may name several messages (comma separated ids, statuses in the same order).
    names = str(report.get("status_name", "")).split(",")
    for index, reference in enumerate(str(report.get("MsgId", "")).split(",")):
        if reference:
            await run_in_threadpool(services.verification.record_call_status, reference,
                                    status_from_report(names[min(index, len(names) - 1)]))
    return PlainTextResponse("OK")  # SMSAPI repeats a report until it reads OK
