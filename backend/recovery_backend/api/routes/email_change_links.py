"""The pages the links in e-mail-change mails open. Each shows a button; only the button's POST
acts, because mail scanners open (GET) every link they see (issue 9 M4)."""
from __future__ import annotations

from html import escape
from typing import Optional
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ...notices import local_time, page_text
from ..deps import ServicesDep
from ..errors import Responses
from ..schemas import CONTROL

router = APIRouter(prefix="/email-change", tags=["e-mail change links"])
GONE: Responses = {410: {"description": "Link no longer valid"}}


@router.get("/confirm", response_class=HTMLResponse, responses=GONE)
def confirm_page(services: ServicesDep, t: str = "") -> HTMLResponse:
    language, plural = services.recovery.link_reader(t)
    if services.recovery.link_state(t) != "pending":
        return HTMLResponse(page(*page_text("invalid", language), language), status_code=410)
    return HTMLResponse(page(*page_text("confirm", language, plural), language,
                             form=("/email-change/confirm", t, page_text("confirm_button", language)[0])))


@router.post("/confirm", response_class=HTMLResponse,
             responses={**GONE, 503: {"description": "Account source away"}})
async def confirm_email_change(request: Request, services: ServicesDep) -> HTMLResponse:
    token = await form_token(request)
    language, plural = await run_in_threadpool(services.recovery.link_reader, token)
    outcome, applies_after = await run_in_threadpool(services.recovery.confirm_email_change, token)
    if outcome == "applied":
        return HTMLResponse(page(*page_text("applied", language, plural,
                                            password_reset_url=services.settings.password_reset_url), language))
    if outcome == "waiting" and applies_after is not None:
        return HTMLResponse(page(*page_text("waiting", language, plural, when=local_time(applies_after, language)),
                                 language))
    if outcome == "unavailable":
        return HTMLResponse(page(*page_text("unavailable", language), language), status_code=503)
    return HTMLResponse(page(*page_text("invalid", language), language), status_code=410)


@router.get("/cancel", response_class=HTMLResponse, responses=GONE)
def cancel_page(services: ServicesDep, t: str = "") -> HTMLResponse:
    language, plural = services.recovery.link_reader(t, cancel=True)
    if services.recovery.link_state(t, cancel=True) not in ("pending", "confirmed"):
        return HTMLResponse(page(*page_text("invalid", language), language), status_code=410)
    return HTMLResponse(page(*page_text("cancel", language, plural), language,
                             form=("/email-change/cancel", t, page_text("cancel_button", language)[0])))


@router.post("/cancel", response_class=HTMLResponse, responses=GONE)
async def cancel_email_change(request: Request, services: ServicesDep) -> HTMLResponse:
    token = await form_token(request)
    language, plural = await run_in_threadpool(services.recovery.link_reader, token, True)
    if await run_in_threadpool(services.recovery.cancel_email_change, token):
        return HTMLResponse(page(*page_text("cancelled", language, plural), language))
    return HTMLResponse(page(*page_text("invalid", language), language), status_code=410)


async def form_token(request: Request) -> str:
    """The `t` field of the page's form (application/x-www-form-urlencoded)."""
    body = (await request.body())[:4096].decode("utf-8", "replace")
    token = (parse_qs(body).get("t") or [""])[0]
    return "" if CONTROL.search(token) else token


def page(title: str, text: str, language: str = "pl", form: Optional[tuple[str, str, str]] = None) -> str:
    button = ""
    if form:
        action, token, label = form
        button = (f"<form method='post' action='{escape(action)}'><input type='hidden' name='t' "
                  f"value='{escape(token)}'><button type='submit'>{escape(label)}</button></form>")
    return (f"<!doctype html><html lang='{escape(language)}'><meta charset='utf-8'><meta name='referrer' content='no-referrer'>"
            f"<title>{escape(title)}</title><body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
            f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{button}</body></html>")
