"""The engine without the stack: the real procedure files, a fake backend, a pinned clock."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from actions.dialogue.facts import extract
from actions.dialogue.state import State
from actions.engine.context import Context
from actions.engine.procedure import PROCEDURE_DIR
from actions.engine.runner import Runner
from actions.engine.turn import Turn
from actions.engine.understanding import Message
from actions.engine.validation import checked
from actions.settings import company
from tests.engine.fake_backend import FakeBackend

PINNED = 1_764_500_000.0


class Engine:
    """Runs one path turn after turn; what the customer says is put into the state directly."""

    def __init__(self, procedure, backend: FakeBackend):
        self.procedure, self.backend, self.state = procedure, backend, State()
        self.ctx: Context | None = None

    async def turn(self, path: str, text: str = "") -> Context:
        self.state.path = path
        self.ctx = Context(self.state, extract(text), self.backend, "conv-1", "rest", company(),
                           self.backend.clock, self.state.step)
        await Runner(self.procedure, self.ctx).run(path)
        return self.ctx

    @property
    def said(self) -> list[str]:
        return [line.key for line in self.ctx.lines]


class Clock:
    """The engine's clock, pinned; a test moves it."""

    def __init__(self):
        self.now = PINNED

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def backend(clock) -> FakeBackend:
    return FakeBackend(clock, accounts={"+48601234567": "jan.kowalski@example.pl"})


@pytest.fixture
def engine(backend) -> Engine:
    return Engine(checked(), backend)


@pytest.fixture
def procedure_copy(tmp_path) -> Path:
    """A copy of data/procedure/ a test may edit."""
    copy = tmp_path / "procedure"
    shutil.copytree(PROCEDURE_DIR, copy)
    return copy


class Chat:
    """Whole turns (reading, patterns, the path, the reply) on the fake backend, as action_turn runs them."""

    def __init__(self, backend: FakeBackend, steps=None):
        self.backend, self.steps, self.state = backend, steps, State()
        self.outcomes: list[str] = []

    async def say(self, text: str, intent: str | None = None, confidence: float = 0.95) -> list[str]:
        turn = Turn(self.state, Message(text, intent, confidence), self.backend, "conv-1", "rest", company(),
                    self.backend.clock, steps=self.steps)
        self.turn = turn
        self.outcomes.append(await turn.run())
        self.state = State.from_slot(turn.state.to_slot())     # stored and read back, as between messages
        self.replies = turn.reply()
        return [reply.key for reply in self.replies]

    @property
    def questions(self) -> list[str]:
        return [reply.key for reply in self.replies if reply.question]


@pytest.fixture
def chat(backend) -> Chat:
    return Chat(backend)
