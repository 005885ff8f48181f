"""The facts a procedure file may name — in `collect`, `or_use`, `forget` and `if` — and where each
lives in the conversation's state. A fact is known when it is not None/empty."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..dialogue.facts import Facts
from ..dialogue.state import State


@dataclass(frozen=True)
class Slot:
    read: Callable[[State], Any]
    write: Optional[Callable[[State, Any], None]] = None   # None: the engine only reads it
    unsure: Callable[[Facts], bool] = lambda facts: False   # the message guessed at it without saying it

    def known(self, state: State) -> bool:
        value = self.read(state)
        return value is not None and value != "" and value is not False


def _plain(name: str) -> Slot:
    return Slot(lambda state: getattr(state, name), lambda state, value: setattr(state, name, value))


def _private(name: str) -> Slot:
    return Slot(lambda state: getattr(state.private, name), lambda state, value: setattr(state.private, name, value))


SLOTS: dict[str, Slot] = {
    "account_type": Slot(lambda state: state.account_type, lambda state, value: setattr(state, "account_type", value),
                         lambda facts: facts.account_type_unsure),   # private | company
    "contact_email": _private("contact_email"),       # where a person answers the case
    "new_email": _private("new_email"),               # the working address for the login
    "has_phone": _plain("has_phone"),                 # the customer still has the panel's phone
    "phone": _private("phone"),                       # the number being proven
    "proven": _plain("proven"),                       # the phone was proven in this conversation
    "documents_listed": _plain("documents_listed"),
    "case_number": _plain("case_number"),
    "email_change": _plain("email_change"),
    "masked_login": _plain("masked_login"),
}


def value(state: State, name: str) -> Any:
    return SLOTS[name].read(state)


def known(state: State, name: str) -> bool:
    return SLOTS[name].known(state)


def forget(state: State, name: str) -> None:
    slot = SLOTS[name]
    if slot.write is None:
        raise ValueError(f"`{name}` cannot be forgotten")
    slot.write(state, None)


def copy(state: State, source: str, target: str) -> None:
    SLOTS[target].write(state, SLOTS[source].read(state))
