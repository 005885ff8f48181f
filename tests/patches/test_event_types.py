"""rasa_patches/event_types.py answers as Rasa's own lookup does."""
from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SlotSet, UserUttered

from rasa_patches import event_types


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types._original))
    event_types.apply()
    assert event_types.is_applied()
    yield


def test_every_event_type_resolves_to_rasas_class(patched):
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is event_types._original(name)


def test_unknown_names_get_rasas_answers(patched):
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no-such-event'"):
        Event.resolve_by_type("no-such-event")


def test_a_subclass_defined_later_is_found(patched):
    Event.resolve_by_type("user")

    class LateEvent(UserUttered):
        type_name = "late_event_for_test"

    assert Event.resolve_by_type("late_event_for_test") is LateEvent
    assert Event.from_parameters({"event": "slot", "name": "turn_outcome", "value": "answered"}) == SlotSet(
        "turn_outcome", "answered")
