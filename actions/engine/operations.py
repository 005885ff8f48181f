"""One small function per backend operation a procedure may `call`. Each returns an outcome
name (and fields for the texts said on it); the procedure file says what happens on each outcome,
and validation checks that every outcome listed here is handled there."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Optional

from contact_rules import mask_email

from ..backend_client import BackendError, BackendUnavailable, CaseRequest, InvalidInput, NotCallable, NotFound, RateLimited, TokenInvalid
from ..dialogue import texts
from . import case_text
from .context import Context, collected
from .plan import Reply


@dataclass(frozen=True)
class Result:
    outcome: str
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    run: Callable[..., Awaitable[Result]]
    outcomes: tuple[str, ...]
    params: tuple[str, ...] = ()


OPERATIONS: dict[str, Operation] = {}


def operation(*outcomes: str, params: tuple[str, ...] = ()):
    def register(function: Callable[..., Awaitable[Result]]):
        OPERATIONS[function.__name__] = Operation(function, outcomes, params)
        return function
    return register


async def documents_reply(ctx: Context, kind: str) -> Reply:
    """The documents that prove an account of that kind, and where to send them."""
    state = ctx.state
    documents = await ctx.backend.documents(kind, state.language)
    heading = texts.say("documents_heading", state.language, state.plural,
                        kind=texts.say(f"kind_{kind}", state.language), send_to=documents.send_to)
    return Reply("\n".join([heading, *[f"• {item}" for item in documents.documents], *documents.notes]),
                 key="documents_list")


@operation("listed")
async def list_documents(ctx: Context) -> Result:
    """The list for the conversation's account type, said at once."""
    ctx.lines.append(await documents_reply(ctx, collected(ctx.state.account_type, "account_type")))
    ctx.state.documents_listed = True
    return Result("listed")


async def _handling(ctx: Context, case) -> str:
    if case.open_now:
        return ctx.text("handling_open")
    try:
        now = (await ctx.backend.office_hours()).now
    except BackendUnavailable:
        now = case.handled_from
    return ctx.text("handling_closed", when=ctx.when(case.handled_from, now))


def _case_path(ctx: Context) -> Optional[str]:
    """The path a case or a hand-over is about: the one the customer was on before asking for a person;
    without the registered phone, the documents' (staff need those)."""
    state, procedure = ctx.state, ctx.procedure
    path = state.previous_path if state.path == procedure.part("person") else state.path
    if path is None and (state.documents_listed or state.has_phone is False):
        path = procedure.part("without_phone")
    return path


@operation("opened", "contact_refused", params=("reason",))
async def open_case(ctx: Context, reason: str = "human_handoff") -> Result:
    """A case for a person, carrying everything known (case_text.py); the NIP is dropped when the
    backend finds it invalid, a contact address it refuses is asked again."""
    state = ctx.state
    reason = state.case_reason or reason
    path = _case_path(ctx)
    request = CaseRequest(
        reason=reason, conversation_id=ctx.conversation_id, channel=ctx.channel,
        summary=case_text.summary(state, ctx.channel, path), account_type=state.account_type,
        contact_email=state.private.contact_email, nip=state.nip, path=path, company_name=state.company_name,
        phone_proven=bool(state.proven or state.email_change), phones_tried=list(state.phones_tried),
        failure="outside_procedure" if reason == "outside_procedure" else state.failure,
        open_question=state.open_question, language=state.language,
        # The last number the customer gave, in full: the one a person calls back (sealed by the backend).
        callback_phone=state.private.phone, transcript=list(ctx.transcript))
    try:
        case = await ctx.backend.create_case(request)
    except InvalidInput as invalid:
        if invalid.code != "invalid_nip":
            return Result("contact_refused", {"email": ""})
        state.nip = None
        case = await ctx.backend.create_case(CaseRequest(**{**request.__dict__, "nip": None}))
    state.case_number = case.case_number
    contact = mask_email(collected(state.private.contact_email, "contact_email"))
    return Result("opened", {"case_number": case.case_number, "contact": contact,
                             "handling": await _handling(ctx, case),
                             "passed": case_text.passed(state, path or ctx.procedure.part("person"))})


@operation("connected", "unavailable")
async def live_handover(ctx: Context) -> Result:
    """In office hours a person takes the conversation over in the human inbox, with the facts and the
    redacted transcript; the backend says whether one can (an inbox configured, the office open)."""
    state, path = ctx.state, _case_path(ctx)
    try:
        handover = await ctx.backend.start_handover(ctx.conversation_id, ctx.channel, state.language,
                                                    state.private.contact_email,
                                                    case_text.summary(state, ctx.channel, path), list(ctx.transcript))
    except BackendError:
        return Result("unavailable")
    state.with_person = True
    return Result("connected", {"minutes": max(1, round(handover.pickup_seconds / 60))})


@operation("open", "closed", "unknown")
async def office_status(ctx: Context) -> Result:
    """Whether people work now (the backend's office hours), and when they start if not."""
    try:
        hours = await ctx.backend.office_hours()
    except BackendUnavailable:
        return Result("unknown")
    if hours.open_now:
        return Result("open")
    return Result("closed", {"when": ctx.when(hours.next_opening, hours.now)})


def proof(ctx: Context) -> Optional[str]:
    """The token proving the phone, while it is valid (the path's `proof_minutes`)."""
    state = ctx.state
    if state.proven and state.private.token and (state.proven_until or 0) > ctx.clock():
        return state.private.token
    return None


@operation("valid", "expired", "none")
async def proof_status(ctx: Context) -> Result:
    """Whether the phone is proven: a proof past its lifetime is forgotten (a new code proves it again)."""
    if proof(ctx):
        return Result("valid")
    if ctx.state.proven:
        ctx.state.forget_proof()
        return Result("expired")
    return Result("none")


async def _start(ctx: Context, delivery: str) -> Result:
    """A code to the number given, by SMS or read out by a call. The backend answers alike whether the
    number is registered or not, and keeps the limits (calls count against the SMS ones too): a new
    code too soon is `wait` (seconds), too many codes `limited`, a number never called `not_callable`."""
    state = ctx.state
    state.resend_wanted = state.recall_wanted = None
    try:
        started = await ctx.backend.start_verification(collected(state.private.phone, "phone"), ctx.conversation_id,
                                                       ctx.channel, delivery=delivery, language=state.language)
    except RateLimited as limited:
        if limited.retry_after <= 90:
            state.code_sent_at = state.code_sent_at or ctx.clock()
            return Result("wait", {"seconds": limited.retry_after})
        return Result("limited", {"minutes": max(1, round(limited.retry_after / 60))})
    except NotCallable:
        return Result("not_callable")
    except InvalidInput:
        return Result("unreadable")
    now = ctx.clock()
    state.verification_id, state.code_sent_at, state.delivery = started.verification_id, now, delivery
    state.code_expires_at, state.resend_after = now + started.expires_in, started.resend_after
    state.tries.pop("code", None)
    return Result("sent", {"masked": state.masked_phone, "minutes": started.expires_in // 60})


@operation("sent", "wait", "limited", "unreadable")
async def send_code(ctx: Context) -> Result:
    """An SMS code to the number given."""
    return await _start(ctx, "sms")


@operation("sent", "wait", "limited", "unreadable", "not_callable")
async def call_code(ctx: Context) -> Result:
    """A call to the number given that reads the code aloud (twice, in the conversation's language):
    the way a landline proves itself, and a mobile's when the SMS does not come."""
    result = await _start(ctx, "call")
    if result.outcome == "sent":
        kind = "call_landline" if ctx.state.phone_kind == "landline" else "call_mobile"
        return Result("sent", {**result.fields, "why": ctx.text(kind)})
    return result


@operation("calling", "answered", "busy", "no_answer", "failed")
async def call_status(ctx: Context) -> Result:
    """What became of the last call, as the voice provider reported it (docs/backend-api.md); a number
    that got no call reads as one not answered, so the answer tells nothing about the account."""
    state = ctx.state
    state.recall_wanted = None
    if state.delivery != "call" or not state.verification_id:
        return Result("no_answer", {"masked": state.masked_phone})
    try:
        status = (await ctx.backend.call_status(state.verification_id)).status
    except NotFound:
        status = "no_answer"
    return Result(status if status in ("calling", "answered", "busy", "failed") else "no_answer",
                  {"masked": state.masked_phone})


def proven(ctx: Context, token: Optional[str]) -> None:
    """The phone is proven for the path's `proof_minutes` (set here only, never from a message)."""
    state = ctx.state
    state.proven, state.private.token = True, token
    state.proven_until = ctx.clock() + int(ctx.limits.get("proof_minutes", 15)) * 60
    state.verification_id = None
    state.failure = None if state.failure in ("code_expired", "landline") else state.failure
    state.tries.pop("code", None)


@operation("verified", "wrong", "wrong_again", "failed", "expired")
async def check_code(ctx: Context) -> Result:
    """The code typed, checked by the backend; wrong ones count against the path's `code_tries`."""
    state, code = ctx.state, ctx.facts.code
    ctx.facts.code = None                     # used: the same message cannot answer the next question
    result = await ctx.backend.check_code(collected(state.verification_id, "verification_id"), collected(code, "code"))
    if result.verified:
        proven(ctx, result.token)
        return Result("verified")
    if result.reason == "expired":
        minutes = max(1, int(((state.code_expires_at or 0) - (state.code_sent_at or 0)) // 60)) or 10
        return Result("expired", {"masked": state.masked_phone, "minutes": minutes})
    tries = state.tries["code"] = state.tries.get("code", 0) + 1
    if tries >= int(ctx.limits.get("code_tries", 3)) or result.tries_left == 0:
        state.tries.pop("code", None)
        return Result("failed")
    return Result("wrong" if tries == 1 else "wrong_again")


def _proof_lost(ctx: Context) -> Result:
    ctx.state.forget_proof()
    return Result("proof_expired")


async def _office_when(ctx: Context) -> str:
    try:
        hours = await ctx.backend.office_hours()
    except BackendUnavailable:
        return ctx.text("today_in_hours")
    return ctx.text("today_in_hours") if hours.open_now else ctx.when(hours.next_opening, hours.now)


@operation("sent", "queued", "same_email", "dead_domain", "refused", "limited", "proof_expired")
async def change_email(ctx: Context) -> Result:
    """The login address changes to the new one: the backend e-mails a confirmation link there (or a
    person applies it, `queued`) and a notice to the old address; the proof is spent."""
    state, token = ctx.state, proof(ctx)
    if token is None:
        return _proof_lost(ctx)
    new_email = collected(state.private.new_email, "new_email")
    try:
        change = await ctx.backend.change_email(token, ctx.conversation_id, new_email, ctx.channel,
                                                language=state.language)
    except InvalidInput as invalid:
        return Result(invalid.code if invalid.code in ("same_email", "dead_domain") else "refused",
                      {"email": new_email[:60]})
    except TokenInvalid:
        return _proof_lost(ctx)
    except RateLimited:
        return Result("limited", {"reason": ""})
    state.email_change, state.masked_new_email = change.status, change.masked_new_email
    state.applies_after = change.applies_after.isoformat() if change.applies_after else None
    # The backend revokes the proof after a change; it may still correct that change (a mistyped address).
    state.private.change_token = state.private.token if change.status == "confirmation_sent" else None
    state.private.token, state.proven = None, False
    fields = {"masked_new_email": change.masked_new_email}
    if change.status == "queued_for_staff":
        return Result("queued", {**fields, "when": await _office_when(ctx)})
    applies = ctx.text("applies_after", when=ctx.when(change.applies_after, change.applies_after)) \
        if change.applies_after else ""
    return Result("sent", {**fields, "applies": applies})


@operation("shown", "proof_expired")
async def email_hint(ctx: Context) -> Result:
    """The account's login address, masked (`ma***@z***.pl`)."""
    token = proof(ctx)
    if token is None:
        return _proof_lost(ctx)
    try:
        ctx.state.masked_login = (await ctx.backend.email_hint(token, ctx.conversation_id)).masked_email
    except TokenInvalid:
        return _proof_lost(ctx)
    return Result("shown", {"masked_login": ctx.state.masked_login})


@operation("sent", "limited", "proof_expired")
async def password_reset(ctx: Context) -> Result:
    """The panel's reset link, sent by the backend to the account's own address."""
    token = proof(ctx)
    if token is None:
        return _proof_lost(ctx)
    try:
        await ctx.backend.password_reset(token, ctx.conversation_id, ctx.channel, language=ctx.state.language)
    except TokenInvalid:
        return _proof_lost(ctx)
    except RateLimited:
        return Result("limited")
    ctx.state.reset_sent = True
    return Result("sent", {"masked_login": ctx.state.masked_login})


async def check_login_guess(ctx: Context, address: str) -> Optional[bool]:
    """Whether `address` is the login (the backend counts the checks); None when it cannot say."""
    token = proof(ctx)
    try:
        check = await ctx.backend.check_email(collected(token, "proof"), ctx.conversation_id, address)
    except RateLimited:
        ctx.say("email_check_limit", texts.YES_NO, question=True)
        ctx.state.step = "offer_reset"
        ctx.mark("answered")
        return None
    except TokenInvalid:
        ctx.state.forget_proof()
        ctx.say("proof_expired")
        return None
    ctx.state.email_checks_left = check.checks_left
    ctx.say("email_check_yes" if check.matches else "email_check_no", email=address,
            masked_login=ctx.state.masked_login)
    ctx.mark("answered")
    return check.matches


async def update_case_contact(ctx: Context) -> None:
    """A contact address corrected after the case was opened replaces the case's one."""
    state = ctx.state
    contact = collected(state.private.contact_email, "contact_email")
    try:
        await ctx.backend.update_case_contact(collected(state.case_number, "case_number"), ctx.conversation_id, contact)
    except (NotFound, InvalidInput):
        ctx.say("bad_email", email="")
        return
    ctx.say("case_contact_updated", case_number=state.case_number, contact=mask_email(contact))
    ctx.mark("progress")


async def correct_email_change(ctx: Context) -> None:
    """A new login address corrected after its link went out: the backend voids that link and sends a
    new one to the corrected address (with the proof the change spent, while the change is pending)."""
    state = ctx.state
    new_email = collected(state.private.new_email, "new_email")
    try:
        change = await ctx.backend.correct_email_change(collected(state.private.change_token, "change_token"),
                                                        ctx.conversation_id, new_email, ctx.channel,
                                                        language=state.language)
    except InvalidInput as invalid:
        ctx.say("dead_domain" if invalid.code == "dead_domain" else
                "same_email" if invalid.code == "same_email" else "bad_email", email=new_email[:60], question=True)
        ctx.mark("clarify")
        return
    except TokenInvalid:
        state.private.change_token = None
        ctx.say("change_not_correctable", texts.ALTERNATIVE_BUTTONS, question=True)
        ctx.mark("clarify")
        return
    state.masked_new_email = change.masked_new_email
    ctx.say("email_change_corrected", masked_new_email=change.masked_new_email)
    ctx.mark("progress")
