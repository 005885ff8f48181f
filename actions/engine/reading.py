"""The facts of a message kept in the conversation's state, whatever the assistant asked: account
type, NIP, company, a choice between two numbers or addresses, phone numbers (a new one starts the
proof again), "I no longer have that phone", yes/no to the pending question, and e-mail addresses
routed to the question they answer (the new login, the contact for a case, or a guess at the
login to check). What changed is noted (`ctx.changed`): a path goes back to the step that used it."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Optional

from contact_rules import mask_phone, suggest_email

from ..dialogue.facts import Email, choose_email, fold
from ..dialogue.state import Step
from ..phone import PhoneCheck, check_phone
from . import operations, slots
from .context import Context, collected

FIRST = re.compile(r"^\s*(1|pierwsz\w*|ten pierwszy|first|the first)\b")
SECOND = re.compile(r"^\s*(2|drug\w*|ten drugi|second|the second)\b")
YES_NO_STEPS = {"has_phone": "has_phone", "offer_reset": "reset_wanted", "resend": "resend_wanted",
                "recall": "recall_wanted"}
# "telefon mam ten sam", "numer komórkowy mam nadal": the customer still has the panel's phone.
HAS_PHONE = re.compile(r"\b(telefon\w*|numer\w*|komork\w*)\b(\s+\w+){0,3}?\s+mam\b(?!\s+(juz\s+)?inn)|"
                       r"(?<!nie )\bmam\s+(nadal\s+|wciaz\s+|ten sam\s+|tez\s+)?(ten\s+)?(telefon|numer|komork)|"
                       r"still have (the|that|my) phone")


async def read(ctx: Context, intent: Optional[str]) -> None:
    state, facts, known_type = ctx.state, ctx.facts, ctx.state.account_type
    at_type_question = state.step == Step.ACCOUNT_TYPE and intent in ("account_private", "account_company")
    if facts.account_type and not facts.account_type_unsure and not at_type_question:
        state.account_type = facts.account_type
    if intent in ("account_private", "account_company") and (state.step == Step.ACCOUNT_TYPE or not state.account_type):
        state.account_type = "private" if intent == "account_private" else "company"
    if state.account_type != known_type or intent in ("account_private", "account_company"):
        ctx.changed.add("account_type")    # the type corrected or stated: what depends on it is said for it
    state.nip = facts.nip or state.nip
    state.company_name = facts.company_name or state.company_name
    if state.step == Step.CHOOSE_PHONE and _choose(ctx, state.private.phone_choices, lambda e164: take_phone(
            ctx, check_phone(e164))):
        return
    if state.step == Step.CHOOSE_EMAIL and state.email_typo and _typo_answer(ctx, intent):
        return
    typo_choice = state.email_typo
    if state.step == Step.CHOOSE_EMAIL and _choose(ctx, state.private.email_choices, lambda address: _route_email(
            ctx, Email(address, "new"), state.choosing_for, checked=typo_choice)):
        return
    _phones(ctx)
    _yes_no(ctx, intent)
    await _emails(ctx)


def _yes_no(ctx: Context, intent: Optional[str]) -> None:
    state, facts = ctx.state, ctx.facts
    # A mobile number in the same message outranks words read as "no phone" ("nie mam maila …, numer 601 …").
    if (facts.no_phone and not facts.mobiles) or ctx.meaning.no_phone:
        if state.has_phone is not False:
            ctx.changed |= {"has_phone", "phone_lost"}
        state.has_phone = False
        return
    if state.has_phone is None and HAS_PHONE.search(fold(ctx.message_text)):
        state.has_phone = True
    fact = YES_NO_STEPS.get(state.step or "")
    if fact is None:
        return
    yes = intent == "affirm" or (fact == "has_phone" and re.search(r"\bmam\b", fold(ctx.message_text)))
    if yes or intent == "deny":
        setattr(state, fact, bool(yes))
        ctx.changed.add(fact)


def _choose(ctx: Context, options: list, chosen: Callable[[str], None]) -> bool:
    text = fold(ctx.message_text)
    picked = None
    if FIRST.search(text):
        picked = options[0]
    elif SECOND.search(text) and len(options) > 1:
        picked = options[1]
    else:
        digits = re.sub(r"\D", "", text)
        for option in options:
            if option.lower() in text or (len(digits) >= 9 and option.endswith(digits[-9:])):
                picked = option
    if picked is None:
        return False
    chosen(picked)
    ctx.state.step = None
    ctx.mark("progress")
    return True


def _phones(ctx: Context) -> None:
    state, facts = ctx.state, ctx.facts
    if not facts.phones or operations.proof(ctx):
        return
    mobiles = [phone.e164 for phone in facts.mobiles if phone.e164]
    if len(mobiles) > 1:
        state.private.phone_choices = mobiles
        state.step = Step.CHOOSE_PHONE
        reply = ctx.say("choose_phone", question=True, first=mask_phone(mobiles[0]),
                        second=mask_phone(mobiles[1]))
        reply.buttons = [{"title": mask_phone(phone), "payload": str(number)}
                         for number, phone in enumerate(mobiles[:2], start=1)]
        ctx.mark("clarify")
        return
    take_phone(ctx, facts.mobiles[0] if facts.mobiles else facts.phones[0])


def take_phone(ctx: Context, phone: PhoneCheck) -> None:
    """A number to prove: a different one starts the proof again (a mobile gets an SMS, a landline a
    call that reads the code: the procedure's phone step decides)."""
    state, e164 = ctx.state, collected(phone.e164, "phone")   # facts keep readable numbers only
    if e164 == state.private.phone and state.phone_kind == phone.kind:
        return
    state.private.phone, state.phone_kind, state.masked_phone = e164, phone.kind, mask_phone(e164)
    state.has_phone = True if phone.kind in ("mobile", "landline") else state.has_phone
    if state.masked_phone not in state.phones_tried:
        state.phones_tried.append(state.masked_phone)
    state.forget_proof()
    state.tries.pop("phone", None)
    ctx.changed |= {"phone", "code_pending", "landline"}
    ctx.mark("progress")


def _target(ctx: Context) -> Optional[str]:
    """Which open question an address in this message answers: the question asked, a correction of the
    case's contact, or what the path's `addresses` say an address written on it means."""
    state = ctx.state
    if state.step == Step.CHOOSE_EMAIL and state.choosing_for:
        return state.choosing_for
    if state.step == Step.NEW_EMAIL:
        return "new"
    if state.step == Step.CONTACT_EMAIL or (state.case_number and ctx.facts.correction):
        return "contact"
    flow = ctx.procedure.flows.get(state.path or "")
    return slots.chosen(ctx, flow.addresses) if flow else None


async def _emails(ctx: Context) -> None:
    state, facts = ctx.state, ctx.facts
    old = [email for email in facts.emails if email.role == "old"]
    if old and not state.private.old_email:
        state.private.old_email = old[0].address
    target = _target(ctx)
    if not facts.emails:
        suggested = suggest_email(facts.bad_email or "") if target in ("new", "contact", "correct") else None
        if suggested:
            _ask_typo(ctx, [suggested], target, facts.bad_email or "")
        elif facts.bad_email and target not in (None, "keep"):
            ctx.say("bad_email", question=True, email=facts.bad_email[:60])
            ctx.mark("clarify")
        return
    if target == "check":
        await _check_or_change(ctx)
        return
    if target in (None, "keep"):
        # No question about an address is open: keep the one to use for later. Where the path keeps
        # addresses (the dead mailbox's) an address not said to be the dead one is the one to use.
        usable = choose_email(facts.emails)
        if usable and (usable.role == "new" or (target == "keep" and usable.role is None)):
            state.private.new_email = state.private.new_email or usable.address
            state.private.contact_email = state.private.contact_email or usable.address
        return
    candidates = [email for email in facts.emails if email.role != "old" or len(facts.emails) == 1] or facts.emails
    chosen = choose_email(candidates) if len(candidates) > 1 else candidates[0]
    if chosen is None:
        state.private.email_choices = [email.address for email in candidates[:2]]
        state.choosing_for, state.step = target, Step.CHOOSE_EMAIL
        reply = ctx.say("choose_email", question=True, first=candidates[0].address, second=candidates[1].address)
        reply.buttons = [{"title": email.address, "payload": str(number)}
                         for number, email in enumerate(candidates[:2], start=1)]
        ctx.mark("clarify")
        return
    _route_email(ctx, chosen, target)


async def _check_or_change(ctx: Context) -> None:
    """After the login hint: "zmień na X" / "nowy adres X" is a new address for the login (the dead
    mailbox path, the proof kept); any other address is a guess at the login, checked."""
    new = [email for email in ctx.facts.emails if email.role == "new"]
    if new:
        ctx.state.private.new_email = new[0].address
        ctx.changed.add("new_email")
        ctx.switch_to = ctx.procedure.part("new_login")
        return
    for email in ctx.facts.emails[:2]:
        if await operations.check_login_guess(ctx, email.address):
            break


def _ask_typo(ctx: Context, options: list, target: Optional[str], typed: str) -> None:
    """"Czy chodzi o …@gmail.com?": a likely slip in a common provider's domain is asked about before
    the address is used (contact_rules.suggest_email); yes takes the suggestion, no the address as typed."""
    state = ctx.state
    state.private.email_choices, state.choosing_for = options, target
    state.step, state.email_typo = Step.CHOOSE_EMAIL, True
    reply = ctx.say("email_typo", question=True, suggested=options[0], typed=typed[:80])
    reply.buttons = [{"title": ctx.text("email_typo_yes", suggested=options[0]), "payload": "1"}]
    if len(options) > 1:
        reply.buttons.append({"title": ctx.text("email_typo_no", typed=typed[:80]), "payload": "2"})
    ctx.mark("clarify")


def _typo_answer(ctx: Context, intent: Optional[str]) -> bool:
    """Yes or no to the typo question (an address typed instead is read as any address)."""
    state = ctx.state
    if intent not in ("affirm", "deny") or ctx.facts.emails:
        return False
    options, target = state.private.email_choices, state.choosing_for
    state.step, state.email_typo = None, False
    if intent == "affirm" or len(options) > 1:
        _route_email(ctx, Email(options[0 if intent == "affirm" else 1], "new"), target, checked=True)
    else:
        ctx.mark("progress")     # what was typed is no address: the step asks for it again
    return True


def _route_email(ctx: Context, email: Email, target: Optional[str], checked: bool = False) -> None:
    state = ctx.state
    if not checked and target in ("new", "contact", "correct"):
        suggested = suggest_email(email.address)
        if suggested:
            _ask_typo(ctx, [suggested, email.address], target, email.address)
            return
    state.email_typo = False
    if target == "correct":
        if email.address.lower() != (state.private.new_email or "").lower():
            state.private.new_email = email.address
            ctx.change_corrected = True
        state.step = None
        ctx.mark("progress")
        return
    if target == "new":
        if email.address != state.private.new_email:
            ctx.changed.add("new_email")
        state.private.new_email = email.address
    else:
        ctx.contact_changed = bool(state.case_number) and email.address != state.private.contact_email
        if email.address != state.private.contact_email:
            ctx.changed.add("contact_email")
        state.private.contact_email = email.address
    state.step = None
    ctx.mark("progress")
