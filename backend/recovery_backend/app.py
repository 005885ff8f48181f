"""The HTTP API (see docs/backend-api.md)."""
from __future__ import annotations

import dataclasses
import re
import threading
import time

import sqlalchemy as sa
import hmac
import os
import logging
from typing import Literal, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, Header, Request, Security
from fastapi.security import APIKeyHeader
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from .accounts import fixture_emails, load_fixture
from . import attestation
from .audit import AuditLog
from .cases import CaseDetails, CaseService, InvalidCase, TooManyCases, scrub_summary
from .clock import Clock
from .documents import documents_for, load_documents
from .masking import mask_email, mask_phone
from .office_hours import HOURS_TEXT, WARSAW, OfficeHours
from .phone import to_e164
from .recovery import InvalidEmail, RecoveryService, local_time
from .settings import DEMO_FIXTURE, Settings
from .storage import create_engine, persistent_secret
from .metrics import CONTENT_TYPE_LATEST, Metrics
from .outbox import Outbox
from .verification import RateLimited, TokenGrant, VerificationService
from .wiring import account_source, email_sender, sms_delivery

log = logging.getLogger("recovery_backend.api")
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False,
                       description="BACKEND_API_KEY (the action server) or BACKEND_STAFF_KEY (staff tools)")


class QueuedEmail:
    """The services' EmailSender: every mail leaves through the durable outbox."""

    def __init__(self, outbox: Outbox):
        self._outbox = outbox

    def send(self, to: str, subject: str, body: str) -> None:
        self._outbox.send_email(to, subject, body)


class ApiError(Exception):
    def __init__(self, status: int, code: str, **extra):
        super().__init__(code)
        self.status, self.body = status, {"error": code, **extra}


class ErrorAnswer(BaseModel):
    error: str
    retry_after: Optional[int] = None


class Started(BaseModel):
    verification_id: str
    status: Literal["accepted"]
    expires_in: int
    resend_after: int


class CheckAnswer(BaseModel):
    verified: bool
    token: Optional[str] = None
    token_expires_in: Optional[int] = None
    tries_left: Optional[int] = None
    reason: Optional[str] = None


class EmailHintAnswer(BaseModel):
    masked_email: str


class EmailCheckAnswer(BaseModel):
    matches: bool
    checks_left: int


class SentAnswer(BaseModel):
    status: Literal["sent"]


class EmailChangeAnswer(BaseModel):
    status: Literal["confirmation_sent", "queued_for_staff"]
    masked_new_email: str
    applies_after: Optional[str]


class CaseOpenedAnswer(BaseModel):
    case_number: str
    open_now: bool
    handled_from: str


class CaseContactAnswer(BaseModel):
    case_number: str
    contact_email: str


class CasesAnswer(BaseModel):
    cases: list[dict]


class DocumentsAnswer(BaseModel):
    account_type: str
    documents: list[str]
    notes: list[str]
    send_to: str
    subject_hint: str


class OfficeHoursAnswer(BaseModel):
    open_now: bool
    now: str
    next_opening: str
    timezone: str
    hours_text: str


class HealthAnswer(BaseModel):
    status: str


def answers(*codes: int) -> dict:
    """The error answers a route can give, for the OpenAPI document (all JSON ErrorAnswer)."""
    described = {400: "Control characters in the path or query", 401: "Missing or wrong X-API-Key",
                 403: "Wrong role, or token_invalid / attestation_invalid", 404: "not_found",
                 410: "Link no longer valid", 422: "invalid_request / invalid_phone / invalid_email / …",
                 429: "rate_limited, with retry_after seconds"}
    return {code: {"model": ErrorAnswer, "description": described[code]} for code in (400, 401, 422) + codes}


class Body(BaseModel):
    """Every request body: text fields never carry NUL or other control characters (PostgreSQL
    refuses NUL; nothing we store needs them), so they are a clear 422, never a 500."""

    @model_validator(mode="after")
    def _no_control_characters(self):
        for value in self.__dict__.values():
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(text, str) and _CONTROL.search(text) for text in texts):
                raise ValueError("control characters")
        return self


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StartBody(Body):
    phone: str = Field(max_length=64)
    conversation_id: str = Field(min_length=1, max_length=200)
    channel: str = Field(default="rest", max_length=30)


class Proof(Body):
    issued_at: int
    nonce: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class AttestedBody(StartBody):
    attestation: Literal["telegram_contact"]
    proof: Optional[Proof] = None


class CheckBody(Body):
    code: str = Field(max_length=64)


class ChannelBody(Body):
    # Accepted for compatibility; the channel recorded is the one the token was issued on.
    channel: Optional[str] = Field(default=None, max_length=30)


class EmailChangeBody(ChannelBody):
    new_email: str = Field(max_length=320)


class EmailCheckBody(Body):
    email: str = Field(max_length=320)


class CaseContactBody(Body):
    conversation_id: str = Field(min_length=1, max_length=200)
    contact_email: str = Field(max_length=320)


class CaseBody(Body):
    reason: Literal["documents", "human_handoff", "outside_procedure"]
    account_type: Optional[Literal["private", "company"]] = None
    contact_email: Optional[str] = Field(default=None, max_length=320)
    nip: Optional[str] = Field(default=None, max_length=20)
    channel: str = Field(default="rest", max_length=30)
    conversation_id: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=5000)
    path: Optional[str] = Field(default=None, max_length=60)
    company_name: Optional[str] = Field(default=None, max_length=200)
    phone_proven: Optional[bool] = None
    phones_tried: list[str] = Field(default_factory=list, max_length=10)
    failure: Optional[str] = Field(default=None, max_length=200)
    open_question: Optional[str] = Field(default=None, max_length=1000)
    language: Optional[Literal["pl", "en"]] = None


def create_app(settings: Settings) -> FastAPI:
    clock = Clock(settings.pinned_now)
    engine = create_engine(settings.database_url)
    if not settings.code_secret:
        settings = dataclasses.replace(settings, code_secret=persistent_secret(engine, "code_hmac"))
    if settings.accounts_fixture and settings.environment == "development":
        count = load_fixture(engine, settings.accounts_fixture)
        log.info("accounts added from fixture", extra={"count": count, "fixture": settings.accounts_fixture.name})
    if settings.environment == "production" and demo_accounts_present(engine):
        raise SystemExit("RECOVERY_ENV=production refuses to start: the database holds the demo accounts "
                         f"of {DEMO_FIXTURE.name}; use a production database")
    hours = OfficeHours(settings.extra_closed_dates)
    documents = load_documents(settings.documents_file)
    audit = AuditLog(engine, clock)
    case_service = CaseService(engine, clock, hours, settings.cases_per_conversation_per_day)
    sms = sms_delivery(settings)
    direct_email = email_sender(settings)
    metrics = Metrics()
    outbox = Outbox(engine, clock, settings.code_secret, audit, {
        "sms": lambda message: sms.send_text(message["to"], message["text"]),
        "verify_start": lambda message: sms.start(message["to"]),
        "none": lambda message: None,
        "email": lambda message: direct_email.send(message["to"], message["subject"], message["body"]),
    }, workers=settings.outbox_workers, backoff=settings.outbox_backoff_seconds, metrics=metrics)
    email = QueuedEmail(outbox)

    def staff_ticket(account, subject: str, message: str) -> str:
        opened = case_service.open("human_handoff", account.type if account else None, None, None, "backend",
                                   f"staff-{subject}", f"{subject}: {message}", capped=False)
        return opened.case_number

    accounts = account_source(settings, engine, email, staff_ticket)
    tickets_in_account_source = os.environ.get("ACCOUNT_SOURCE", "local") == "whmcs"
    verification = VerificationService(engine, settings, clock, accounts, sms, outbox, audit)
    recovery = RecoveryService(engine, settings, clock, accounts, email, audit, sms=outbox.send_sms)
    outbox.start()
    stopping = threading.Event()

    def apply_due_changes() -> None:
        # E-mail changes whose waiting period ended (EMAIL_CHANGE_DELAY_HOURS) apply here.
        while not stopping.wait(30):
            try:
                recovery.apply_due_changes()
            except Exception as error:
                log.warning("applying due e-mail changes failed", extra={"error": type(error).__name__})
    threading.Thread(target=apply_due_changes, name="email-changes", daemon=True).start()
    if hasattr(accounts, "start_sync"):
        accounts.start_sync(settings.index_sync_seconds)

    app = FastAPI(title="Kylos account recovery backend", version="1.0.0",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings, app.state.audit, app.state.deliveries = settings, audit, outbox
    app.state.accounts, app.state.verification, app.state.metrics = accounts, verification, metrics
    app.state.recovery = recovery

    def shut_down() -> None:
        stopping.set()
        outbox.stop()
        if hasattr(accounts, "stop_sync"):
            accounts.stop_sync()
    app.router.on_shutdown.append(shut_down)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError):
        return JSONResponse(error.body, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, _error: RequestValidationError):
        return JSONResponse({"error": "invalid_request"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException):
        return JSONResponse({"error": "not_found" if error.status_code == 404 else "invalid_request"},
                            status_code=error.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception):
        # The type only: a database error's text could carry what the customer typed.
        log.error("unexpected error", extra={"error": type(error).__name__})
        return JSONResponse({"error": "internal"}, status_code=500)

    @app.middleware("http")
    async def refuse_control_characters(request: Request, call_next):
        # Path and query (e.g. a verification id with %00) are checked before anything reads them.
        if _CONTROL.search(request.url.path) or _CONTROL.search(str(request.query_params)) or \
                "%00" in request.url.query:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        return await call_next(request)

    @app.middleware("http")
    async def require_key(request: Request, call_next):
        # Authentication runs before body parsing so that a caller without a key learns nothing.
        path = request.url.path
        if path.startswith("/api/v1/") and path not in ("/api/v1/health", "/api/v1/openapi.json"):
            given = request.headers.get("x-api-key", "")
            if hmac.compare_digest(given.encode(), settings.api_key.encode()):
                request.state.role = "assistant"
            elif settings.staff_key and hmac.compare_digest(given.encode(), settings.staff_key.encode()):
                request.state.role = "staff"
            else:
                return JSONResponse({"error": "unauthorized"}, status_code=401)
        return await call_next(request)

    # The key is checked by the middleware above (before the body is read); these dependencies
    # check the role and declare the scheme in the OpenAPI document.
    def assistant(request: Request, _key: Optional[str] = Security(API_KEY)) -> None:
        if request.state.role != "assistant":
            raise ApiError(403, "forbidden")

    def staff(request: Request, _key: Optional[str] = Security(API_KEY)) -> None:
        if request.state.role != "staff":
            raise ApiError(403, "forbidden")

    def token_grant(x_recovery_token: str = Header(default="", max_length=200),
                    x_conversation_id: str = Header(default="", max_length=200)) -> TokenGrant:
        # The token works only from the conversation it was earned in (issue 9 C1).
        grant = verification.grant_for_token(x_recovery_token, x_conversation_id)
        if grant is None:
            raise ApiError(403, "token_invalid")
        return grant

    def count_use(grant: TokenGrant, counter: str, limit: int) -> int:
        left = verification.use_token(grant, counter, limit)
        if left is None:
            raise ApiError(429, "rate_limited", retry_after=verification.seconds_left(grant))
        return left

    def e164_or_422(text: str) -> str:
        e164 = to_e164(text)
        if e164 is None:
            raise ApiError(422, "invalid_phone")
        return e164

    def started_body(started) -> dict:
        return {"verification_id": started.verification_id, "status": "accepted",
                "expires_in": started.expires_in, "resend_after": started.resend_after}

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        metrics.latency.labels(getattr(route, "path", "unmatched"), request.method,
                               str(response.status_code)).observe(time.perf_counter() - started)
        return response

    @app.get("/api/v1/health", response_model=HealthAnswer)
    def health():
        return {"status": "ok"}

    @app.get("/healthz", response_model=HealthAnswer)
    def live():
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", responses={503: {"description": "Not ready"}})
    def ready():
        """Readiness: the database answers and the phone index is fresh enough to decide "registered?"."""
        checks, ready = {}, True
        try:
            with engine.connect() as db:
                db.execute(sa.text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"], ready = type(error).__name__, False
        if hasattr(accounts, "index_age"):
            age = accounts.index_age()
            checks["phone_index_age_seconds"] = None if age is None else round(age, 1)
            if age is None or age > settings.index_max_age_seconds:
                ready = False
        return JSONResponse({"status": "ready" if ready else "not_ready", **checks}, status_code=200 if ready else 503)

    @app.get("/metrics", response_class=Response)
    def prometheus():
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/api/v1/phone-verifications", status_code=202, dependencies=[Depends(assistant)],
               response_model=Started, responses=answers(403, 429))
    def start_verification(body: StartBody, after: BackgroundTasks):
        try:
            started = verification.start(e164_or_422(body.phone), body.conversation_id, body.channel)
        except RateLimited as limited:
            raise ApiError(429, "rate_limited", retry_after=limited.retry_after)
        # The workers wake once the answer is out, so their work never overlaps it (timing, issue 9 H1).
        after.add_task(outbox.notify)
        metrics.verifications_started.labels("sms").inc()
        return started_body(started)

    @app.post("/api/v1/phone-verifications/attested", status_code=202, dependencies=[Depends(assistant)],
               response_model=Started, responses=answers(403, 429))
    def start_attested(body: AttestedBody):
        phone = e164_or_422(body.phone)
        refused = attestation_refused(body)
        if refused:
            log.warning("connector attestation refused", extra={"reason": refused, "channel": body.channel})
            audit.record("phone_attestation_refused", body.channel, None, f"{mask_phone(phone)}: {refused}")
            raise ApiError(403, "attestation_invalid")
        try:
            started = verification.start(phone, body.conversation_id, body.channel, attested=True)
        except RateLimited as limited:
            raise ApiError(429, "rate_limited", retry_after=limited.retry_after)
        audit.record("phone_attested", body.channel, None, f"{body.attestation} {mask_phone(phone)}")
        metrics.verifications_started.labels("attested").inc()
        return started_body(started)

    def attestation_refused(body: AttestedBody) -> Optional[str]:
        if body.proof is None:
            return "no proof"
        if not settings.connector_attestation_secret:
            return "no CONNECTOR_ATTESTATION_SECRET here"
        # Real time, not the development clock: the connector signs with real time.
        refused = attestation.problem(settings.connector_attestation_secret, body.attestation, body.conversation_id,
                                      body.channel, body.phone, body.proof.issued_at, body.proof.nonce,
                                      body.proof.signature, time.time())
        return refused or verification.spend_nonce(body.proof.nonce)

    @app.post("/api/v1/phone-verifications/{verification_id}/token", dependencies=[Depends(assistant)],
               response_model=CheckAnswer, response_model_exclude_none=True, responses=answers(403))
    def attested_token(verification_id: str):
        return check_body(verification.token_for_attested(verification_id), "attested")

    @app.post("/api/v1/phone-verifications/{verification_id}/check", dependencies=[Depends(assistant)],
               response_model=CheckAnswer, response_model_exclude_none=True, responses=answers(403))
    def check_code(verification_id: str, body: CheckBody):
        return check_body(verification.check(verification_id, body.code.strip()), "sms")

    def check_body(result, kind: str) -> dict:
        if result.verified:
            metrics.verifications_proven.labels(kind).inc()
        else:
            metrics.verifications_failed.labels(result.reason or "unknown").inc()
        if result.verified:
            return {"verified": True, "token": result.token, "token_expires_in": result.token_expires_in}
        return {"verified": False, "tries_left": result.tries_left, "reason": result.reason}

    @app.get("/api/v1/recovery/email-hint", dependencies=[Depends(assistant)], response_model=EmailHintAnswer,
              responses=answers(403))
    def email_hint(grant: TokenGrant = Depends(token_grant)):
        return {"masked_email": recovery.email_hint(grant.account_id)}

    @app.post("/api/v1/recovery/email-check", dependencies=[Depends(assistant)], response_model=EmailCheckAnswer,
               responses=answers(403, 429))
    def email_check(body: EmailCheckBody, grant: TokenGrant = Depends(token_grant)):
        left = count_use(grant, "email_checks", settings.email_checks_per_token)
        return {"matches": recovery.email_matches(grant.account_id, body.email, grant.channel), "checks_left": left}

    @app.post("/api/v1/recovery/password-reset", status_code=202, dependencies=[Depends(assistant)],
               response_model=SentAnswer, responses=answers(403, 429))
    def password_reset(body: ChannelBody, grant: TokenGrant = Depends(token_grant)):
        count_use(grant, "password_resets", settings.password_resets_per_token)
        recovery.password_reset(grant.account_id, grant.channel)
        return {"status": "sent"}

    @app.post("/api/v1/recovery/email-change", status_code=202, dependencies=[Depends(assistant)],
               response_model=EmailChangeAnswer, responses=answers(403, 429))
    def email_change(body: EmailChangeBody, grant: TokenGrant = Depends(token_grant)):
        try:
            recovery.check_new_email(grant.account_id, body.new_email)
            count_use(grant, "email_changes", settings.email_changes_per_token)
            requested = recovery.request_email_change(grant.account_id, body.new_email, grant.channel)
        except InvalidEmail as invalid:
            raise ApiError(422, invalid.code)
        # The proof has done its job: a leaked token can't start a second change.
        verification.revoke(grant)
        return {"status": requested.status, "masked_new_email": mask_email(body.new_email.strip()),
                "applies_after": requested.applies_after.astimezone(WARSAW).isoformat()
                if requested.applies_after else None}

    # The links in e-mails open a page with a button; only the button's POST acts, because mail
    # scanners open (GET) every link they see (issue 9 M4).
    invalid_page = ("Link nieważny", "Ten link wygasł, został już użyty albo zastąpiony nowszą prośbą. "
                    "Prosimy wrócić do czatu pomocy.")

    @app.get("/email-change/confirm", response_class=HTMLResponse, responses={410: {"description": "Link no longer valid"}})
    def confirm_page(t: str = ""):
        if recovery.link_state(t) != "pending":
            return HTMLResponse(_page(*invalid_page), status_code=410)
        return HTMLResponse(_page("Potwierdzenie nowego adresu e-mail",
                                  "Prosimy potwierdzić, że ten adres ma być adresem logowania do Panelu Klienta.",
                                  form=("/email-change/confirm", t, "Potwierdzam zmianę adresu")))

    @app.post("/email-change/confirm", response_class=HTMLResponse,
               responses={410: {"description": "Link no longer valid"}, 503: {"description": "Account source away"}})
    async def confirm_email_change(request: Request):
        token = await form_token(request)
        outcome, applies_after = await run_in_threadpool(recovery.confirm_email_change, str(token))
        if outcome == "applied":
            return HTMLResponse(_page("Adres e-mail zmieniony",
                                      "Nowy adres jest już adresem logowania do Panelu Klienta. Teraz można "
                                      f"ustawić hasło: {settings.password_reset_url}"))
        if outcome == "waiting":
            return HTMLResponse(_page("Zmiana potwierdzona",
                                      f"Ze względów bezpieczeństwa nowy adres zacznie działać {local_time(applies_after)}, "
                                      "o ile zmiana nie zostanie wcześniej anulowana."))
        if outcome == "unavailable":
            return HTMLResponse(_page("Chwilowy problem", "Nie udało się teraz zmienić adresu. Link nadal działa — "
                                      "prosimy spróbować ponownie za kilka minut."), status_code=503)
        return HTMLResponse(_page(*invalid_page), status_code=410)

    @app.get("/email-change/cancel", response_class=HTMLResponse, responses={410: {"description": "Link no longer valid"}})
    def cancel_page(t: str = ""):
        if recovery.link_state(t, cancel=True) not in ("pending", "confirmed"):
            return HTMLResponse(_page(*invalid_page), status_code=410)
        return HTMLResponse(_page("Anulowanie zmiany adresu e-mail",
                                  "Jeśli to nie Pan/Pani prosił(a) o zmianę adresu, prosimy ją anulować.",
                                  form=("/email-change/cancel", t, "Anuluj zmianę adresu")))

    @app.post("/email-change/cancel", response_class=HTMLResponse, responses={410: {"description": "Link no longer valid"}})
    async def cancel_email_change(request: Request):
        token = await form_token(request)
        if await run_in_threadpool(recovery.cancel_email_change, str(token)):
            return HTMLResponse(_page("Zmiana anulowana", "Adres logowania pozostaje bez zmian. Jeśli to nie "
                                      "Pan/Pani prosił(a) o zmianę, prosimy o kontakt: https://www.kylos.pl/pomoc/"))
        return HTMLResponse(_page(*invalid_page), status_code=410)

    @app.post("/api/v1/cases", status_code=201, dependencies=[Depends(assistant)], response_model=CaseOpenedAnswer,
               responses=answers(403, 429))
    def open_case(body: CaseBody):
        details = CaseDetails(body.path, body.company_name, body.phone_proven, tuple(body.phones_tried),
                              body.failure, body.open_question, body.language)
        try:
            opened = case_service.open(body.reason, body.account_type, body.contact_email, body.nip,
                                       body.channel, body.conversation_id, body.summary, details)
        except InvalidCase as invalid:
            raise ApiError(422, invalid.code)
        except TooManyCases as limited:
            raise ApiError(429, "rate_limited", retry_after=limited.retry_after)
        metrics.cases.labels(body.reason).inc()
        if tickets_in_account_source:
            # Staff work in WHMCS: the case is mirrored there as a ticket (same number in the subject).
            accounts.open_staff_ticket(None, f"Odzyskanie dostępu {opened.case_number}", scrub_summary(body.summary))
        return {"case_number": opened.case_number, "open_now": opened.open_now,
                "handled_from": opened.handled_from.astimezone(WARSAW).isoformat()}

    @app.patch("/api/v1/cases/{case_number}", dependencies=[Depends(assistant)], response_model=CaseContactAnswer,
                responses=answers(403, 404))
    def update_case_contact(case_number: str, body: CaseContactBody):
        try:
            updated = case_service.set_contact_email(case_number, body.conversation_id, body.contact_email)
        except InvalidCase as invalid:
            raise ApiError(422, invalid.code)
        if not updated:
            raise ApiError(404, "not_found")
        return {"case_number": case_number, "contact_email": mask_email(body.contact_email.strip())}

    @app.get("/api/v1/cases", dependencies=[Depends(staff)], response_model=CasesAnswer, responses=answers(403))
    def list_cases():
        return {"cases": case_service.all()}

    @app.get("/api/v1/documents", dependencies=[Depends(assistant)], response_model=DocumentsAnswer,
              responses=answers(403))
    def list_documents(account_type: Literal["private", "company"]):
        return documents_for(documents, account_type)

    @app.get("/api/v1/office-hours", dependencies=[Depends(assistant)], response_model=OfficeHoursAnswer,
              responses=answers(403))
    def office_hours():
        now = clock.now()
        return {"open_now": hours.is_open(now), "now": now.astimezone(WARSAW).isoformat(),
                "next_opening": hours.next_opening(now).astimezone(WARSAW).isoformat(),
                "timezone": "Europe/Warsaw", "hours_text": HOURS_TEXT}

    return app


def demo_accounts_present(engine) -> bool:
    import sqlalchemy as sa
    from .storage import accounts as accounts_table
    with engine.connect() as db:
        emails = {email.lower() for email in db.execute(sa.select(accounts_table.c.email)).scalars()}
    return bool(emails & fixture_emails(DEMO_FIXTURE))


async def form_token(request: Request) -> str:
    """The `t` field of the page's form (application/x-www-form-urlencoded)."""
    from urllib.parse import parse_qs
    body = (await request.body())[:4096].decode("utf-8", "replace")
    token = (parse_qs(body).get("t") or [""])[0]
    return "" if _CONTROL.search(token) else token


def _page(title: str, text: str, form: Optional[tuple[str, str, str]] = None) -> str:
    from html import escape
    button = ""
    if form:
        action, token, label = form
        button = (f"<form method='post' action='{escape(action)}'><input type='hidden' name='t' "
                  f"value='{escape(token)}'><button type='submit'>{escape(label)}</button></form>")
    return (f"<!doctype html><html lang='pl'><meta charset='utf-8'><meta name='referrer' content='no-referrer'>"
            f"<title>{escape(title)}</title><body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
            f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{button}</body></html>")
