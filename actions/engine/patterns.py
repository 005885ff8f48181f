"""Behaviour written once for every path (data/procedure/patterns.yml): a path opened or switched
(facts and a proven phone stay), side questions answered and the pending question asked again,
trouble with the code, the reset mail that does not arrive, a Telegram contact shared, thanks,
goodbye, greetings. Each function plans what to say; the path then moves on in the runner."""
from __future__ import annotations

from typing import Optional

from contact_rules import mask_phone

from ..backend_client import BackendUnavailable, InvalidInput
from ..dialogue import texts
from ..dialogue.state import Outcome, Step
from ..phone import check_phone
from . import operations, slots
from .case_text import note_question
from .context import Context
from .procedure import Procedure
from .runner import choices

ATTESTATION_KEY = "phone_attestation"   # message metadata set by the Telegram connector


def switch_path(ctx: Context, path: str, intent: Optional[str] = None) -> None:
    state, procedure = ctx.state, ctx.procedure
    if state.path == path and not procedure.flows[path].repeats:
        ctx.mark(Outcome.PROGRESS)
        return
    if state.path and state.path != procedure.part("person"):
        state.previous_path = state.path     # after a person, the customer's path is still the one before
    state.path, state.finished, state.at = path, None, []
    if state.step in (Step.PROBLEM, Step.HAS_PHONE, Step.ACCOUNT_TYPE, Step.OFFER_RESET):
        state.step = None
    if procedure.needs_phone(path) and state.has_phone is False and intent == "use_sms":
        state.has_phone = True
    ctx.mark(Outcome.PROGRESS)


def back_to_phone(ctx: Context, intent: Optional[str] = None) -> None:
    """A code, a shared contact or "wolę SMS" with no phone-proving path open: the path that proved the
    phone before, or the one the patterns name for it."""
    procedure, previous = ctx.procedure, ctx.state.previous_path
    switch_path(ctx, previous if previous and procedure.needs_phone(previous) else procedure.part("after_proof"),
                intent)


def goto_step(ctx: Context, procedure: Procedure, flow: Optional[str], step: str) -> bool:
    """Moves the innermost frame of `flow` on the conversation's stack to `step` (None: the phone's proof)."""
    flow = flow or procedure.part("phone_proof")
    frames = ctx.state.at
    for depth in range(len(frames) - 1, -1, -1):
        if frames[depth].split(":")[0] == flow:
            ctx.state.at = frames[:depth] + [f"{flow}:{step}"]
            return True
    return False


async def documents_asked(ctx: Context) -> None:
    state, procedure = ctx.state, ctx.procedure
    proving = procedure.needs_phone(state.path)
    phone_failed = proving and (state.has_phone is False or (state.failure and not state.proven))
    if state.path is None or phone_failed or not (proving or state.path == procedure.part("person")):
        switch_path(ctx, procedure.part("without_phone"))
        return
    # Asked while the phone is being proven, or with a person: answered, and the path goes on.
    ctx.answered.append("ask_documents")
    for kind in [state.account_type] if state.account_type else ["private", "company"]:
        ctx.lines.append(await operations.documents_reply(ctx, kind))
    ctx.mark(Outcome.ANSWERED)


def resend_wait(ctx: Context) -> int:
    sent = ctx.state.code_sent_at
    return max(0, int(sent + ctx.state.resend_after - ctx.clock() + 0.999)) if sent else 0


async def code_trouble(ctx: Context, procedure: Procedure, resend: bool) -> None:
    """"The code didn't come" / "send a new one": the backend's cooldown decides a resend."""
    state = ctx.state
    if operations.proof(ctx):
        ctx.say("already_proven")
        ctx.mark(Outcome.ANSWERED)
        return
    if not state.private.phone or state.phone_kind != "mobile" or not (state.verification_id or state.code_sent_at):
        ctx.say("code_not_sent_have_number" if state.private.phone else "no_code_yet")
        ctx.mark(Outcome.ANSWERED)
        return
    wait = resend_wait(ctx)
    if resend or (state.step == Step.RESEND and wait == 0):
        state.resend_wanted = True
        if not goto_step(ctx, procedure, None, Step.SEND_CODE):
            await _send_outside_path(ctx)
        return
    goto_step(ctx, procedure, None, Step.RESEND)
    state.step = Step.RESEND
    key = "code_not_received_wait" if wait else "code_not_received_now"
    ctx.say(key, choices("resend"), question=True, seconds=wait)
    ctx.mark(Outcome.ANSWERED)


def _proving(ctx: Context) -> bool:
    """A number is being proven on a path that needs the phone (a code may go to it)."""
    return ctx.procedure.needs_phone(ctx.state.path) and bool(ctx.state.private.phone)


async def call_trouble(ctx: Context, procedure: Procedure) -> None:
    """"Nie odebrałem" (or "the code didn't come" after a call): what the provider says became of the
    call, then another call offered. After an SMS it is the SMS's trouble."""
    state = ctx.state
    if state.delivery != "call" or operations.proof(ctx):
        await code_trouble(ctx, procedure, resend=False)
        return
    goto_step(ctx, procedure, None, Step.CALL_STATUS)
    ctx.mark(Outcome.ANSWERED)


async def call_asked(ctx: Context, procedure: Procedure) -> None:
    """"Zadzwońcie (jeszcze raz)": the code goes by a call to the number given (the backend's wait
    between codes applies); without a number the phone step asks for it."""
    state = ctx.state
    if operations.proof(ctx):
        ctx.say("already_proven")
        ctx.mark(Outcome.ANSWERED)
        return
    if not procedure.needs_phone(state.path):
        if state.path in (procedure.part("without_phone"), procedure.part("person")) \
                and state.previous_path and procedure.needs_phone(state.previous_path):
            switch_path(ctx, state.previous_path)
        else:
            ctx.say("call_only_code")
            if state.path is None and state.step is None:      # with no path yet: what happened?
                ctx.say("ask_problem", texts.PROBLEM_BUTTONS, question=True)
                state.step = Step.PROBLEM
            ctx.mark(Outcome.ANSWERED)
            return
    state.call_wanted, state.has_phone = True, True
    ctx.changed.add("call_wanted")
    if not state.private.phone:
        ctx.say("call_needs_number")
    else:                       # without the sub-procedure open yet, the path reaches the phone step
        goto_step(ctx, procedure, None, Step.CALL_CODE)
    ctx.mark(Outcome.PROGRESS)


async def sms_asked(ctx: Context, procedure: Procedure) -> bool:
    """"Wolę SMS" while a number is being proven: an SMS to a mobile (the backend's wait between codes
    applies); a landline cannot get one, which is said. False: not about a number being proven."""
    state = ctx.state
    if not _proving(ctx) or operations.proof(ctx):
        return False
    if state.phone_kind == "landline":
        ctx.say("sms_landline", question=True)
        ctx.mark(Outcome.ANSWERED)
        return True
    state.call_wanted = False
    if state.delivery == "call" or not state.verification_id:
        goto_step(ctx, procedure, None, Step.SEND_CODE)
    else:
        await code_trouble(ctx, procedure, resend=True)
    ctx.mark(Outcome.PROGRESS)
    return True


async def _send_outside_path(ctx: Context) -> None:
    """A new code asked for after leaving the phone's path (the documents path, a person)."""
    result = await operations.send_code(ctx)
    key = {"sent": "code_sent", "wait": "resend_wait", "limited": "rate_limited", "unreadable": "phone_help"}
    ctx.say(key[result.outcome], question=result.outcome == "sent", **result.fields)
    ctx.mark(Outcome.PROGRESS if result.outcome == "sent" else Outcome.ANSWERED)


def reset_trouble(ctx: Context) -> None:
    state = ctx.state
    if state.email_change:
        ctx.say("confirmation_trouble")
    elif state.reset_sent:
        ctx.say("reset_trouble_after_reset", choices("reset_trouble"), question=True)
    else:
        ctx.say("reset_trouble", choices("reset_trouble"), question=True)
        state.path, state.step, state.at = None, Step.PROBLEM, []
    ctx.mark(Outcome.ANSWERED)


async def shared_contact(ctx: Context, metadata: dict) -> None:
    """Telegram: the connector saw the customer share their own contact and signed it; the action
    server cannot check that signature (it has not the secret) — it forwards it to the backend."""
    state = ctx.state
    claim = (metadata or {}).get(ATTESTATION_KEY)
    if not isinstance(claim, dict) or claim.get("conversation_id") != ctx.conversation_id:
        ctx.say("only_own_contact", question=True)
        ctx.mark(Outcome.CLARIFY)
        return
    phone = str(claim.get("phone") or "")
    try:
        started = await ctx.backend.start_attested_verification(
            phone, ctx.conversation_id, ctx.channel, str(claim.get("kind") or ""), claim.get("proof") or {})
    except InvalidInput:
        ctx.say("only_own_contact", question=True)
        ctx.mark(Outcome.CLARIFY)
        return
    result = await ctx.backend.attested_token(started.verification_id)
    checked = check_phone(phone)
    if not ctx.procedure.needs_phone(state.path):
        state.path, state.at = ctx.procedure.part("after_proof"), []
    state.private.phone, state.phone_kind = checked.e164 or phone, checked.kind
    state.masked_phone = mask_phone(state.private.phone)
    if state.masked_phone not in state.phones_tried:
        state.phones_tried.append(state.masked_phone)
    ctx.changed |= {"code_pending", "has_phone"}
    if result.verified:
        operations.proven(ctx, result.token)
        state.has_phone = True
        ctx.say("phone_confirmed")
        ctx.mark(Outcome.PROGRESS)
        return
    state.failure = "contact_not_registered"
    ctx.say("alternatives", choices("alternatives"), question=True, reason=ctx.text("contact_not_proven"))
    ctx.mark(Outcome.CLARIFY)


async def answer(ctx: Context, procedure: Procedure, intent: str, text: str) -> None:
    """A side question: answered now; the pending question follows (the runner asks it)."""
    state = ctx.state
    ctx.answered.append(intent)
    if intent == "ask_office_hours":
        await office_hours(ctx)
    elif intent == "ask_capabilities":
        ctx.say("capabilities", None if state.path else texts.PROBLEM_BUTTONS)
    elif intent == "ask_next_steps":
        flow = procedure.flows.get(state.path or "")
        ctx.say((flow and slots.chosen(ctx, flow.next_steps)) or procedure.patterns.next_steps_without_path)
    elif intent == "ask_which_number":
        if state.verification_id or state.proven:
            ctx.say("which_number")
        else:
            ctx.say("code_not_sent_have_number" if state.private.phone else "no_code_yet")
    elif intent == "ask_full_email":
        ctx.say("full_email_refused" if state.masked_login else "next_no_login")
    elif intent == "out_of_scope":
        if state.step is None:
            ctx.say("out_of_scope")
        note_question(state, text)
    elif intent in procedure.patterns.side_questions:
        ctx.say(procedure.patterns.side_questions[intent])
    elif intent in ctx.answers:
        ctx.answer(intent)                  # a question answered by its response in the domain
        if state.path is None and state.step is None:
            ctx.say("ask_problem", texts.PROBLEM_BUTTONS, question=True)   # with no path yet: what happened?
            state.step = Step.PROBLEM
    else:
        ctx.respond(f"utter_{intent}")
    ctx.mark(Outcome.ANSWERED)


async def office_hours(ctx: Context) -> None:
    try:
        hours = await ctx.backend.office_hours()
    except BackendUnavailable:
        ctx.say("office_hours", state="")
        return
    now = ctx.text("open_now") if hours.open_now else ctx.text("closed_now", when=ctx.when(hours.next_opening,
                                                                                           hours.now))
    ctx.say("office_hours", state=now)


# Side questions whose answer depends on the conversation or the backend; the others are in
# patterns.yml (`side_questions`: intent -> text) or answered by the domain's `utter_<intent>`.
STATEFUL_ANSWERS = {"ask_office_hours", "ask_capabilities", "ask_next_steps", "ask_which_number", "ask_full_email"}


def answerable(procedure: Procedure, answers) -> set[str]:
    """Every intent the turn can answer: asked besides a problem, it is answered too."""
    return (STATEFUL_ANSWERS | set(procedure.patterns.side_questions) | set(answers.intents)
            | {"ask_documents"})


def is_question(procedure: Procedure, intent: Optional[str]) -> bool:
    return bool(intent) and (intent in STATEFUL_ANSWERS or intent in procedure.patterns.side_questions
                             or f"utter_{intent}" in procedure.patterns.responses)
