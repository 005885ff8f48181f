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
                           lambda: PINNED, self.state.step)
        await Runner(self.procedure, self.ctx).run(path)
        return self.ctx

    @property
    def said(self) -> list[str]:
        return [line.key for line in self.ctx.lines]


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def engine(backend) -> Engine:
    return Engine(checked(), backend)


@pytest.fixture
def procedure_copy(tmp_path) -> Path:
    """A copy of data/procedure/ a test may edit."""
    copy = tmp_path / "procedure"
    shutil.copytree(PROCEDURE_DIR, copy)
    return copy
