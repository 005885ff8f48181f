"""`make learn` (`python -m runtime.export_conversations [--since DATE] [--until DATE] [--out DIR]`):
the stored conversations of a period that went wrong — a reply not understood (fallback), an empty
reply, a hand-over to a person, or an abandonment (a path taken, no goal, `--silence` minutes
without a message) — written one file each in the conversation suite's YAML format
(tests/conversations/README.md), so that a designer can turn a real failure into a test: add the
account, the `goal:` and the `expect:` of each turn, and move the file under tests/conversations/.

Everything is redacted again by the one redactor (stored conversations already are): a typed
phone, code or address is a placeholder, to be replaced by the file's own account data. The
conversation is named by its pseudonym (runtime/pseudonym.py), the one the logs carry.
"""
from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from contact_rules import redact
from runtime.conversations import Session, read_only_engine, sessions, store_url
from runtime.pseudonym import pseudonym
from runtime.settings import rasa_process_settings

DAY_SECONDS = 86400


def reasons(session: Session, now: float, silence_seconds: float) -> list[str]:
    found = []
    if session.fallbacks:
        found.append("fallback")
    if session.empty_replies:
        found.append("empty reply")
    if session.case:
        found.append("hand-over")
    if session.abandoned(now, silence_seconds):
        found.append("abandoned")
    return found


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: every character survives, nothing is read as YAML.
    return json.dumps(text, ensure_ascii=False)


def _printable(line: str) -> str:
    # A comment holds any character YAML allows; a control character would make the file unreadable.
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in line)


def _comment(label: str, text: str) -> list[str]:
    lines = [_printable(line) for line in redact(text).splitlines()] or [""]
    return [f"    # {label}: {lines[0]}", *(f"    #   {line}" for line in lines[1:])]


def as_yaml(session: Session, found: list[str], name: str) -> str:
    day = datetime.fromtimestamp(session.started_at, timezone.utc).strftime("%Y-%m-%d")
    lines = [
        f"# Exported by `make learn` from conversation {name} ({session.channel}, {day}): {', '.join(found)}.",
        "# Add the account (if any), `goal:` and each turn's `expect:` (outcomes, never wording), replace",
        "# the redacted placeholders with the file's own data, then move it under tests/conversations/.",
        f"name: {_quoted(session.channel + ' conversation of ' + day + ': ' + ', '.join(found))}",
        "written: designer",
        f"language: {'en' if session.language == 'en' else 'pl'}",
    ]
    stages = ", ".join(session.stages) or "none"
    lines.append(f"# stages reached: {stages}")
    lines.append("turns:")
    for turn in session.turns:
        lines.append(f"  - customer: {_quoted(redact(turn.customer))}")
        for reply in turn.replies or ["(nothing)"]:
            lines += _comment("assistant", reply)
        lines.append(f"    # turn outcome: {turn.outcome or 'unknown'}")
    return "\n".join(lines) + "\n"


def export(found: Iterable[Session], out: Path, secret: str, now: float, silence_seconds: float) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for session in found:
        why = reasons(session, now, silence_seconds)
        if not why:
            continue
        name = pseudonym(session.conversation, secret)
        day = datetime.fromtimestamp(session.started_at, timezone.utc).strftime("%Y%m%d-%H%M%S")
        path = out / f"{day}-{name}.yml"
        path.write_text(as_yaml(session, why, name), encoding="utf-8")
        written.append(path)
    return written


def _moment(text: str) -> float:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def main(argv: list[str] | None = None) -> None:
    settings = rasa_process_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--since", help="from this day or moment (ISO, UTC unless given; default: 7 days ago)")
    parser.add_argument("--until", help="to this day or moment (ISO; default: now)")
    parser.add_argument("--silence", type=float, default=60.0,
                        help="minutes without a message after which a path without its goal is abandoned (60)")
    parser.add_argument("--out", default="results/learn", help="where the YAML files go (results/learn)")
    parser.add_argument("--endpoints", default=settings.endpoints)
    args = parser.parse_args(argv)
    now = time.time()
    since = _moment(args.since) if args.since else now - 7 * DAY_SECONDS
    until = _moment(args.until) if args.until else now
    found = sessions(read_only_engine(store_url(args.endpoints)), since, until)
    written = export(found, Path(args.out), settings.action_server_token.get_secret_value(), now, args.silence * 60)
    print(f"wrote {len(written)} conversation(s) to learn from into {args.out}")


if __name__ == "__main__":
    main()
