"""A message already in the conversation is not handled again.

A client that lost its answer (the Rasa instance died, a proxy timed out) sends
the message again with the same `Idempotency-Key` (channels/rest.py), so with the
same message id. Rasa 3.6.21 would append it as a new message and run a second
turn: the customer answered twice, a code sent twice. Here the message is looked
for in the conversation just fetched, under the conversation's lock, before it is
appended; found, `AlreadyHandled` carries what the bot said after it, which the
channel answers with. Channels that mint a fresh id per message are unaffected.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

_original = MessageProcessor._handle_message_with_tracker


class AlreadyHandled(Exception):
    def __init__(self, answer: list[dict[str, Any]]):
        super().__init__("message already handled")
        self.answer = answer


def answer_after(tracker: DialogueStateTracker, message_id: str) -> Optional[list[dict[str, Any]]]:
    """What the bot said after the message with this id (as a collecting output channel
    collects it), or None when the conversation does not hold that message."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered) and event.message_id == message_id:
            break
    else:
        return None
    answer = []
    for event in events[index + 1:]:
        if isinstance(event, UserUttered) or (isinstance(event, ActionExecuted) and event.action_name == "action_listen"):
            break
        if isinstance(event, BotUttered):
            data = event.data or {}
            message = {"recipient_id": tracker.sender_id, "text": event.text, "image": data.get("image"),
                       "buttons": data.get("buttons"), "attachment": data.get("attachment"),
                       "custom": data.get("custom")}
            answer.append({key: value for key, value in message.items() if value is not None})
    return answer


async def _handle_message_with_tracker(self: MessageProcessor, message: UserMessage,
                                       tracker: DialogueStateTracker) -> None:
    answer = answer_after(tracker, message.message_id) if message.message_id else None
    if answer is not None:
        raise AlreadyHandled(answer)
    await _original(self, message, tracker)


def is_applied() -> bool:
    return MessageProcessor._handle_message_with_tracker is _handle_message_with_tracker


def apply() -> None:
    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker
