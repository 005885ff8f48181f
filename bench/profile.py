"""Where a part spends its time: py-spy samples the Rasa server (or, with
--part, the action server or the backend) while scripted messages run through
the REST channel; prints the heaviest frames.

    .venv/bin/python -m bench.profile > docs/benchmarks-profile.txt
    .venv/bin/python -m bench.profile --part backend
"""
from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.conversations import NO_REQUEST_LIMITS, accounts_fixture, spoken  # noqa: E402
from devstack import ASSISTANT_BIN, Stack  # noqa: E402

SECONDS = 12


def heaviest(raw: Path, count: int = 80) -> list[tuple[float, str]]:
    total, inclusive = 0, collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        total += int(samples)
        for frame in set(stack.split(";")):
            inclusive[frame] += int(samples)
    return [(n / total, frame) for frame, n in inclusive.most_common(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("rasa", "actions", "backend"), default="rasa")
    part = parser.parse_args().part
    workdir = Path(tempfile.mkdtemp(prefix="profile-"))
    stack = Stack(workdir, extra_env=NO_REQUEST_LIMITS)
    workdir.mkdir(parents=True, exist_ok=True)
    stack.accounts = workdir / "accounts.yml"
    phones = iter(accounts_fixture(stack.accounts, 1000))
    stack.start_all()
    try:
        def timed(sender: str, text: str) -> float:
            started = time.perf_counter()
            stack.say(sender, text)
            return (time.perf_counter() - started) * 1000

        kinds = {"first message (session start + turn)": [], "a question (turn, no backend call)": [],
                 "problem and phone (turn + backend: SMS sent)": []}
        for i in range(10):
            kinds["first message (session start + turn)"].append(timed(f"p{i}", "dzień dobry"))
            kinds["a question (turn, no backend call)"].append(timed(f"p{i}", "w jakich godzinach pracujecie?"))
            kinds["problem and phone (turn + backend: SMS sent)"].append(
                timed(f"p{i}", f"nie działa mi skrzynka mailowa, tel {spoken(next(phones))}"))
        for kind, values in kinds.items():
            print(f"median latency, {kind}: {statistics.median(values):.0f} ms")
        raw = workdir / "profile.txt"
        sampler = subprocess.Popen([str(ASSISTANT_BIN / "py-spy"), "record", "-p", str(stack.services[part].process.pid),
                                    "-d", str(SECONDS), "-f", "raw", "-o", str(raw), "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline, i = time.time() + SECONDS - 1, 0
        while time.time() < deadline:
            for text in ("dzień dobry", "w jakich godzinach pracujecie?",
                         f"nie działa mi skrzynka mailowa, tel {spoken(next(phones))}"):
                timed(f"q{i}", text)
            i += 1
        sampler.wait()
        print(f"\nheaviest frames of the {part} process (share of samples, inclusive), {SECONDS} s under load:")
        for share, frame in heaviest(raw):
            print(f"{share:6.1%}  {frame[:140]}")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
