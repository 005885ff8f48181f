"""One small function per backend operation a procedure may `call`. Each returns an outcome
name (and fields for the texts said on it); the procedure file says what happens on each outcome,
and validation checks that every outcome listed here is handled there."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from contact_rules import mask_email

from ..backend_client import BackendUnavailable, CaseRequest, InvalidInput
from ..dialogue import texts
from ..dialogue.state import Path
from . import case_text
from .context import Context
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
    documents = await ctx.backend.documents(kind)
    heading = texts.say("documents_heading", state.language, state.plural,
                        kind=texts.say(f"kind_{kind}", state.language), send_to=documents.send_to)
    return Reply("\n".join([heading, *[f"• {item}" for item in documents.documents], *documents.notes]),
                 key="documents_list")


@operation("listed")
async def list_documents(ctx: Context) -> Result:
    """The list for the conversation's account type, said at once."""
    ctx.lines.append(await documents_reply(ctx, ctx.state.account_type))
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


@operation("opened", "contact_refused", params=("reason",))
async def open_case(ctx: Context, reason: str = "human_handoff") -> Result:
    """A case for a person, carrying everything known (case_text.py); the NIP is dropped when the
    backend finds it invalid, a contact address it refuses is asked again."""
    state = ctx.state
    reason = state.case_reason or reason
    path = state.previous_path if state.path == Path.HANDOFF else state.path
    request = CaseRequest(
        reason=reason, conversation_id=ctx.conversation_id, channel=ctx.channel,
        summary=case_text.summary(state, ctx.channel, path), account_type=state.account_type,
        contact_email=state.private.contact_email, nip=state.nip, path=path, company_name=state.company_name,
        phone_proven=bool(state.proven or state.email_change), phones_tried=list(state.phones_tried),
        failure="outside_procedure" if reason == "outside_procedure" else state.failure,
        open_question=state.open_question, language=state.language)
    try:
        case = await ctx.backend.create_case(request)
    except InvalidInput as invalid:
        if invalid.code != "invalid_nip":
            return Result("contact_refused", {"email": ""})
        state.nip = None
        case = await ctx.backend.create_case(CaseRequest(**{**request.__dict__, "nip": None}))
    state.case_number = case.case_number
    return Result("opened", {"case_number": case.case_number, "contact": mask_email(state.private.contact_email),
                             "handling": await _handling(ctx, case), "passed": case_text.passed(state, path)})


def names() -> dict[str, Any]:
    return {name: op.outcomes for name, op in OPERATIONS.items()}
