"""The funnel counters move as conversations in the suite's format are played through the whole stack
by its runner: the action server's /metrics read before and after three conversations (a dead
mailbox, documents, a person), then `make report` run on the stack's stored conversations.

The dead mailbox is the test's own (its account in tests/fixtures/accounts.yml): on the suite's
pinned clock a number that got a code in this session would be told to wait for a new one.

With REPORT_SAMPLE=<dir> the report's plots also go to <dir> (docs/report-*.png are written so,
after the conversation files of the same pytest run: `make report` on what the suite stored)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import urllib.request
from collections import Counter
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from runtime import report
from tests.conversations import spec
from tests.conversations.runner import Run

HERE = Path(__file__).parent
DEAD_MAILBOX = """
name: the funnel test's dead mailbox
written: designer
goal: dead_email
turns:
  - customer: "nie dziala mi mail od panelu"
  - customer: "533 980 199"
    expect:
      code_sent_to: "+48533980199"
  - customer: "{code}"
  - customer: "nowy adres to filip.lejkowski@onet.pl"
    expect:
      email_change_requested: filip.lejkowski@onet.pl
"""
FILES = ("documents/step_by_step.yml", "handoff/a_consultant_please.yml")


def metrics(stack) -> Counter:
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.actions_port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    values: Counter = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def moved(before: Counter, after: Counter, name: str, **labels) -> float:
    """How much a series moved; labels not given are summed over."""
    def total(values: Counter) -> float:
        return sum(value for (series, found), value in values.items()
                   if series == name and set(labels.items()) <= set(found))
    return total(after) - total(before)


def play(stack, path: Path) -> int:
    loaded = spec.load(path, root=path.parent)
    if stack.recovery_now != loaded.clock:
        stack.restart_backend(recovery_now=loaded.clock)
    run = Run(loaded, stack)
    run.play()
    assert not run.problems, "\n".join([path.name, *run.problems])
    return len(loaded.turns)


def test_the_funnel_counters_move_as_the_conversations_run(stack, tmp_path):
    own = tmp_path / "dead_mailbox.yml"
    own.write_text(DEAD_MAILBOX)
    before = metrics(stack)
    turns = sum(play(stack, path) for path in (own, *(HERE / relative for relative in FILES)))
    after = metrics(stack)

    assert moved(before, after, "assistant_conversations_started_total", channel="rest") == 3
    for path in ("dead_email", "documents", "handoff"):
        assert moved(before, after, "assistant_paths_chosen_total", path=path, channel="rest") >= 1, path
        assert moved(before, after, "assistant_goals_reached_total", path=path, channel="rest") == 1, path
    assert moved(before, after, "assistant_proofs_started_total", path="dead_email") == 1
    assert moved(before, after, "assistant_proofs_passed_total", path="dead_email") == 1
    assert moved(before, after, "assistant_proofs_started_total", path="documents") == 0
    assert moved(before, after, "assistant_handovers_total") == 2, "the documents case and the person's case"
    assert moved(before, after, "assistant_time_to_goal_seconds_count") == 3
    assert moved(before, after, "assistant_turns_total", channel="rest") == turns

    out = Path(os.environ.get("REPORT_SAMPLE") or tmp_path / "report")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {stack.workdir / 'rasa-tracker.sqlite3'}\n")
    report.main(["--endpoints", str(endpoints), "--out", str(out / "report")])
    assert (out / "report" / "funnel.png").stat().st_size > 10_000
    if os.environ.get("REPORT_SAMPLE"):
        for name in ("funnel", "rates"):
            shutil.copy(out / "report" / f"{name}.png", out / f"report-{name}.png")
        with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as source, \
                sqlite3.connect(out / "rasa-tracker.sqlite3") as copy:
            source.backup(copy)
