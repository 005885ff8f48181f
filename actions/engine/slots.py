"""The facts a procedure file may name — in `collect`, `or_use`, `forget` and `if` — and where each
lives: most in the conversation's state, the SMS code only in the message it came in. A fact is
given when it is not None ("I no longer have that phone" gives `has_phone` as False); an `if`
holds when the fact is true."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Optional

from ..phone import check_phone
from .context import Context
from .operations import proof
from .procedure import Condition, When


@dataclass(frozen=True)
class Slot:
    read: Callable[[Context], Any]
    write: Optional[Callable[[Context, Any], None]] = None   # None: the engine only reads it
    # Asking again, the message may hold a failed attempt at the fact: what to say about it (text
    # keys with fields), and whether it counts as one of the step's tries.
    attempt: Callable[[Context, bool], Optional[tuple[list, bool]]] = lambda ctx, again: None


def _state(name: str) -> Slot:
    return Slot(lambda ctx: getattr(ctx.state, name), lambda ctx, value: setattr(ctx.state, name, value))


def _private(name: str) -> Slot:
    return Slot(lambda ctx: getattr(ctx.state.private, name),
                lambda ctx, value: setattr(ctx.state.private, name, value))


def _account_guess(ctx: Context, again: bool):
    return ([], False) if ctx.facts.account_type_unsure else None


def _phone_attempt(ctx: Context, again: bool):
    facts = ctx.facts
    if not again:
        return None
    if facts.phones or (ctx.outcome is not None and not facts.phone_attempt):
        return None                 # a number read, or the message was about something else
    attempt = facts.phone_attempt or check_phone(ctx.message_text)
    reason = [(f"phone_{attempt.problem}", {"count": attempt.digits}, None, False)] if attempt.problem else []
    return [*reason, ("phone_help", {}, None, True)], True


def _code_attempt(ctx: Context, again: bool):
    if not again:
        return None
    if ctx.facts.code_typo and not ctx.facts.code:
        return [("code_typo", {"count": len(ctx.facts.code_typo)}, None, True)], False
    if ctx.facts.phones:
        return [], False        # a number, not a wrong code: read as such elsewhere
    return None


def _phone(ctx: Context) -> Optional[str]:
    """A number a code can go to: a mobile gets an SMS, a landline a call."""
    return ctx.state.private.phone if ctx.state.phone_kind in ("mobile", "landline") else None


def _write_code(ctx: Context, value: Any) -> None:
    ctx.facts.code = value


SLOTS: dict[str, Slot] = {
    "account_type": Slot(lambda ctx: ctx.state.account_type,
                         lambda ctx, value: setattr(ctx.state, "account_type", value), _account_guess),
    "contact_email": _private("contact_email"),       # where a person answers the case
    "new_email": _private("new_email"),               # the working address the login changes to
    "has_phone": _state("has_phone"),                 # the customer still has the panel's phone
    "phone_lost": Slot(lambda ctx: ctx.state.has_phone is False),
    "phone_unknown": Slot(lambda ctx: ctx.state.has_phone is None),
    "phone": Slot(_phone, lambda ctx, value: setattr(ctx.state.private, "phone", value), _phone_attempt),
    "code": Slot(lambda ctx: ctx.facts.code if ctx.state.verification_id else None, _write_code, _code_attempt),
    "code_pending": Slot(lambda ctx: bool(ctx.state.verification_id) and not ctx.state.proven),
    "proven": _state("proven"),
    "proof_valid": Slot(lambda ctx: bool(proof(ctx))),   # proven, and the proof not yet past its lifetime
    "reset_wanted": _state("reset_wanted"),           # yes/no to "send the reset link now?"
    "resend_wanted": _state("resend_wanted"),         # yes/no to "send a new code?"
    "landline": Slot(lambda ctx: ctx.state.phone_kind == "landline"),   # no SMS reaches it: a call reads the code
    "call_wanted": _state("call_wanted"),             # the customer asked for a call instead of an SMS
    "recall_wanted": _state("recall_wanted"),         # yes/no to "call again?"
    "documents_listed": _state("documents_listed"),
    "case_number": _state("case_number"),
    "email_change": _state("email_change"),
    "change_link": Slot(lambda ctx: bool(ctx.state.private.change_token)),   # a confirmation link is out to void
    "masked_login": _state("masked_login"),
}


def value(ctx: Context, name: str) -> Any:
    return SLOTS[name].read(ctx)


def given(ctx: Context, name: str) -> bool:
    return SLOTS[name].read(ctx) is not None and SLOTS[name].read(ctx) != ""


def holds(ctx: Context, name: str) -> bool:
    return bool(SLOTS[name].read(ctx))


def satisfied(ctx: Context, condition: Condition) -> bool:
    """An `if` of a procedure file: `fact`, `not fact` or `fact == value`."""
    if condition.value is not None:
        return str(value(ctx, condition.fact)) == condition.value
    return holds(ctx, condition.fact) != condition.negated


def chosen(ctx: Context, choices: Iterable[When]) -> Optional[str]:
    """The value of the first choice whose conditions all hold (None: none does)."""
    for choice in choices:
        if all(satisfied(ctx, condition) for condition in choice.conditions):
            return choice.value
    return None


def forget(ctx: Context, name: str) -> None:
    _writer(name)(ctx, None)


def write(ctx: Context, name: str, value: Any) -> None:
    _writer(name)(ctx, value)


def copy(ctx: Context, source: str, target: str) -> None:
    _writer(target)(ctx, SLOTS[source].read(ctx))


def _writer(name: str) -> Callable[[Context, Any], None]:
    write = SLOTS[name].write
    if write is None:
        raise ValueError(f"`{name}` is read by the engine only, never written by a procedure")
    return write

