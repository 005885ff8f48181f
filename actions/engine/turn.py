"""One customer message, handled the way a patient support person would. A turn first decides
everything that happened, in a fixed order, then composes one reply:
1. the intent (understanding.py) and what the message says (reading.py): facts kept, choices made;
2. the patterns (patterns.py): a path opened or switched, side questions answered, trouble with
   the code, thanks, goodbye;
3. the path moves on in the procedure (runner.py) as far as the facts allow and asks for what is
   still missing;
4. the reply is composed (plan.py): never empty, nothing a later statement makes untrue, the one
   open question last."""
from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from typing import Optional

from ..backend_client import BackendClient, BackendError, RateLimited
from ..dialogue import texts
from ..dialogue.answers import Answers
from ..dialogue.facts import extract
from ..dialogue.state import Outcome, State, Step
from ..settings import Company
from . import operations, patterns, reading, slots
from .case_text import note_question, scrub
from .context import Context
from .plan import Reply, compose
from .procedure import Procedure
from .runner import Runner, choices
from .understanding import Message, language_of, understand
from .validation import procedure

log = logging.getLogger(__name__)


class Turn:
    def __init__(self, state: State, message: Message, backend: BackendClient, conversation_id: str, channel: str,
                 company: Company, clock: Callable[[], float] = time.time, steps: Optional[Procedure] = None,
                 answers: Optional[Answers] = None, transcript: Optional[list] = None):
        self.message, self.procedure = message, steps or procedure()
        self.silent = False   # a person has the conversation: this turn says nothing
        facts = extract(message.text, expecting_code=bool(
            state.step in (Step.CODE, Step.RESEND, Step.RECALL) or (state.verification_id and not state.proven)))
        self.ctx = Context(state, facts, backend, conversation_id, channel, company, clock, state.step,
                           message_text=message.text, contradictions=self.procedure.patterns.contradictions,
                           limits={key: value for flow in self.procedure.flows.values()
                                   for key, value in flow.limits.items()}, answers=answers or Answers(),
                           transcript=transcript or [], procedure=self.procedure)

    @property
    def state(self) -> State:
        return self.ctx.state

    @property
    def outcome(self) -> Optional[str]:
        return self.ctx.outcome

    async def run(self) -> Optional[str]:
        ctx = self.ctx
        if ctx.state.with_person and await self._with_person():
            return ctx.outcome
        ctx.state.language = language_of(self.message, ctx.facts, ctx.state)
        company = ctx.facts.account_type == "company"
        if not ctx.state.register_known and (ctx.facts.plural or ctx.facts.singular or company):
            # One register per conversation: the first message that shows one decides it ("nasza firma",
            # a company's account: "Państwo"; "nie pamiętam", "mam firmę": "Pan/Pani"); a switch later
            # would read as two different people.
            ctx.state.plural = ctx.facts.plural or (company and not ctx.facts.singular)
            ctx.state.register_known = True
        ctx.meaning = understand(self.message, ctx.facts, ctx.state, patterns.answerable(self.procedure, ctx.answers))
        intent = ctx.meaning.intent
        if intent in ("start_over", "stop"):
            self._end(intent)
            return ctx.outcome
        before = copy.deepcopy(ctx.state)
        try:
            await self._decide(intent)
        except RateLimited as limited:
            # A limit on who asks (the backend's per-client and global limits): when to come back.
            ctx.say("try_later", minutes=max(1, -(-limited.retry_after // 60)))
            ctx.mark(Outcome.ANSWERED)
        except BackendError as error:
            log.warning("backend error in a turn: %s", type(error).__name__)
            ctx.say("backend_down")
            ctx.mark(Outcome.ANSWERED)
        except Exception:  # noqa: BLE001 — the customer gets an answer and loses nothing they said before
            log.exception("turn failed")
            ctx.state, ctx.lines, ctx.outcome = before, [], None
            ctx.say("internal_error")
            ctx.mark(Outcome.ANSWERED)
        if ctx.outcome is None:
            self._fallback()
        return ctx.outcome

    async def _with_person(self) -> bool:
        """A person has the conversation (a live hand-over): the message is theirs to answer, relayed
        by the backend, and the assistant stays silent. When the backend says the hand-over ended the
        turn goes on as usual: after a resolution the message starts afresh, after nobody picked up
        the hand-over path goes on to the case. Only the backend's answer ends it."""
        ctx, state = self.ctx, self.ctx.state
        try:
            handover = await ctx.backend.relay_to_person(ctx.conversation_id, self.message.text)
        except BackendError:
            return False   # the backend is away: an answer from the assistant beats silence
        if handover.status in ("waiting", "talking"):
            self.silent = True
            ctx.mark(Outcome.ANSWERED)
            return True
        state.with_person = False
        if handover.status == "resolved":
            state.previous_path, state.finished, state.path = state.path, state.path, None
            state.at, state.step = [], None
        return False

    def _end(self, intent: str) -> None:
        ctx = self.ctx
        if intent == "start_over":
            ctx.state = State(language=ctx.state.language)
            ctx.say("restart", texts.PROBLEM_BUTTONS, question=True)
            ctx.mark(Outcome.PROGRESS)
        else:
            ctx.state.step, ctx.state.at = None, []
            ctx.say("stopped")
            ctx.mark(Outcome.ANSWERED)

    async def _decide(self, intent: Optional[str]) -> None:
        ctx, switches = self.ctx, self.procedure.patterns.switches
        # The path first: "nie działa, zmień na X" makes X the new address, not a guess to check,
        # and "konsultant, mój mail to X" makes X the contact address.
        if intent == "outside_procedure":
            ctx.state.case_reason, ctx.state.open_question = "outside_procedure", scrub(self.message.text)
            ctx.say("outside_procedure")
        if intent in switches:
            patterns.switch_path(ctx, switches[intent], intent)
        await reading.read(ctx, intent)
        if ctx.switch_to:
            patterns.switch_path(ctx, ctx.switch_to)
        await self._act_on(intent)
        await self._advance()

    async def _act_on(self, intent: Optional[str]) -> None:
        ctx, state, procedure = self.ctx, self.ctx.state, self.procedure
        if ctx.meaning.wish in procedure.patterns.jumps and operations.proof(ctx):
            slots.write(ctx, ctx.meaning.wish, True)
            patterns.goto_step(ctx, procedure, *procedure.patterns.jumps[ctx.meaning.wish])
        elif intent in ("lost_access", "greet") and state.path is None and not ctx.lines:
            ctx.say("ask_problem" if intent == "lost_access" else "greet", texts.PROBLEM_BUTTONS, question=True)
            state.step = Step.PROBLEM
            ctx.mark(Outcome.PROGRESS)
        elif intent == "ask_documents":
            await patterns.documents_asked(ctx)
        elif intent == "use_sms":
            if not await patterns.sms_asked(ctx, procedure):
                state.has_phone = True
                patterns.back_to_phone(ctx, intent)
        elif intent == "request_call" or (intent == "resend_code" and state.delivery == "call"):
            await patterns.call_asked(ctx, procedure)
        elif intent in ("call_missed", "code_not_received"):
            await patterns.call_trouble(ctx, procedure)
        elif intent == "resend_code":
            await patterns.code_trouble(ctx, procedure, resend=True)
        elif intent == "reset_mail_missing":
            patterns.reset_trouble(ctx)
        elif intent == "share_contact":
            await patterns.shared_contact(ctx, self.message.metadata)
        elif intent == "deny" and state.step == Step.PROBLEM:
            ctx.say("anything_else", question=True)
            ctx.mark(Outcome.ANSWERED)
        elif patterns.is_question(procedure, intent) or (intent == "out_of_scope" and not ctx.lines):
            await patterns.answer(ctx, procedure, intent or "out_of_scope", self.message.text)
        elif intent in ("thank", "goodbye"):
            self._closing(intent)
        elif intent == "affirm" and state.step and state.step not in reading.YES_NO_STEPS:
            # "ok" when no yes/no question is open: acknowledged, and the pending question follows.
            ctx.say("acknowledged")
            ctx.mark(Outcome.ANSWERED)
        await self._after_intent(intent)

    def _closing(self, intent: str) -> None:
        ctx = self.ctx
        if intent == "thank":
            ctx.say("thank")
            if ctx.state.step is None:
                ctx.say("anything_else", question=True)
        else:
            # The pending step stays: a customer who comes back goes on where they left.
            ctx.say("goodbye", question=True)
        ctx.mark(Outcome.ANSWERED)

    async def _after_intent(self, intent: Optional[str]) -> None:
        ctx, state = self.ctx, self.ctx.state
        if intent is None and "?" in self.message.text and not ctx.facts.phones and not ctx.facts.emails \
                and note_question(state, self.message.text):
            # Said honestly, kept for the person who takes the case; the pending question follows.
            ctx.say("question_noted")
            ctx.mark(Outcome.ANSWERED)
        without_phone = self.procedure.part("without_phone")
        if state.path is None and state.has_phone is False:
            patterns.switch_path(ctx, without_phone)    # without the registered phone only documents remain
        for question in ctx.meaning.also:
            if question == "ask_documents":
                if state.path != without_phone:
                    await patterns.documents_asked(ctx)
            else:
                await patterns.answer(ctx, self.procedure, question, self.message.text)

    async def _advance(self) -> None:
        ctx, state = self.ctx, self.ctx.state
        if state.step in (Step.CHOOSE_PHONE, Step.CHOOSE_EMAIL):
            return
        if ctx.facts.code and state.verification_id:
            if not self.procedure.needs_phone(state.path):
                # The code arrived after all (after the alternatives, or on the documents path): it still counts.
                state.has_phone = True
                patterns.back_to_phone(ctx)
            patterns.goto_step(ctx, self.procedure, None, Step.CODE)
        if ctx.contact_changed:
            await operations.update_case_contact(ctx)
            return
        if ctx.change_corrected:
            await operations.correct_email_change(ctx)
            return
        if state.path in self.procedure.flows:
            await Runner(self.procedure, ctx).run(state.path)
        elif state.path is None and not ctx.asked and (ctx.outcome == Outcome.PROGRESS or (
                ctx.outcome == Outcome.ANSWERED and state.step == Step.PROBLEM)):
            ctx.say("ask_problem", texts.PROBLEM_BUTTONS, question=True)
            state.step = Step.PROBLEM

    def _fallback(self) -> None:
        ctx, state = self.ctx, self.ctx.state
        if state.step and ctx.lines:
            ctx.mark(Outcome.CLARIFY)
            return
        if state.finished and not ctx.lines and "?" not in self.message.text:
            # After the goal, words the model cannot place ("no wreszcie") close rather than confuse.
            ctx.say("anything_else", question=True)
            ctx.mark(Outcome.ANSWERED)
            return
        if "?" in self.message.text:
            note_question(state, self.message.text)
        reply = ctx.say("fallback", question=True)
        reply.buttons = (texts.buttons(texts.PROBLEM_BUTTONS, state.language)
                         + texts.buttons(texts.ALTERNATIVE_BUTTONS, state.language)[1:2])
        ctx.mark(Outcome.FALLBACK)

    def _ask_pending(self) -> None:
        """The question the conversation waits for, asked again: the one its procedure step asks."""
        step = self.procedure.collecting(self.state.step)
        if step is not None and step.ask:
            self.ctx.say(step.ask, choices(step.buttons), question=True)
        elif self.state.step == Step.PROBLEM:
            self.ctx.say("ask_problem", texts.PROBLEM_BUTTONS, question=True)
        else:
            self.ctx.say("anything_else", question=True)

    def reply(self) -> list[Reply]:
        """The turn's one reply: planned lines composed, never empty (the pending question at least)."""
        if self.silent:
            return []   # a person has the conversation and answers it
        rules = self.procedure.patterns.contradictions
        composed = compose(self.ctx.lines, rules)
        if not composed:
            self._ask_pending()
            composed = compose(self.ctx.lines, rules)
        return composed

