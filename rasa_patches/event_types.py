"""Look event classes up by type name in a table, not by walking the class tree.

Rasa 3.6.21's `Event.resolve_by_type` (used for every event it deserialises:
each stored event of the conversation on every message, each event an action
returns) lists every subclass of `Event` recursively, checking each for being
abstract, then scans the list. That is 90 % of rebuilding a tracker from the
conversation store (profiled on a 60-message conversation: 541 events). The
same subclasses in the same order are read once into a table; a name not in it
(an `Event` subclass imported later) rebuilds the table once, then Rasa's own
answer — default, `None` for "topic", or its ValueError — is given as before.
"""
from __future__ import annotations

from typing import Optional

import rasa.shared.utils.common
from rasa.shared.core.events import Event

_original = Event.resolve_by_type
_table: dict[str, type[Event]] = {}


def _build() -> None:
    table: dict[str, type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # the first match wins, as in Rasa's scan
    _table.clear()
    _table.update(table)


def resolve_by_type(type_name: str, default: Optional[type[Event]] = None) -> Optional[type[Event]]:
    found = _table.get(type_name)
    if found is None:
        _build()
        found = _table.get(type_name)
    return found if found is not None else _original(type_name, default)


def is_applied() -> bool:
    return Event.__dict__["resolve_by_type"].__func__ is resolve_by_type


def apply() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
