"""Fixtures shared by the assistant's tests: the real stack on loopback.

`stack` runs backend + action server + Rasa once per test session (Rasa
loads the model trained by `make train`; the backend knows the accounts of
tests/fixtures/accounts.yml and of every conversation file); `services` runs backend + action
server only, for tests that call actions without Rasa.
"""
from __future__ import annotations

import os
import uuid

import pytest

from devstack import TEST_ACCOUNTS, Stack
from tests.conversations.spec import accounts_fixture


def pytest_configure(config):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("stack")
    # The other tests' accounts and every conversation file's account (tests/conversations/).
    accounts = accounts_fixture(TEST_ACCOUNTS, workdir / "accounts.yml")
    running = Stack(workdir, accounts=accounts)
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
