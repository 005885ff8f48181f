"""`make report` (`python -m runtime.report [--days N] [--out DIR]`): the funnel and its rates as PNG
plots, from the stored conversations, for those without Grafana (docs/operations.md). The same
stages as the action server's metrics (actions/engine/funnel.py), read from what each conversation
stored; abandonment is decided here: a path taken, no goal, and `--silence` minutes (default 60, the
session's expiry) without a message. matplotlib comes with Rasa 3.6 (a dependency of its own), as
for `make bench`'s plots."""
from __future__ import annotations

import argparse
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from runtime.conversations import NONE, Session, read_only_engine, sessions, store_url
from runtime.settings import rasa_process_settings

STAGES = ("path_chosen", "proof_started", "proof_passed", "goal")
STAGE_NAMES = {"started": "conversation started", "path_chosen": "path chosen", "proof_started": "proof started",
               "proof_passed": "proof passed", "goal": "goal reached"}
DAY_SECONDS = 86400


@dataclass
class Funnel:
    started: Counter = field(default_factory=Counter)                           # by channel
    reached: Counter = field(default_factory=Counter)                           # stage -> conversations, any path
    stages: dict = field(default_factory=lambda: defaultdict(Counter))          # stage -> path -> conversations
    abandoned: Counter = field(default_factory=Counter)                         # by path
    handovers: Counter = field(default_factory=Counter)                         # by path came from
    turns: Counter = field(default_factory=Counter)                             # by channel
    fallbacks: Counter = field(default_factory=Counter)                         # by channel
    empty: Counter = field(default_factory=Counter)                             # by channel
    time_to_goal: dict = field(default_factory=lambda: defaultdict(list))       # path -> seconds

    @property
    def paths(self) -> list[str]:
        return sorted({path for counts in self.stages.values() for path in counts})

    def rate(self, numerator: float, denominator: float) -> float:
        return numerator / denominator if denominator else 0.0


def funnel(found: Iterable[Session], now: float, silence_seconds: float) -> Funnel:
    result = Funnel()
    for session in found:
        result.started[session.channel] += 1
        for stage in STAGES:
            for path in session.paths(stage):
                result.stages[stage][path] += 1
            result.reached[stage] += bool(session.paths(stage))
        if session.abandoned(now, silence_seconds):
            result.abandoned[session.path or NONE] += 1
        if session.case:
            result.handovers[session.previous_path or session.path or NONE] += 1
        result.turns[session.channel] += len(session.turns)
        result.fallbacks[session.channel] += session.fallbacks
        result.empty[session.channel] += session.empty_replies
        for path, seconds in session.time_to_goal():
            result.time_to_goal[path].append(seconds)
    return result


def summary(result: Funnel) -> str:
    lines = [f"conversations started: {sum(result.started.values())} "
             f"({', '.join(f'{channel} {count}' for channel, count in sorted(result.started.items()))}); "
             + ", ".join(f"{STAGE_NAMES[stage]}: {result.reached[stage]}" for stage in STAGES)]
    lines.append("path          " + "  ".join(f"{STAGE_NAMES[stage]:>14}" for stage in STAGES)
                 + "       abandoned      hand-overs   goal rate   median to goal")
    for path in result.paths:
        chosen = result.stages["path_chosen"][path]
        times = result.time_to_goal.get(path) or []
        lines.append(f"{path:<13} " + "  ".join(f"{result.stages[stage][path]:>14}" for stage in STAGES)
                     + f"  {result.abandoned[path]:>14}  {result.handovers[path]:>14}"
                     + f"  {result.rate(result.stages['goal'][path], chosen):>9.0%}"
                     + f"  {median(times) if times else 0:>14.1f} s")
    turns = sum(result.turns.values())
    lines.append(f"turns: {turns}; not understood (fallback): {result.rate(sum(result.fallbacks.values()), turns):.1%}; "
                 f"empty replies: {result.rate(sum(result.empty.values()), turns):.1%}")
    return "\n".join(lines)


def plot(result: Funnel, out: Path, title: str) -> list[Path]:
    with warnings.catch_warnings():   # matplotlib 3.5 on a newer pyparsing warns of deprecations as it loads
        warnings.simplefilter("ignore")
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker  # noqa: F401

    out.mkdir(parents=True, exist_ok=True)
    paths = result.paths or [NONE]
    written = []

    figure, (overall, per_path) = plt.subplots(1, 2, figsize=(13, 4.8))
    names = ["started", *STAGES, "abandoned"]
    # Conversations, whatever path: one that switched paths counts once here, once per path on the right.
    totals = [sum(result.started.values()), *(result.reached[stage] for stage in STAGES),
              sum(result.abandoned.values())]
    bars = overall.barh([STAGE_NAMES.get(name, name) for name in names][::-1], totals[::-1],
                        color=["#b0413e", "#2e7d32", "#5b8def", "#5b8def", "#7fa6f5", "#9e9e9e"])
    overall.bar_label(bars, padding=3)
    overall.set_title("Conversations per stage")
    overall.set_xlabel("conversations")
    width = 0.8 / (len(STAGES) + 1)
    for index, stage in enumerate([*STAGES, "abandoned"]):
        counts = result.abandoned if stage == "abandoned" else result.stages[stage]
        per_path.bar([position + index * width for position in range(len(paths))], [counts[path] for path in paths],
                     width, label=STAGE_NAMES.get(stage, stage))
    per_path.set_xticks([position + width * len(STAGES) / 2 for position in range(len(paths))], paths)
    per_path.set_title("Stages per path")
    per_path.set_ylabel("conversations")
    per_path.legend(fontsize=8)
    figure.suptitle(f"Recovery funnel — {title}")
    figure.tight_layout()
    written.append(out / "funnel.png")
    figure.savefig(written[-1], dpi=100)
    plt.close(figure)

    figure, (rates, channels, times) = plt.subplots(1, 3, figsize=(15, 4.8))
    kinds = {"goal rate": lambda p: result.rate(result.stages["goal"][p], result.stages["path_chosen"][p]),
             "abandoned": lambda p: result.rate(result.abandoned[p], result.stages["path_chosen"][p]),
             "hand-over": lambda p: result.rate(result.handovers[p], result.stages["path_chosen"][p])}
    width = 0.8 / len(kinds)
    for index, (name, rate) in enumerate(kinds.items()):
        rates.bar([position + index * width for position in range(len(paths))], [rate(p) for p in paths], width,
                  label=name)
    rates.set_xticks([position + width for position in range(len(paths))], paths)
    rates.set_ylim(0, 1.05)
    rates.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    rates.set_title("Rates per path (of the conversations that took it)")
    rates.legend(fontsize=8)
    channel_names = sorted(result.turns) or ["none"]
    channels.bar([position - 0.2 for position in range(len(channel_names))],
                 [result.rate(result.fallbacks[c], result.turns[c]) for c in channel_names], 0.4,
                 label="not understood (fallback)")
    channels.bar([position + 0.2 for position in range(len(channel_names))],
                 [result.rate(result.empty[c], result.turns[c]) for c in channel_names], 0.4, label="empty reply")
    channels.set_xticks(range(len(channel_names)), channel_names)
    channels.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    channels.set_title("Replies per channel (of all turns)")
    channels.legend(fontsize=8)
    goal_paths = [path for path in paths if result.time_to_goal.get(path)]
    longest = max((max(result.time_to_goal[path]) for path in goal_paths), default=0)
    unit, seconds_per = ("minutes", 60) if longest >= 180 else ("seconds", 1)
    if goal_paths:
        times.boxplot([[seconds / seconds_per for seconds in result.time_to_goal[path]] for path in goal_paths],
                      labels=goal_paths)
    times.set_ylim(bottom=0)
    times.set_title("Time to goal (from the first message)")
    times.set_ylabel(unit)
    figure.suptitle(f"Recovery rates — {title}")
    figure.tight_layout()
    written.append(out / "rates.png")
    figure.savefig(written[-1], dpi=100)
    plt.close(figure)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=30.0, help="the conversations of the last N days (30)")
    parser.add_argument("--silence", type=float, default=60.0,
                        help="minutes without a message after which a path without its goal is abandoned (60)")
    parser.add_argument("--out", default="results/report", help="where the PNG files go (results/report)")
    parser.add_argument("--endpoints", default=rasa_process_settings().endpoints)
    args = parser.parse_args(argv)
    now = time.time()
    found = list(sessions(read_only_engine(store_url(args.endpoints)), since=now - args.days * DAY_SECONDS))
    result = funnel(found, now, args.silence * 60)
    print(summary(result))
    for path in plot(result, Path(args.out), f"the last {args.days:g} days, {len(found)} conversations"):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
