"""Renders docs/conversations.md from the records the conversation suite wrote.

    .venv/bin/python tests/conversations/report.py [RECORDS.json] [--out docs/conversations.md]

Without a path it reads results/conversations.json, the copy of the records the last run of the
suite in this clone wrote next to the one in pytest's temporary directory.
"""
from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PATH_ORDER = ("password", "dead_email", "no_login", "documents", "handoff")
PATH_GOALS = {
    "password": "reset steps given",
    "dead_email": "e-mail change requested (confirmation to the new address)",
    "no_login": "masked login e-mail shown (+ reset link if asked)",
    "documents": "documents listed, case created",
    "handoff": "case for a person created",
}
FALLBACK_AIM = 0.02
FALLBACK_ROWS = 40
LATEST = REPO / "results" / "conversations.json"


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):g}" if values else "–"


def render(data: dict) -> str:
    conversations = data["conversations"]
    turns = [turn for conversation in conversations for turn in conversation["turns"]]
    fallbacks = [turn for turn in turns if turn.get("fallback")]
    share = len(fallbacks) / len(turns) if turns else 0.0
    sources = sorted({turn.get("fallback_source", "?") for turn in turns})
    passed = [c for c in conversations if c["passed"]]
    failed = [c for c in conversations if not c["passed"]]

    by_path: dict[str, list[dict]] = defaultdict(list)
    for conversation in conversations:
        if conversation["passed"] and conversation.get("goal"):
            by_path[conversation["goal"]["path"]].append(conversation)

    out = [
        "# Conversations as customers write them: turns to the goal and fallbacks",
        "",
        "Rendered by `tests/conversations/report.py` from the records of the conversation suite",
        "(`tests/conversations/`, run by `make test` through the REST channel against the whole stack:",
        "backend, action server, Rasa). Each conversation asserts its outcome (SMS to the right number,",
        "e-mail change requested, reset e-mail, masked hint, case fields, hand-over), never the wording.",
        "Minimum turns per path are the dialogue contract's (docs/dialogue.md); a conversation that gives",
        "several facts in one message can reach its goal in fewer, and many take detours on purpose",
        "(side questions, wrong codes, corrections, path switches): turns above the minimum there",
        "are the customer's own detours, each answered.",
        "",
        f"Run finished {data.get('finished_at', '?')}: {len(conversations)} conversations, "
        f"{len(passed)} passed, {len(failed)} failed; {len(turns)} customer turns.",
        "",
        "## Turns to the goal, per path (passed conversations)",
        "",
        "| path | goal | conversations | minimum | median | max |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for path in PATH_ORDER:
        group = by_path.get(path, [])
        counts = [c["goal"]["turns"] for c in group]
        minimum = group[0]["goal"]["minimum"] if group else "–"
        out.append(f"| {path} | {PATH_GOALS[path]} | {len(group)} | {minimum} | {_median(counts)} | "
                   f"{max(counts) if counts else '–'} |")
    out += [
        "",
        "## Fallbacks",
        "",
        f"Turns answered by a fallback: **{len(fallbacks)} of {len(turns)} ({share:.1%})**; "
        f"aim under {FALLBACK_AIM:.0%} — {'met' if share < FALLBACK_AIM else 'not met'}. "
        f"Read from: {', '.join(sources) or '–'} (`turn_outcome` = the slot the dialogue sets each turn; "
        "`actions` = Rasa's fallback actions, for a dialogue without that slot).",
        "",
        "Turns by `turn_outcome`: " + (", ".join(f"{name} {count}" for name, count in sorted(
            Counter(turn.get("turn_outcome") or "not set" for turn in turns).items())) or "–") + ".",
        "",
    ]
    if fallbacks:
        rows = [(conversation["name"], number, turn["text"])
                for conversation in conversations
                for number, turn in enumerate(conversation["turns"], 1) if turn.get("fallback")]
        out += ["| conversation | turn | customer wrote |", "|---|---:|---|"]
        for name, number, text in rows[:FALLBACK_ROWS]:
            out.append(f"| {name} | {number} | {text[:100].replace('|', '/')} |")
        if len(rows) > FALLBACK_ROWS:
            out.append(f"| … and {len(rows) - FALLBACK_ROWS} more | | |")
        out.append("")
    out += [
        "## Every conversation",
        "",
        "`recovery_path` is the dialogue's own slot at the goal turn (– when it was not set).",
        "",
        "| conversation | result | path | recovery_path | turns to goal | minimum | customer turns | fallbacks |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for conversation in sorted(conversations, key=lambda c: c["name"]):
        goal = conversation.get("goal") or {}
        count = sum(1 for turn in conversation["turns"] if turn.get("fallback"))
        out.append(f"| {conversation['name']} | {'passed' if conversation['passed'] else 'FAILED'} | "
                   f"{goal.get('path', '–')} | {goal.get('tracker_path') or '–'} | {goal.get('turns', '–')} | "
                   f"{goal.get('minimum', '–')} | "
                   f"{conversation['customer_turns']} | {count} |")
    out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="?", type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "conversations.md")
    args = parser.parse_args()
    records = args.records or LATEST
    if not records.exists():
        raise SystemExit(f"{records} not found: run `.venv/bin/pytest tests/conversations` first")
    data = json.loads(records.read_text())
    args.out.write_text(render(data), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
