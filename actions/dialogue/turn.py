"""One customer message, handled the way a patient support person would:
keep every fact the message holds, answer what was asked, then move the
customer's path on and ask for what is still missing.

The order inside a turn is fixed and explains most behaviour:
1. facts from the message are kept (phones, e-mails, code, account type, NIP …);
2. the intent is acted on: a path is chosen or switched (proof and facts stay),
   a question is answered, a choice is made;
3. the path advances as far as the facts allow (a code is sent, checked, the
   e-mail change requested, a case opened), and the next missing fact is asked.

Everything the backend does goes through `BackendClient`; everything said
comes from `texts.py`.
"""
from __future__ import annotations

import copy
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from contact_rules import mask_email, mask_phone

from ..backend_client import (BackendClient, BackendError, BackendUnavailable, InvalidInput, NotFound, RateLimited,
                              TokenInvalid)
from ..phone import PhoneCheck, check_phone
from ..engine.case_text import scrub
from ..engine.context import Context
from ..engine.operations import documents_reply
from ..engine.plan import Reply, compose
from ..engine.runner import Runner
from ..engine.validation import procedure
from ..settings import Company
from . import texts
from .facts import Email, Facts, choose_email, extract, fold
from .state import Outcome, Path, State, Step

log = logging.getLogger(__name__)
ATTESTATION_KEY = "phone_attestation"   # message metadata set by the Telegram connector
QUESTIONS = {"ask_duration", "ask_next_steps", "ask_safety", "ask_which_number", "ask_office_hours", "ask_contact",
             "bot_challenge", "ask_capabilities", "ask_full_email"}
PROBLEMS = {"forgot_password": Path.PASSWORD, "email_not_working": Path.DEAD_EMAIL, "no_login_data": Path.NO_LOGIN}
# Inside a step these end nothing unless the model is sure: a digression mistaken for "bye" must not end the path.
EXITS = {"goodbye", "thank", "out_of_scope", "stop", "greet", "start_over", "nlu_fallback"}
SURE = 0.8
MAX_TRIES = 3
PROOF_LIFETIME = 15 * 60
# The question a turn that planned nothing else repeats: what the conversation waits for.
PENDING = {Step.PROBLEM: "ask_problem", Step.HAS_PHONE: "ask_has_phone", Step.PHONE: "ask_phone",
           Step.CODE: "ask_code", Step.RESEND: "ask_code", Step.NEW_EMAIL: "ask_new_email",
           Step.OFFER_RESET: "offer_reset", Step.ACCOUNT_TYPE: "ask_account_type",
           Step.CONTACT_EMAIL: "ask_contact_email"}
ENGINE_PATHS = (Path.PASSWORD, Path.DOCUMENTS, Path.HANDOFF)
FIRST = re.compile(r"^\s*(1|pierwsz\w*|ten pierwszy|first|the first)\b")
SECOND = re.compile(r"^\s*(2|drug\w*|ten drugi|second|the second)\b")
ENGLISH_INTENTS = [
    (re.compile(r"\b(human|person|agent|operator|somebody|someone|real people|staff|consultant)\b"), "request_human"),
    (re.compile(r"\b(neither|don'?t know (my |the )?(login|e-?mail|address))\b"), "no_login_data"),
    (re.compile(r"(e-?mail|mailbox|inbox).*(not work|doesn'?t work|dead|expired|no longer)|"
                r"(dead|expired) (e-?mail|mailbox|domain)"), "email_not_working"),
    (re.compile(r"\bpassword\b"), "forgot_password"),
    (re.compile(r"\bdocuments?\b"), "ask_documents"),
    (re.compile(r"\b(hours|open|opening)\b"), "ask_office_hours"),
    (re.compile(r"\b(are you a bot|robot|bot\b)"), "bot_challenge"),
    (re.compile(r"\b(what can you do|help me|can you help)\b"), "ask_capabilities"),
    (re.compile(r"\b(code).*(didn'?t|not|never) (arrive|come|get)|didn'?t get (the|a) code"), "code_not_received"),
    (re.compile(r"\b(resend|new code|send (it|the code) again|another code)\b"), "resend_code"),
    (re.compile(r"\b(no longer have|lost my phone|don'?t have (that|the) (phone|number))\b"), "no_phone_access"),
    (re.compile(r"\b(how long|how much time)\b"), "ask_duration"),
    (re.compile(r"\b(is (it|this) safe|why .*code|why do you need)\b"), "ask_safety"),
    (re.compile(r"\b(which|what) (phone )?number\b"), "ask_which_number"),
    (re.compile(r"\b(what next|next step|what now|what happens)\b"), "ask_next_steps"),
    (re.compile(r"\b(start over|start again|from scratch)\b"), "start_over"),
    (re.compile(r"^\s*(yes|yeah|yep|sure|ok|okay)\b"), "affirm"),
    (re.compile(r"^\s*(no|nope)\b"), "deny"),
    (re.compile(r"\b(thanks|thank you)\b"), "thank"),
    (re.compile(r"\b(bye|goodbye)\b"), "goodbye"),
    (re.compile(r"^\s*(hi|hello|good (morning|afternoon))\b"), "greet"),
]
@dataclass
class Message:
    text: str
    intent: Optional[str] = None
    confidence: float = 1.0
    metadata: dict = field(default_factory=dict)


class Turn:
    def __init__(self, state: State, message: Message, backend: BackendClient, conversation_id: str, channel: str,
                 company: Company, clock: Callable[[], float] = time.time):
        self.message, self.backend = message, backend
        self.conversation_id, self.channel, self.company, self.clock = conversation_id, channel, company, clock
        self.step_at_start = state.step
        self._contact_changed = False
        self.facts: Facts = extract(message.text, expecting_code=bool(state.step in (Step.CODE, Step.RESEND) or (
            state.verification_id and not state.proven)))
        self.ctx = Context(state, self.facts, backend, conversation_id, channel, company, clock, state.step)

    # The turn's state, what it plans to say and how it went live in its Context, shared with the engine.
    state = property(lambda self: self.ctx.state, lambda self, value: setattr(self.ctx, "state", value))
    replies = property(lambda self: self.ctx.lines, lambda self, value: setattr(self.ctx, "lines", value))
    outcome = property(lambda self: self.ctx.outcome, lambda self, value: setattr(self.ctx, "outcome", value))
    prompted = property(lambda self: self.ctx.asked)

    # --- speaking -------------------------------------------------------------------------------
    def say(self, key: str, choices: Optional[dict] = None, prompt: bool = False, **fields: Any) -> None:
        self.ctx.say(key, choices, question=prompt, **fields)

    def mark(self, outcome: str) -> None:
        self.ctx.mark(outcome)

    def reply(self) -> list[Reply]:
        """The turn's one reply: planned lines composed, never empty (the pending question at least)."""
        composed = compose(self.replies, procedure().patterns.contradictions)
        if not composed:
            key = PENDING.get(self.state.step, "anything_else")
            self.say(key, prompt=True, masked=self.state.masked_phone, masked_login=self.state.masked_login)
            composed = compose(self.replies, procedure().patterns.contradictions)
        return composed

    async def _run_path(self, path: str) -> None:
        """A path written in data/procedure/ runs on the engine."""
        await Runner(procedure(), self.ctx).run(path)

    # --- the turn -------------------------------------------------------------------------------
    async def run(self) -> str:
        state, facts = self.state, self.facts
        if facts.english is not None:
            state.language = "en" if facts.english else "pl"
        state.plural = state.plural or facts.plural
        intent = self._intent()
        if intent == "start_over":
            self.state = State(language=state.language)
            self.say("restart", texts.PROBLEM_BUTTONS, prompt=True)
            self.mark(Outcome.PROGRESS)
            return self.outcome
        if intent == "stop":
            state.step = None
            self.say("stopped")
            self.mark(Outcome.ANSWERED)
            return self.outcome
        before = copy.deepcopy(state)
        try:
            # The path first: "nie działa, zmień na X" makes X the new address, not a guess to check,
            # and "konsultant, mój mail to X" makes X the contact address.
            if intent in PROBLEMS:
                self._switch_path(PROBLEMS[intent])
            elif intent == "request_human":
                self._switch_path(Path.HANDOFF)
            elif intent == "outside_procedure":
                state.case_reason = "outside_procedure"
                state.open_question = scrub(self.message.text)
                self.say("outside_procedure")
                self._switch_path(Path.HANDOFF)
            await self._absorb(intent)
            await self._act_on(intent)
            await self._advance()
        except BackendError as error:
            log.warning("backend error in a turn: %s", type(error).__name__)
            self.say("backend_down")
            self.mark(Outcome.ANSWERED)
        except Exception:  # noqa: BLE001 — the customer gets an answer and loses nothing they said before
            log.exception("turn failed")
            self.state, self.replies, self.outcome = before, [], None
            self.say("internal_error")
            self.mark(Outcome.ANSWERED)
        if self.outcome is None:
            self._fallback()
        return self.outcome

    def _intent(self) -> Optional[str]:
        intent, confidence = self.message.intent, self.message.confidence
        if self.message.text.startswith("/"):
            return intent
        if self.facts.wants_person and intent not in ("request_human", "bot_challenge", "outside_procedure"):
            return "request_human"
        problem = self.facts.problem
        if problem and self.state.path is None:
            # The customer's own words name the problem; they beat the model's guess.
            return {path: name for name, path in PROBLEMS.items()}[problem]
        if self.state.language == "en":
            # The model learnt Polish: for English the customer's own keywords are the better guess.
            folded = fold(self.message.text)
            for pattern, english_intent in ENGLISH_INTENTS:
                if pattern.search(folded):
                    return english_intent
        if intent in EXITS and self.state.step is not None and confidence < SURE:
            return None
        if intent == "nlu_fallback":
            return None
        return intent

    def _code_expected(self) -> bool:
        return self.state.step in (Step.CODE, Step.RESEND) or self._verification_live()

    def _verification_live(self) -> bool:
        state = self.state
        return bool(state.verification_id) and not state.proven

    def _code_expired(self) -> bool:
        return bool(self.state.code_expires_at) and self.clock() > self.state.code_expires_at

    def _proof(self) -> Optional[str]:
        state = self.state
        if state.proven and state.private.token and (state.proven_until or 0) > self.clock():
            return state.private.token
        return None

    # --- 1. facts -------------------------------------------------------------------------------
    async def _absorb(self, intent: Optional[str]) -> None:
        state, facts = self.state, self.facts
        if facts.account_type and not facts.account_type_unsure and not (state.step == Step.ACCOUNT_TYPE and intent in ("account_private",
                                                                                       "account_company")):
            state.account_type = facts.account_type
        if intent in ("account_private", "account_company") and (state.step == Step.ACCOUNT_TYPE
                                                                 or not state.account_type):
            state.account_type = "private" if intent == "account_private" else "company"
        state.nip = facts.nip or state.nip
        state.company_name = facts.company_name or state.company_name
        if state.step == Step.CHOOSE_PHONE and self._choose(state.private.phone_choices, self._phone_chosen):
            return
        if state.step == Step.CHOOSE_EMAIL and self._choose(state.private.email_choices, self._email_chosen):
            return
        self._absorb_phones()
        if facts.no_phone or intent == "no_phone_access":
            state.has_phone = False
        elif state.step == Step.HAS_PHONE and (intent == "affirm" or re.search(r"\bmam\b", fold(self.message.text))):
            state.has_phone = True
        elif state.step == Step.HAS_PHONE and intent == "deny":
            state.has_phone = False
        await self._absorb_emails(intent)

    def _choose(self, choices: list, chosen: Callable[[str], None]) -> bool:
        text = fold(self.message.text)
        picked = None
        if FIRST.search(text):
            picked = choices[0]
        elif SECOND.search(text) and len(choices) > 1:
            picked = choices[1]
        else:
            digits = re.sub(r"\D", "", text)
            for choice in choices:
                if choice.lower() in text or (len(digits) >= 9 and choice.endswith(digits[-9:])):
                    picked = choice
        if picked is None:
            return False
        chosen(picked)
        self.state.step = None
        self.mark(Outcome.PROGRESS)
        return True

    def _phone_chosen(self, e164: str) -> None:
        self._take_phone(check_phone(e164))

    def _email_chosen(self, address: str) -> None:
        self._route_email(Email(address, "new"), self.state.choosing_for)

    def _absorb_phones(self) -> None:
        state, facts = self.state, self.facts
        if not facts.phones:
            if facts.phone_attempt and state.step == Step.PHONE:
                self._phone_problem(facts.phone_attempt)
            return
        if self._proof():
            return
        mobiles = facts.mobiles
        if len(mobiles) > 1:
            state.private.phone_choices = [phone.e164 for phone in mobiles]
            state.step = Step.CHOOSE_PHONE
            self.say("choose_phone", prompt=True, first=mask_phone(mobiles[0].e164), second=mask_phone(mobiles[1].e164))
            self.replies[-1].buttons = [{"title": mask_phone(phone.e164), "payload": str(number)}
                                        for number, phone in enumerate(mobiles[:2], start=1)]
            self.mark(Outcome.CLARIFY)
            return
        self._take_phone(mobiles[0] if mobiles else facts.phones[0])

    def _take_phone(self, phone: PhoneCheck) -> None:
        state = self.state
        if phone.e164 == state.private.phone and state.phone_kind == phone.kind:
            return
        state.private.phone, state.phone_kind, state.masked_phone = phone.e164, phone.kind, mask_phone(phone.e164)
        state.has_phone = True if phone.kind == "mobile" else state.has_phone
        if state.masked_phone not in state.phones_tried:
            state.phones_tried.append(state.masked_phone)
        state.forget_proof()
        state.phone_failures = 0
        if phone.kind == "landline":
            state.failure = "landline"
            state.step = Step.PHONE
            self.say("landline", texts.ALTERNATIVE_BUTTONS, prompt=True, masked=state.masked_phone)
            self.mark(Outcome.CLARIFY)
        else:
            self.mark(Outcome.PROGRESS)

    def _phone_problem(self, attempt: PhoneCheck) -> None:
        state = self.state
        state.phone_failures += 1
        if state.phone_failures >= MAX_TRIES:
            state.failure = "phone_unreadable"
            state.phone_failures = 0
            state.step = None
            self.say("alternatives", texts.ALTERNATIVE_BUTTONS, prompt=True,
                     reason=texts.say("phone_unreadable", state.language))
            self.mark(Outcome.CLARIFY)
            return
        self.replies.append(Reply(attempt.problem or ""))
        self.say("phone_help", prompt=True)
        self.mark(Outcome.CLARIFY)

    async def _absorb_emails(self, intent: Optional[str]) -> None:
        state, facts = self.state, self.facts
        emails = facts.emails
        old = [email for email in facts.emails if email.role == "old"]
        if old and not state.private.old_email:
            state.private.old_email = old[0].address
        target = self._email_target()
        if not facts.emails:
            if facts.bad_email and target:
                self.say("bad_email", prompt=True, email=facts.bad_email[:60])
                self.mark(Outcome.CLARIFY)
            return
        if target == "check":
            for email in facts.emails[:2]:
                if await self._check_email(email.address):
                    break
            return
        if target is None:
            # No question about an address is open: keep the one to use for later.
            usable = choose_email(emails)
            if usable and usable.role == "new":
                state.private.new_email = state.private.new_email or usable.address
                state.private.contact_email = state.private.contact_email or usable.address
            return
        candidates = [email for email in emails if email.role != "old" or len(facts.emails) == 1]
        if not candidates:
            candidates = facts.emails
        chosen = choose_email(candidates) if len(candidates) > 1 else candidates[0]
        if chosen is None:
            state.private.email_choices = [email.address for email in candidates[:2]]
            state.choosing_for, state.step = target, Step.CHOOSE_EMAIL
            self.say("choose_email", prompt=True, first=candidates[0].address, second=candidates[1].address)
            self.replies[-1].buttons = [{"title": email.address, "payload": str(number)}
                                        for number, email in enumerate(candidates[:2], start=1)]
            self.mark(Outcome.CLARIFY)
            return
        self._route_email(chosen, target)

    def _email_target(self) -> Optional[str]:
        """Which open question an address in this message answers."""
        state = self.state
        if state.step == Step.NEW_EMAIL or (state.path == Path.DEAD_EMAIL and self._proof()
                                            and not state.email_change):
            return "new"
        if state.step == Step.CONTACT_EMAIL or (state.case_number and self.facts.correction):
            return "contact"
        if state.path in (Path.DOCUMENTS, Path.HANDOFF):
            return "contact"
        if state.masked_login and self._proof() and state.path == Path.NO_LOGIN:
            return "check"
        return None

    def _route_email(self, email: Email, target: Optional[str]) -> None:
        state = self.state
        if target == "new":
            state.private.new_email = email.address
        else:
            self._contact_changed = bool(state.case_number) and email.address != state.private.contact_email
            state.private.contact_email = email.address
        state.step = None
        self.mark(Outcome.PROGRESS)

    async def _check_email(self, address: str) -> bool:
        """Whether the address is the login; tells the customer either way."""
        state = self.state
        try:
            check = await self.backend.check_email(self._proof(), self.conversation_id, address)
        except RateLimited:
            self.say("email_check_limit", texts.YES_NO, prompt=True)
            state.step = Step.OFFER_RESET
            self.mark(Outcome.ANSWERED)
            return True
        except TokenInvalid:
            await self._proof_expired()
            return True
        state.email_checks_left = check.checks_left
        self.say("email_check_yes" if check.matches else "email_check_no", email=address,
                 masked_login=state.masked_login)
        self.mark(Outcome.ANSWERED)
        return check.matches

    # --- 2. intents -----------------------------------------------------------------------------
    async def _act_on(self, intent: Optional[str]) -> None:
        state = self.state
        if self.facts.wants_reset_link and state.masked_login and self._proof():
            state.step = None
            await self._send_reset()
        elif intent == "lost_access" and state.path is None:
            self.say("ask_problem", texts.PROBLEM_BUTTONS, prompt=True)
            state.step = Step.PROBLEM
            self.mark(Outcome.PROGRESS)
        elif intent == "greet":
            if state.path is None and not self.replies:
                self.say("greet", texts.PROBLEM_BUTTONS, prompt=True)
                state.step = Step.PROBLEM
                self.mark(Outcome.PROGRESS)
        elif intent == "ask_documents":
            await self._documents_asked()
        elif intent == "use_sms":
            state.has_phone = True
            self._switch_path(state.previous_path if state.previous_path in Path.NEEDS_PHONE else Path.NO_LOGIN)
        elif intent in ("code_not_received", "resend_code"):
            await self._code_trouble(resend=intent == "resend_code")
        elif intent == "reset_mail_missing":
            self._reset_trouble()
        elif intent == "share_contact":
            await self._shared_contact()
        elif intent in ("affirm", "deny"):
            await self._yes_no(intent == "affirm")
        elif intent in QUESTIONS or (intent == "out_of_scope" and not self.replies):
            await self._answer(intent)
        elif intent == "thank":
            self.say("thank")
            if state.step is None:
                self.say("anything_else", prompt=True)
            self.mark(Outcome.ANSWERED)
        elif intent == "goodbye":
            self.say("goodbye", prompt=True)
            state.step = None
            self.mark(Outcome.ANSWERED)
        if intent is None and "?" in self.message.text and not self.facts.phones and not self.facts.emails:
            state.open_question = scrub(self.message.text)
        if state.path is None and state.has_phone is False:
            # Without the registered phone only the documents remain.
            self._switch_path(Path.DOCUMENTS)
        for question in sorted(self.facts.asks - {intent}):
            if question == "ask_documents":
                if state.path != Path.DOCUMENTS:
                    await self._documents_asked()
            else:
                await self._answer(question)

    def _switch_path(self, path: str) -> None:
        state = self.state
        if state.path == path and path != Path.PASSWORD:
            self.mark(Outcome.PROGRESS)
            return
        if state.path and state.path != Path.HANDOFF:
            state.previous_path = state.path
        state.path, state.finished = path, None
        state.at = []
        if state.step in (Step.PROBLEM, Step.HAS_PHONE, Step.ACCOUNT_TYPE, Step.OFFER_RESET):
            state.step = None
        if path in Path.NEEDS_PHONE and state.has_phone is False and self.message.intent == "use_sms":
            state.has_phone = True
        if path == Path.DEAD_EMAIL and not self._proof() and not self.state.verification_id:
            self.say("dead_email_intro")
        self.mark(Outcome.PROGRESS)

    async def _documents_asked(self) -> None:
        state = self.state
        phone_failed = state.path in Path.NEEDS_PHONE and (state.has_phone is False or (
            state.failure and not state.proven))
        if state.path in (None, Path.PASSWORD, Path.DOCUMENTS) or phone_failed:
            self._switch_path(Path.DOCUMENTS)
            return
        # Asked in the middle of another path: answer, and the path goes on.
        kinds = [state.account_type] if state.account_type else ["private", "company"]
        for kind in kinds:
            self.replies.append(await documents_reply(self.ctx, kind))
        self.mark(Outcome.ANSWERED)

    async def _code_trouble(self, resend: bool) -> None:
        state = self.state
        if self._proof():
            self.say("already_proven")
            self.mark(Outcome.ANSWERED)
            return
        if not state.private.phone or state.phone_kind != "mobile" or not (state.verification_id
                                                                             or state.code_sent_at):
            self.say("no_code_yet")
            self.mark(Outcome.ANSWERED)
            return
        wait = self._resend_wait()
        if resend or (state.step == Step.RESEND and wait == 0):
            await self._send_code()   # the backend's cooldown decides; its answer gives the seconds
            return
        state.step = Step.RESEND
        if wait:
            self.say("code_not_received_wait", texts.RESEND_BUTTONS, prompt=True, masked=state.masked_phone,
                     seconds=wait)
        else:
            self.say("code_not_received_now", texts.RESEND_BUTTONS, prompt=True, masked=state.masked_phone)
        self.mark(Outcome.ANSWERED)

    def _resend_wait(self) -> int:
        sent = self.state.code_sent_at
        if not sent:
            return 0
        return max(0, int(sent + self.state.resend_after - self.clock() + 0.999))

    def _reset_trouble(self) -> None:
        state = self.state
        if state.email_change:
            self.say("confirmation_trouble", masked_new_email=state.masked_new_email)
        elif state.reset_sent:
            self.say("reset_trouble_after_reset", texts.RESET_TROUBLE_BUTTONS, prompt=True,
                     masked_login=state.masked_login)
        else:
            self.say("reset_trouble", texts.RESET_TROUBLE_BUTTONS, prompt=True)
            state.path, state.step = None, Step.PROBLEM
        self.mark(Outcome.ANSWERED)

    async def _yes_no(self, yes: bool) -> None:
        state = self.state
        if state.step == Step.OFFER_RESET:
            state.step = None
            if yes:
                await self._send_reset()
            else:
                self.say("reset_declined", masked_login=state.masked_login)
                self.mark(Outcome.PROGRESS)
        elif state.step == Step.RESEND:
            if yes:
                await self._code_trouble(resend=True)
            else:
                state.step = Step.CODE
                self.mark(Outcome.ANSWERED)
        elif state.step == Step.PROBLEM and not yes:
            self.say("anything_else", prompt=True)
            self.mark(Outcome.ANSWERED)

    async def _answer(self, intent: str) -> None:
        state = self.state
        if intent == "ask_office_hours":
            await self._office_hours()
        elif intent == "ask_contact":
            self.say("contact")
        elif intent == "bot_challenge":
            self.say("bot")
        elif intent == "ask_capabilities":
            self.say("capabilities", None if state.path else texts.PROBLEM_BUTTONS)
        elif intent == "ask_duration":
            self.say("duration")
        elif intent == "ask_safety":
            self.say("safety")
        elif intent == "ask_next_steps":
            self.say(f"next_{state.path or Path.DEAD_EMAIL}")
        elif intent == "ask_which_number":
            if state.verification_id or state.proven:
                self.say("which_number", masked=state.masked_phone)
            else:
                self.say("no_code_yet")
        elif intent == "ask_full_email":
            if state.masked_login:
                self.say("full_email_refused")
            else:
                self.say("next_no_login")
        elif intent == "out_of_scope":
            if state.step is None:
                self.say("out_of_scope")
            state.open_question = scrub(self.message.text)
        self.mark(Outcome.ANSWERED)

    async def _office_hours(self) -> None:
        try:
            hours = await self.backend.office_hours()
        except BackendUnavailable:
            self.say("office_hours", state="")
            return
        state = texts.say("open_now", self.state.language) if hours.open_now else texts.say(
            "closed_now", self.state.language, when=self._when(hours.next_opening, hours.now))
        self.say("office_hours", state=state)

    def _when(self, moment, now) -> str:
        return self.ctx.when(moment, now)

    async def _shared_contact(self) -> None:
        """Telegram: the connector saw the customer share their own contact and signed it; the
        action server cannot check that signature (it has not the secret) — it forwards it."""
        state = self.state
        claim = (self.message.metadata or {}).get(ATTESTATION_KEY)
        if not isinstance(claim, dict) or claim.get("conversation_id") != self.conversation_id:
            self.say("only_own_contact", prompt=True)
            self.mark(Outcome.CLARIFY)
            return
        phone = str(claim.get("phone") or "")
        try:
            started = await self.backend.start_attested_verification(
                phone, self.conversation_id, self.channel, str(claim.get("kind") or ""), claim.get("proof") or {})
        except InvalidInput:
            self.say("only_own_contact", prompt=True)
            self.mark(Outcome.CLARIFY)
            return
        result = await self.backend.attested_token(started.verification_id)
        checked = check_phone(phone)
        state.path = state.path if state.path in Path.NEEDS_PHONE else Path.NO_LOGIN
        state.private.phone, state.phone_kind = checked.e164 or phone, checked.kind
        state.masked_phone = mask_phone(state.private.phone)
        if state.masked_phone not in state.phones_tried:
            state.phones_tried.append(state.masked_phone)
        if result.verified:
            self._proven(result.token)
        else:
            state.failure = "contact_not_registered"
            self.say("alternatives", texts.ALTERNATIVE_BUTTONS, prompt=True,
                     reason=texts.say("contact_not_proven", state.language))
            state.step = None
            self.mark(Outcome.CLARIFY)

    # --- 3. the path moves on -----------------------------------------------------------------------
    async def _advance(self) -> None:
        state = self.state
        if state.step in (Step.CHOOSE_PHONE, Step.CHOOSE_EMAIL):
            return
        if self.facts.code and state.verification_id and state.path not in Path.NEEDS_PHONE:
            # The code arrived after all (after the alternatives, or on the documents path): it still counts.
            state.has_phone = True
            self._switch_path(state.previous_path if state.previous_path in Path.NEEDS_PHONE else Path.NO_LOGIN)
        if self._contact_changed:
            await self._update_case_contact()
            return
        if state.path in ENGINE_PATHS:
            await self._run_path(state.path)
            return
        if state.path in Path.NEEDS_PHONE:
            if state.finished == Path.DEAD_EMAIL and state.path == Path.DEAD_EMAIL:
                return  # the change is requested: nothing is left to prove
            if not state.proven:
                await self._prove_phone()
            if state.proven:
                if state.path == Path.DEAD_EMAIL:
                    await self._change_email()
                else:
                    await self._show_login()
            return
        if state.path is None and not self.prompted and (self.outcome == Outcome.PROGRESS or (
                self.outcome == Outcome.ANSWERED and state.step == Step.PROBLEM)):
            self.say("ask_problem", texts.PROBLEM_BUTTONS, prompt=True)
            state.step = Step.PROBLEM

    async def _prove_phone(self) -> None:
        state, facts = self.state, self.facts
        if state.has_phone is False:
            state.previous_path = state.path
            state.path = Path.DOCUMENTS
            await self._run_path(Path.DOCUMENTS)
            return
        if state.verification_id:
            if facts.code:
                await self._check_code(facts.code)
                return
            if facts.code_typo and state.step in (Step.CODE, Step.RESEND):
                self.say("code_typo", prompt=True, count=len(facts.code_typo))
                self.mark(Outcome.CLARIFY)
                return
            if state.step == Step.CODE and self.outcome is None and not self.facts.phones:
                self._not_a_code()
                return
            if not self.prompted:
                self.say("ask_code", texts.CODE_BUTTONS, prompt=True, masked=state.masked_phone)
                if state.step != Step.RESEND:
                    state.step = Step.CODE
            return
        if state.private.phone and state.phone_kind == "mobile":
            await self._send_code()
            return
        if state.phone_kind == "landline":
            if not self.prompted:
                self.say("landline", texts.ALTERNATIVE_BUTTONS, prompt=True, masked=state.masked_phone)
            state.step = Step.PHONE
            return
        if self.prompted:
            return
        if state.path == Path.NO_LOGIN and state.has_phone is None:
            if state.step != Step.HAS_PHONE:
                self.say("no_login_intro")
            self.say("ask_has_phone", texts.HAS_PHONE_BUTTONS, prompt=True)
            state.step = Step.HAS_PHONE
            return
        if state.step == Step.PHONE and self.outcome is None:
            self._phone_problem(check_phone(self.message.text))
            return
        self.say("ask_phone", prompt=True)
        state.step = Step.PHONE

    def _not_a_code(self) -> None:
        state = self.state
        state.code_failures += 1
        if state.code_failures >= MAX_TRIES:
            self._code_failed()
            return
        self.say("ask_code", texts.CODE_BUTTONS, prompt=True, masked=state.masked_phone)
        self.mark(Outcome.CLARIFY)

    async def _send_code(self) -> None:
        state = self.state
        try:
            started = await self.backend.start_verification(state.private.phone, self.conversation_id, self.channel)
        except RateLimited as limited:
            if limited.retry_after <= 90:
                self.say("resend_wait", seconds=limited.retry_after)
                state.code_sent_at = state.code_sent_at or self.clock()
            else:
                state.failure = "sms_limit"
                self.say("rate_limited", texts.ALTERNATIVE_BUTTONS, prompt=True,
                         minutes=max(1, round(limited.retry_after / 60)))
            self.mark(Outcome.ANSWERED)
            state.step = Step.CODE if state.verification_id else Step.PHONE
            return
        except InvalidInput:
            self._phone_problem(check_phone(state.private.phone or ""))
            return
        now = self.clock()
        state.verification_id, state.code_sent_at = started.verification_id, now
        state.code_expires_at, state.resend_after = now + started.expires_in, started.resend_after
        state.code_failures, state.step = 0, Step.CODE
        self.say("code_sent", texts.CODE_BUTTONS, prompt=True, masked=state.masked_phone,
                 minutes=started.expires_in // 60)
        self.mark(Outcome.PROGRESS)

    async def _check_code(self, code: str) -> None:
        state = self.state
        result = await self.backend.check_code(state.verification_id, code)
        if result.verified:
            self._proven(result.token)
            return
        if result.reason == "expired":
            state.failure = "code_expired"
            state.step = Step.RESEND
            self.say("code_expired", texts.YES_NO, prompt=True, masked=state.masked_phone,
                     minutes=max(1, int(((state.code_expires_at or 0) - (state.code_sent_at or 0)) // 60)) or 10)
            self.mark(Outcome.CLARIFY)
            return
        state.code_failures += 1
        if state.code_failures >= MAX_TRIES or result.tries_left == 0:
            self._code_failed()
            return
        state.step = Step.CODE
        self.say("code_wrong" if state.code_failures == 1 else "code_wrong_last", texts.CODE_BUTTONS, prompt=True)
        self.mark(Outcome.CLARIFY)

    def _code_failed(self) -> None:
        # The verification stays: while the backend still counts it valid, the right code is accepted.
        state = self.state
        state.failure = "wrong_codes"
        state.code_failures = 0
        state.step = None
        self.say("alternatives", texts.ALTERNATIVE_BUTTONS, prompt=True,
                 reason=texts.say("code_failed", state.language))
        self.mark(Outcome.CLARIFY)

    def _proven(self, token: Optional[str]) -> None:
        state = self.state
        state.proven, state.private.token = True, token
        state.proven_until = self.clock() + PROOF_LIFETIME
        state.verification_id = None
        state.failure = None if state.failure in ("code_expired", "landline") else state.failure
        state.step = None
        self.say("phone_confirmed")
        self.mark(Outcome.PROGRESS)

    async def _proof_expired(self) -> None:
        state = self.state
        state.forget_proof()
        self.say("proof_expired")
        if state.private.phone and state.phone_kind == "mobile":
            await self._send_code()

    async def _change_email(self) -> None:
        state = self.state
        if state.email_change:
            return
        if not state.private.new_email:
            if not self.prompted:
                self.say("ask_new_email", prompt=True)
                state.step = Step.NEW_EMAIL
                if self.outcome is None:
                    self.mark(Outcome.CLARIFY)
            return
        token = self._proof()
        if token is None:
            await self._proof_expired()
            return
        try:
            change = await self.backend.change_email(token, self.conversation_id, state.private.new_email,
                                                     self.channel)
        except InvalidInput as invalid:
            key = "same_email" if invalid.code == "same_email" else "bad_email"
            self.say(key, prompt=True, email=state.private.new_email[:60])
            state.private.new_email, state.step = None, Step.NEW_EMAIL
            self.mark(Outcome.CLARIFY)
            return
        except TokenInvalid:
            await self._proof_expired()
            return
        except RateLimited:
            self.say("alternatives", texts.ALTERNATIVE_BUTTONS, reason="")
            self.mark(Outcome.ANSWERED)
            return
        state.email_change, state.masked_new_email = change.status, change.masked_new_email
        state.applies_after = change.applies_after.isoformat() if change.applies_after else None
        state.private.token, state.proven = None, False   # the backend revokes the proof after a change
        state.finished, state.step = Path.DEAD_EMAIL, None
        if change.status == "queued_for_staff":
            hours = await self._hours_safe()
            when_text = (self._when(hours.next_opening, hours.now) if hours and not hours.open_now
                         else texts.say("today_in_hours", state.language))
            self.say("email_change_queued", masked_new_email=change.masked_new_email, when=when_text)
        else:
            applies = ""
            if change.applies_after:
                applies = texts.say("applies_after", state.language, when=self._when(change.applies_after,
                                                                                     change.applies_after))
            self.say("email_change_sent", masked_new_email=change.masked_new_email, applies=applies)
        self.mark(Outcome.PROGRESS)

    async def _hours_safe(self):
        try:
            return await self.backend.office_hours()
        except BackendUnavailable:
            return None

    async def _show_login(self) -> None:
        state = self.state
        if state.masked_login:
            if state.step is None and not self.replies and self.outcome is None:
                self.say("offer_reset", texts.YES_NO, prompt=True)
                state.step = Step.OFFER_RESET
            return
        token = self._proof()
        if token is None:
            await self._proof_expired()
            return
        try:
            state.masked_login = (await self.backend.email_hint(token, self.conversation_id)).masked_email
        except TokenInvalid:
            await self._proof_expired()
            return
        self.say("hint", masked_login=state.masked_login)
        self.say("offer_reset", texts.YES_NO, prompt=True)
        state.step, state.finished = Step.OFFER_RESET, Path.NO_LOGIN
        self.mark(Outcome.PROGRESS)

    async def _send_reset(self) -> None:
        state = self.state
        token = self._proof()
        if token is None:
            await self._proof_expired()
            return
        try:
            await self.backend.password_reset(token, self.conversation_id, self.channel)
        except TokenInvalid:
            await self._proof_expired()
            return
        except RateLimited:
            self.say("email_check_limit")
            self.mark(Outcome.ANSWERED)
            return
        state.reset_sent = True
        self.say("reset_sent", masked_login=state.masked_login)
        self.mark(Outcome.PROGRESS)

    async def _update_case_contact(self) -> None:
        state = self.state
        try:
            await self.backend.update_case_contact(state.case_number, self.conversation_id,
                                                   state.private.contact_email)
        except (NotFound, InvalidInput):
            self.say("bad_email", email="")
            return
        self.say("case_contact_updated", case_number=state.case_number,
                 contact=mask_email(state.private.contact_email))
        self.mark(Outcome.PROGRESS)

    def _fallback(self) -> None:
        state = self.state
        if state.step and self.replies:
            self.mark(Outcome.CLARIFY)
            return
        if "?" in self.message.text:
            state.open_question = scrub(self.message.text)
        self.say("fallback", prompt=True)
        self.replies[-1].buttons = (texts.buttons(texts.PROBLEM_BUTTONS, state.language)
                                    + texts.buttons(texts.ALTERNATIVE_BUTTONS, state.language)[1:2])
        self.mark(Outcome.FALLBACK)
