"""The recovery funnel, counted in the action server's `/metrics` per path and channel (docs/operations.md).

What a turn did is read from the conversation's state before and after it and from the milestones
the procedure files mark (`milestone: proof_started` / `goal`), so no path is named here. Each stage
counts once per conversation and path (`State.funnel` remembers which were counted), so the stages
read as a funnel: started >= path chosen >= proof started >= proof passed >= goal.

Security (issue 17 #4): every stage follows what the dialogue did, never what the backend found —
"proof started" counts the attempt to send a code whatever the backend answers, "proof passed" needs
the right code typed (or the customer's own contact shared). Labels are the procedure's paths (or
`none`) and the channel's name: bounded sets, never an id.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from prometheus_client import Counter, Histogram

from ..dialogue.state import STATE_SLOT, Outcome, State
from .procedure import Procedure

NONE = "none"
LABELS = ["path", "channel"]
STARTED = Counter("assistant_conversations_started_total", "Conversations (sessions) whose first turn ran",
                  ["channel"])
TURNS = Counter("assistant_turns_total", "Customer messages answered by a turn, by the path after it", LABELS)
FALLBACKS = Counter("assistant_fallback_replies_total", "Turns that did not understand the message (fallback)",
                    LABELS)
EMPTY = Counter("assistant_empty_replies_total", "Turns that planned no reply (the pending question was repeated)",
                LABELS)
STAGES = {
    "path_chosen": Counter("assistant_paths_chosen_total", "Conversations that took a path", LABELS),
    "proof_started": Counter("assistant_proofs_started_total",
                             "Conversations that started proving the phone (the attempt, whatever the answer)", LABELS),
    "proof_passed": Counter("assistant_proofs_passed_total",
                            "Conversations whose customer proved the phone (right code, own contact)", LABELS),
    "goal": Counter("assistant_goals_reached_total", "Conversations that reached the path's goal", LABELS),
    "handover": Counter("assistant_handovers_total",
                        "Cases opened for a person, by the path the conversation came from", LABELS),
    "abandoned": Counter("assistant_conversations_abandoned_total",
                         "Conversations that took a path and left it without any goal (a new session after "
                         "silence, or the path dropped)", LABELS),
}
TIME_TO_GOAL = Histogram("assistant_time_to_goal_seconds", "From the conversation's first turn to the path's goal",
                         LABELS, buckets=(30, 60, 120, 180, 300, 600, 900, 1800, 3600, 7200))


class Funnel:
    """The stages one turn reached; `count()` puts them into the metrics."""

    def __init__(self, procedure: Procedure, channel: str):
        self.paths, self.channel = set(procedure.flows), channel
        self.stages: list[tuple[str, str]] = []
        self.time_to_goal: list[tuple[str, float]] = []

    def label(self, path: Optional[str]) -> str:
        return path if path in self.paths else NONE

    def turn(self, before: State, after: State, milestones: Iterable[tuple[Optional[str], str]],
             outcome: Optional[str], now: float, empty: bool = False,
             previous_session: Optional[dict] = None) -> Funnel:
        if before.started_at is None:
            self.stages.append(("started", NONE))
            if previous_session is not None and _abandoned(previous_session):
                self.stages.append(("abandoned", self.label(previous_session.get("path"))))
        # Starting over makes a new state: the conversation's clock and its counted stages go on.
        after.started_at = after.started_at or before.started_at or now
        if not after.funnel and before.funnel:
            after.funnel = list(before.funnel)
        path = self.label(after.path)
        if after.path in self.paths:
            self._once(after, "path_chosen", path)
        for where, milestone in milestones:
            if self._once(after, milestone, self.label(where)) and milestone == "goal":
                self.time_to_goal.append((self.label(where), max(0.0, now - after.started_at)))
        if after.proven and not before.proven:
            self._once(after, "proof_passed", path)
        if after.case_number and after.case_number != before.case_number:
            self.stages.append(("handover", self.label(after.previous_path or after.path)))
        if before.path in self.paths and after.path is None and not _reached_goal(after.funnel):
            self.stages.append(("abandoned", self.label(before.path)))
        self.stages.append(("turn", path))
        if outcome == Outcome.FALLBACK:
            self.stages.append(("fallback", path))
        if empty:
            self.stages.append(("empty", path))
        return self

    def _once(self, state: State, stage: str, path: str) -> bool:
        key = f"{path}:{stage}"
        if key in state.funnel:
            return False
        state.funnel.append(key)
        self.stages.append((stage, path))
        return True

    def count(self) -> None:
        for stage, path in self.stages:
            if stage == "started":
                STARTED.labels(self.channel).inc()
            elif stage == "turn":
                TURNS.labels(path, self.channel).inc()
            elif stage == "fallback":
                FALLBACKS.labels(path, self.channel).inc()
            elif stage == "empty":
                EMPTY.labels(path, self.channel).inc()
            else:
                STAGES[stage].labels(path, self.channel).inc()
        for path, seconds in self.time_to_goal:
            TIME_TO_GOAL.labels(path, self.channel).observe(seconds)


def _reached_goal(funnel: Iterable[str]) -> bool:
    return any(key.endswith(":goal") for key in funnel)


def _abandoned(state: dict) -> bool:
    return bool(state.get("path")) and not _reached_goal(state.get("funnel") or [])


def previous_session(events: Iterable[dict]) -> Optional[dict]:
    """The conversation state the session before the current one ended with, when the tracker still
    holds it (Rasa sends the expired session's events with the new session's start)."""
    last: Optional[dict] = None
    ended: Optional[dict] = None
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            ended, last = last, None
        elif kind == "slot" and event.get("name") == STATE_SLOT:
            last = event.get("value") if isinstance(event.get("value"), dict) else None
    return ended
