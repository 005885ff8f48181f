"""The pages the links in e-mail-change mails open. Each shows a button; only the button's POST
acts, because mail scanners open (GET) every link they see (issue 9 M4)."""
from __future__ import annotations

from html import escape
from typing import Optional
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ...recovery import local_time
from ..deps import ServicesDep
from ..schemas import CONTROL

router = APIRouter(prefix="/email-change", tags=["e-mail change links"])
GONE = {410: {"description": "Link no longer valid"}}
INVALID_PAGE = ("Link nieważny", "Ten link wygasł, został już użyty albo zastąpiony nowszą prośbą. "
                "Prosimy wrócić do czatu pomocy.")


@router.get("/confirm", response_class=HTMLResponse, responses=GONE)
def confirm_page(services: ServicesDep, t: str = ""):
    if services.recovery.link_state(t) != "pending":
        return HTMLResponse(page(*INVALID_PAGE), status_code=410)
    return HTMLResponse(page("Potwierdzenie nowego adresu e-mail",
                             "Prosimy potwierdzić, że ten adres ma być adresem logowania do Panelu Klienta.",
                             form=("/email-change/confirm", t, "Potwierdzam zmianę adresu")))


@router.post("/confirm", response_class=HTMLResponse,
             responses={**GONE, 503: {"description": "Account source away"}})
async def confirm_email_change(request: Request, services: ServicesDep):
    token = await form_token(request)
    outcome, applies_after = await run_in_threadpool(services.recovery.confirm_email_change, token)
    if outcome == "applied":
        return HTMLResponse(page("Adres e-mail zmieniony",
                                 "Nowy adres jest już adresem logowania do Panelu Klienta. Teraz można "
                                 f"ustawić hasło: {services.settings.password_reset_url}"))
    if outcome == "waiting":
        return HTMLResponse(page("Zmiana potwierdzona",
                                 f"Ze względów bezpieczeństwa nowy adres zacznie działać {local_time(applies_after)}, "
                                 "o ile zmiana nie zostanie wcześniej anulowana."))
    if outcome == "unavailable":
        return HTMLResponse(page("Chwilowy problem", "Nie udało się teraz zmienić adresu. Link nadal działa — "
                                 "prosimy spróbować ponownie za kilka minut."), status_code=503)
    return HTMLResponse(page(*INVALID_PAGE), status_code=410)


@router.get("/cancel", response_class=HTMLResponse, responses=GONE)
def cancel_page(services: ServicesDep, t: str = ""):
    if services.recovery.link_state(t, cancel=True) not in ("pending", "confirmed"):
        return HTMLResponse(page(*INVALID_PAGE), status_code=410)
    return HTMLResponse(page("Anulowanie zmiany adresu e-mail",
                             "Jeśli to nie Pan/Pani prosił(a) o zmianę adresu, prosimy ją anulować.",
                             form=("/email-change/cancel", t, "Anuluj zmianę adresu")))


@router.post("/cancel", response_class=HTMLResponse, responses=GONE)
async def cancel_email_change(request: Request, services: ServicesDep):
    token = await form_token(request)
    if await run_in_threadpool(services.recovery.cancel_email_change, token):
        return HTMLResponse(page("Zmiana anulowana", "Adres logowania pozostaje bez zmian. Jeśli to nie "
                                 "Pan/Pani prosił(a) o zmianę, prosimy o kontakt: https://www.kylos.pl/pomoc/"))
    return HTMLResponse(page(*INVALID_PAGE), status_code=410)


async def form_token(request: Request) -> str:
    """The `t` field of the page's form (application/x-www-form-urlencoded)."""
    body = (await request.body())[:4096].decode("utf-8", "replace")
    token = (parse_qs(body).get("t") or [""])[0]
    return "" if CONTROL.search(token) else token


def page(title: str, text: str, form: Optional[tuple[str, str, str]] = None) -> str:
    button = ""
    if form:
        action, token, label = form
        button = (f"<form method='post' action='{escape(action)}'><input type='hidden' name='t' "
                  f"value='{escape(token)}'><button type='submit'>{escape(label)}</button></form>")
    return (f"<!doctype html><html lang='pl'><meta charset='utf-8'><meta name='referrer' content='no-referrer'>"
            f"<title>{escape(title)}</title><body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
            f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{button}</body></html>")
