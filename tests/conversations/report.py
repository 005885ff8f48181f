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
PATH_ORDER = ("password", "dead_email", "no_login", "documents", "handoff", None)
PATH_GOALS = {
    "password": "reset steps given",
    "dead_email": "e-mail change requested (confirmation to the new address)",
    "no_login": "masked login e-mail shown",
    "documents": "documents listed, case created",
    "handoff": "case for a person created",
    None: "– (no goal: robustness, side questions)",
}
MINIMUM_TURNS = {"password": 1, "dead_email": 3, "no_login": 3, "documents": 3, "handoff": 2}
FALLBACK_AIM = 0.02
LIST_ROWS = 60
LATEST = REPO / "results" / "conversations.json"
REPLY_CHECKS = (("empty", "empty"), ("contradicting", "contradictions"), ("two questions", "two_questions"),
                ("leaks", "leaks"))


def _median(values: list[int]) -> str:
    return f"{statistics.median(values):g}" if values else "–"


def _cell(text: str, limit: int = 100) -> str:
    # Control characters (a robustness test sends them) would make the page a binary file.
    shown = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in " ".join(str(text).split()))
    return shown[:limit].replace("|", "/")


def _counts(conversations: list[dict]) -> dict:
    turns = [turn for conversation in conversations for turn in conversation["turns"]]
    out = {"turns": len(turns), "fallback": sum(1 for turn in turns if turn.get("fallback"))}
    for label, key in REPLY_CHECKS:
        out[label] = sum(1 for turn in turns if turn.get(key))
    return out


def _result(conversation: dict) -> str:
    if conversation.get("passed"):
        return "passed"
    if conversation.get("known_defect"):
        return "known defect" if conversation.get("xfailed", True) else "FAILED (defect fixed? remove the mark)"
    return "FAILED"


def _metrics_row(label: str, group: list[dict]) -> str:
    counts = _counts(group)
    share = counts["fallback"] / counts["turns"] if counts["turns"] else 0.0
    passed = sum(1 for c in group if c.get("passed"))
    defects = sum(1 for c in group if not c.get("passed") and c.get("known_defect"))
    return (f"| {label} | {len(group)} | {passed} | {defects} | {counts['turns']} | {counts['fallback']} ({share:.1%}) | "
            + " | ".join(str(counts[name]) for name, _ in REPLY_CHECKS) + " |")


METRICS_HEAD = ["| {} | conversations | passed | known defects | customer turns | fallback replies (share) | "
                "empty | self-contradicting | asking two questions | leaks |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]


def render(data: dict) -> str:
    conversations = [c for c in data["conversations"] if c.get("written") != "python"]
    python = [c for c in data["conversations"] if c.get("written") == "python"]
    every = conversations + python
    totals = _counts(every)
    share = totals["fallback"] / totals["turns"] if totals["turns"] else 0.0
    by_path: dict = defaultdict(list)
    for conversation in conversations:
        by_path[conversation.get("wanted_goal")].append(conversation)

    out = [
        "# Conversations as customers write them",
        "",
        "Rendered by `tests/conversations/report.py` from the records of the conversation suite: one",
        "YAML file per conversation (`tests/conversations/**/*.yml`, the format in",
        "`tests/conversations/README.md`), played by `make test` through the REST channel against the",
        "whole stack (backend, action server, Rasa). Each asserts outcomes (SMS to the right number,",
        "e-mail change requested, reset e-mail, masked hint, case fields), never wording, and every",
        "reply is checked: not empty, not two different questions, no contradiction the runner can",
        "detect, nothing unmasked (README, \"Every reply, always\"). *Blind* conversations were written",
        "from the company's procedure only; *ported* ones are the earlier Python tests as files.",
        "",
        f"Run finished {data.get('finished_at', '?')}: {len(every)} conversations "
        f"({', '.join(f'{n} {kind}' for kind, n in Counter(c.get('written') for c in every).most_common())}), "
        f"{sum(1 for c in every if c.get('passed'))} passed, "
        f"{sum(1 for c in every if not c.get('passed') and c.get('known_defect'))} known defects, "
        f"{sum(1 for c in every if not c.get('passed') and not c.get('known_defect'))} failed; "
        f"{totals['turns']} customer turns.",
        "",
        f"Fallback replies: **{totals['fallback']} of {totals['turns']} turns ({share:.1%})**, aim under "
        f"{FALLBACK_AIM:.0%} — {'met' if share < FALLBACK_AIM else 'not met'}. Empty replies: "
        f"**{totals['empty']}**; self-contradicting: **{totals['contradicting']}**; asking two questions: "
        f"**{totals['two questions']}**; leaks: **{totals['leaks']}** (aim for each: 0).",
        "",
        "## Per path",
        "",
        "Turns to the goal: the customer turn after which the goal's outcome first held, in the",
        "conversations that reached it, against the path's minimum (the dialogue contract). Many",
        "conversations take detours on purpose (side questions, wrong codes, corrections).",
        "",
        "| path | goal | conversations | blind | ported | reached | minimum | median | max |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path in PATH_ORDER:
        group = by_path.get(path, [])
        if not group:
            continue
        reached = [c["goal"]["turns"] for c in group if c.get("goal")]
        written = Counter(c.get("written") for c in group)
        out.append(f"| {path or '–'} | {PATH_GOALS[path]} | {len(group)} | {written['blind']} | {written['ported']} | "
                   f"{len(reached)} | {MINIMUM_TURNS.get(path, '–')} | {_median(reached)} | "
                   f"{max(reached) if reached else '–'} |")
    out += ["", "Replies per path:", "", METRICS_HEAD[0].format("path"), METRICS_HEAD[1]]
    for path in PATH_ORDER:
        if by_path.get(path):
            out.append(_metrics_row(path or "–", by_path[path]))
    out.append(_metrics_row("**all files**", conversations))
    out += ["", "## Blind against ported", "", METRICS_HEAD[0].format("written"), METRICS_HEAD[1]]
    for kind in ("blind", "ported", "designer"):
        group = [c for c in conversations if c.get("written") == kind]
        if group:
            out.append(_metrics_row(kind, group))
    if python:
        out.append(_metrics_row("Python tests", python))

    defects = sorted((c for c in every if c.get("known_defect")), key=lambda c: c["name"])
    out += ["", "## Known defects", "",
            "Conversations marked `known_defect:` — strict expected failures until the assistant is fixed.", ""]
    if defects:
        out += ["| conversation | written | what goes wrong | result |", "|---|---|---|---|"]
        for conversation in defects:
            out.append(f"| {conversation['name']} | {conversation.get('written')} | "
                       f"{_cell(conversation['known_defect'], 200)} | {_result(conversation)} |")
    else:
        out.append("None.")

    flagged = [(c["name"], number, turn) for c in every for number, turn in enumerate(c["turns"], 1)
               if turn.get("fallback") or any(turn.get(key) for _, key in REPLY_CHECKS)]
    out += ["", "## Flagged replies", "",
            "Turns answered by a fallback, and replies that failed an always-check.", ""]
    if flagged:
        out += ["| conversation | turn | customer wrote | flagged |", "|---|---:|---|---|"]
        for name, number, turn in flagged[:LIST_ROWS]:
            flags = (["fallback"] if turn.get("fallback") else []) + [
                label + (f": {', '.join(map(str, turn[key]))}" if isinstance(turn.get(key), list) else "")
                for label, key in REPLY_CHECKS if turn.get(key)]
            out.append(f"| {name} | {number} | {_cell(turn.get('text', ''))} | {_cell('; '.join(flags), 200)} |")
        if len(flagged) > LIST_ROWS:
            out.append(f"| … and {len(flagged) - LIST_ROWS} more | | | |")
    else:
        out.append("None.")

    out += ["", "## Every conversation", "",
            "`recovery_path` is the dialogue's own slot at the goal turn (– when it was not set).", "",
            "| conversation | written | result | goal | recovery_path | turns to goal | minimum | customer turns | "
            "fallbacks |", "|---|---|---|---|---|---:|---:|---:|---:|"]
    for conversation in sorted(every, key=lambda c: c["name"]):
        goal = conversation.get("goal") or {}
        count = sum(1 for turn in conversation["turns"] if turn.get("fallback"))
        wanted = conversation.get("wanted_goal", goal.get("path"))
        out.append(f"| {conversation['name']} | {conversation.get('written', '–')} | {_result(conversation)} | "
                   f"{wanted or '–'} | {goal.get('tracker_path') or '–'} | {goal.get('turns', '–')} | "
                   f"{MINIMUM_TURNS.get(wanted, '–')} | {conversation['customer_turns']} | {count} |")
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
