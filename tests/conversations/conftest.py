"""The conversation suite: pytest collects every `tests/conversations/**/*.yml` file (the format:
README.md next to this file) as one test, played by runner.py against the session's stack, and
writes the record of every conversation as JSON for `report.py`.

The stack's backend runs on a pinned clock per office state (spec.OFFICE_CLOCKS): the
conversation files are run grouped by clock, so the backend restarts once per state, not per
file, and gets the real clock back after the last one.
"""
from __future__ import annotations

import json
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import pytest

from devstack import TEST_ACCOUNTS
from tests.conversations import spec as format_
from tests.conversations.harness import Conversation
from tests.conversations.runner import Run

RESULTS_NAME = "conversations.json"
REPO = Path(__file__).resolve().parents[2]
LATEST = REPO / "results" / RESULTS_NAME
_written: list[Path] = []
_records: list[dict] = []


class ConversationFile(pytest.File):
    def collect(self):
        try:
            loaded = format_.load(Path(self.path))
        except format_.FormatError as error:
            raise self.CollectError(str(error)) from None
        clash = [line for line in _account_problems() if line.startswith(loaded.relative + ":")]
        if clash:
            raise self.CollectError("\n".join(clash))
        item = pytest.Function.from_parent(self, name=Path(self.path).stem, callobj=_play)
        item.conversation = loaded
        if loaded.known_defect:
            item.add_marker(pytest.mark.xfail(reason=f"known defect: {loaded.known_defect}", strict=True))
        yield item


@lru_cache(maxsize=1)
def _account_problems() -> tuple[str, ...]:
    """What is wrong with the accounts of all conversation files together (a phone given twice)."""
    with tempfile.TemporaryDirectory() as scratch:
        try:
            format_.accounts_fixture(TEST_ACCOUNTS, Path(scratch) / "accounts.yml")
        except format_.FormatError as error:
            return tuple(line.strip() for line in str(error).splitlines()[1:])
    return ()


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".yml" and file_path.name != "README.yml":
        return ConversationFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session, config, items):
    """The conversation files by clock (the office states), in place among the other tests."""
    slots = [index for index, item in enumerate(items) if hasattr(item, "conversation")]
    ordered = sorted((items[index] for index in slots), key=lambda item: item.conversation.clock)
    for index, item in zip(slots, ordered, strict=True):
        items[index] = item


def _play(request, stack, conversation_records):
    """One conversation file against the whole stack."""
    item = request.node
    loaded = item.conversation
    if stack.recovery_now != loaded.clock:
        stack.restart_backend(recovery_now=loaded.clock)
    run = Run(loaded, stack)
    item.conversation_run = run
    record = run.play()
    item.conversation_record = record
    conversation_records.append(record)
    assert not run.problems, "\n".join([f"{loaded.relative}: {loaded.name}", *run.problems, "",
                                        run.talk.transcript()])


def pytest_runtest_teardown(item, nextitem):
    """After the last conversation file, the stack's backend gets the real clock back."""
    if hasattr(item, "conversation") and not hasattr(nextitem, "conversation"):
        stack = getattr(item, "funcargs", {}).get("stack")
        if stack is not None and stack.recovery_now is not None:
            stack.restart_backend(recovery_now=None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
    if report.when != "call":
        return
    record = getattr(item, "conversation_record", None)
    if record is not None:
        record["passed"] = report.passed and not hasattr(report, "wasxfail")
        record["xfailed"] = hasattr(report, "wasxfail") and report.skipped
        return
    talk = getattr(item, "funcargs", {}).get("talk")
    if report.failed and isinstance(talk, Conversation):
        report.sections.append(("conversation", talk.transcript()))


@pytest.fixture(scope="session")
def conversation_records(tmp_path_factory):
    yield _records
    text = json.dumps({"repo": str(REPO), "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "conversations": _records}, ensure_ascii=False, indent=1)
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

