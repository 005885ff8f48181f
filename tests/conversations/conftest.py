"""The conversation suite's fixtures: `talk` (one customer's conversation on the session's
stack) and the record of every conversation, written as JSON for `report.py`."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from tests.conversations.harness import Conversation

RESULTS_NAME = "conversations.json"
REPO = Path(__file__).resolve().parents[2]
LATEST = REPO / "results" / RESULTS_NAME
_written: list[Path] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
    talk = getattr(item, "funcargs", {}).get("talk")
    if report.when == "call" and report.failed and isinstance(talk, Conversation):
        report.sections.append(("conversation", talk.transcript()))


@pytest.fixture(scope="session")
def conversation_records(tmp_path_factory):
    records: list[dict] = []
    yield records
    text = json.dumps({"repo": str(REPO), "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "conversations": records}, ensure_ascii=False, indent=1)
    # pytest keeps only its last three temporary directories, and /tmp/pytest-of-<user> is shared
    # by every clone on the machine: the copy in results/ (git-ignored) is the one report.py reads.
    for path in (tmp_path_factory.getbasetemp() / RESULTS_NAME, LATEST):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        _written.append(path)


def pytest_terminal_summary(terminalreporter):
    if _written:
        terminalreporter.write_line(f"conversation records: {', '.join(map(str, _written))} "
                                    "(render docs/conversations.md: .venv/bin/python tests/conversations/report.py)")


@pytest.fixture
def talk(request, stack, conversation_records):
    name = f"{request.node.module.__name__.rsplit('.', 1)[-1].removeprefix('test_')}: {request.node.name}"
    conversation = Conversation(stack, f"qa-{uuid.uuid4().hex[:16]}", name)
    yield conversation
    call = getattr(request.node, "report_call", None)
    conversation_records.append(conversation.record(passed=bool(call and call.passed)))
