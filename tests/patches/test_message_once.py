"""rasa_patches/message_once.py: a message whose id the conversation already holds is
answered with what the bot said then; any other message is handled as Rasa would."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_patches import message_once


def conversation() -> DialogueStateTracker:
    return DialogueStateTracker.from_events("rest:a", [
        ActionExecuted("action_listen"),
        UserUttered("nie działa mi poczta", message_id="first"),
        ActionExecuted("action_turn"),
        BotUttered("Proszę podać numer.", data={"buttons": [{"title": "Nie mam", "payload": "/no_phone"}]}),
        BotUttered("Albo napisać, że go nie ma."),
        ActionExecuted("action_listen"),
        UserUttered("601 234 567", message_id="second"),
        ActionExecuted("action_turn"),
        BotUttered("Kod wysłany.", data={"custom": {"kind": "code"}}),
        ActionExecuted("action_listen"),
    ])


def test_what_the_bot_said_after_a_stored_message_is_its_answer():
    tracker = conversation()
    assert message_once.answer_after(tracker, "first") == [
        {"recipient_id": "rest:a", "text": "Proszę podać numer.",
         "buttons": [{"title": "Nie mam", "payload": "/no_phone"}]},
        {"recipient_id": "rest:a", "text": "Albo napisać, że go nie ma."}]
    assert message_once.answer_after(tracker, "second") == [
        {"recipient_id": "rest:a", "text": "Kod wysłany.", "custom": {"kind": "code"}}]
    assert message_once.answer_after(tracker, "third") is None


@pytest.fixture
def patched(monkeypatch):
    calls = []

    async def handled(self, message, tracker):
        calls.append(message.message_id)

    monkeypatch.setattr(message_once, "_original", handled)
    monkeypatch.setattr(MessageProcessor, "_handle_message_with_tracker", MessageProcessor._handle_message_with_tracker)
    message_once.apply()
    assert message_once.is_applied()
    return calls


def test_a_stored_message_is_not_handled_again_and_a_new_one_is(patched):
    tracker = conversation()
    processor = object.__new__(MessageProcessor)  # the patched method uses nothing of it

    def message(message_id):
        return UserMessage("601 234 567", CollectingOutputChannel(), "rest:a", message_id=message_id)

    with pytest.raises(message_once.AlreadyHandled) as handled:
        asyncio.run(processor._handle_message_with_tracker(message("second"), tracker))
    assert [m["text"] for m in handled.value.answer] == ["Kod wysłany."]
    asyncio.run(processor._handle_message_with_tracker(message("new"), tracker))
    assert patched == ["new"]
