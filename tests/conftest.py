"""Fixtures shared by the assistant's tests: the real stack on loopback.

`stack` runs backend + action server + Rasa once per test session (Rasa
loads the model trained by `make train`); `services` runs backend + action
server only, for tests that call actions without Rasa.
"""
from __future__ import annotations

import os
import uuid

import pytest

from tests.stack import Stack


def pytest_configure(config):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        running.start_all()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def services(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("services"))
    running.workdir.mkdir(parents=True, exist_ok=True)
    try:
        running.start_backend()
        running.start_actions()
        yield running
    finally:
        running.stop()


@pytest.fixture
def sender_id() -> str:
    """A fresh conversation for every test."""
    return f"test-{uuid.uuid4().hex}"


def require_service(name: str) -> None:
    """Skip where the machine lacks PostgreSQL/Redis — but never in CI."""
    if os.environ.get("CI") == "true":
        return
    pytest.skip(f"{name} is not running here")
