"""`action_turn`: every customer message is one turn of the recovery conversation, run by the
procedure engine (actions/engine/, docs/dialogue.md). The action only reads the tracker, runs the
turn within one backend deadline and turns the result into events."""
from __future__ import annotations

import copy
import logging
import time
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from runtime.message_log import REQUEST_ID_KEY, line
from runtime.pseudonym import pseudonym, request_id_or_none

from .backend_client import acting_for, backend, tracing, within
from .dialogue.answers import Answers
from .dialogue.state import STATE_SLOT, State, Step
from .engine import case_text
from .engine.funnel import Funnel, previous_session
from .engine.turn import Message, Turn
from .engine.validation import procedure
from .settings import action_server_settings, backend_settings, company

procedure()   # loaded and checked when the action server imports its actions: a broken file stops the start
CLIENT_KEY = "client_key"  # message metadata set by the channel (channels/client.py)
log = logging.getLogger("actions.turn")


@lru_cache(maxsize=1)
def _pseudonym_secret() -> str:
    return action_server_settings().token.get_secret_value()


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def message_of(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    return Message(text=latest.get("text") or "", intent=intent.get("name"),
                   confidence=float(intent.get("confidence") or 0.0), metadata=latest.get("metadata") or {},
                   ranking=latest.get("intent_ranking") or [])


class ActionTurn(Action):
    def name(self) -> str:
        return "action_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        state = State.from_slot(tracker.get_slot(STATE_SLOT))
        before = copy.deepcopy(state)
        turn = Turn(state, message_of(tracker), backend(), tracker.sender_id, channel_of(tracker), company(),
                    answers=Answers.from_domain(domain), transcript=case_text.transcript(tracker.events))
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        started = time.perf_counter()
        request_id = request_id_or_none(metadata.get(REQUEST_ID_KEY))
        conversation = pseudonym(tracker.sender_id, _pseudonym_secret())
        with within(backend_settings().action_deadline), acting_for(metadata.get(CLIENT_KEY)), \
                tracing(request_id, conversation):
            outcome = await turn.run()
        if turn.silent:
            # A person has the conversation: the message went to them; no reply, no funnel turn.
            return [SlotSet(STATE_SLOT, turn.state.to_slot()), SlotSet("turn_outcome", outcome)]
        planned = bool(turn.ctx.lines)
        replies = turn.reply()
        funnel = Funnel(turn.procedure, channel_of(tracker)).turn(
            before, turn.state, turn.ctx.milestones, outcome, time.time(), empty=not planned,
            previous_session=previous_session(tracker.events) if before.started_at is None else None)
        funnel.count()
        log.info(line(event="turn", conversation=conversation, channel=channel_of(tracker), request_id=request_id,
                      intent=turn.message.intent, outcome=outcome, path=turn.state.path,
                      stages=[stage for stage, _ in funnel.stages if stage != "turn"] or None,
                      ms=round((time.perf_counter() - started) * 1000)))
        for reply in replies:
            if reply.response:
                dispatcher.utter_message(response=reply.response)
            else:
                dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        if turn.state.step == Step.PHONE:
            # Telegram shows a "share my number" button; other channels have no variant of it.
            dispatcher.utter_message(response="utter_share_contact")
        return [SlotSet(STATE_SLOT, turn.state.to_slot()), SlotSet("turn_outcome", outcome),
                SlotSet("recovery_path", turn.state.path), SlotSet("turn_answers", turn.ctx.answered),
                SlotSet("language", turn.state.language)]
