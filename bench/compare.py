"""Side by side, the project configuration's figures from several `make bench` results (each a
`bench/results/…json`), as a Markdown table: `python -m bench.compare A.json B.json …`.
Used for the redesign's before/after (docs/benchmarks-redesign.md), where each side was measured
with `scripts/bench.sh --configs project --skip-scale-out --skip-cv --skip-stock` in a worktree
of its commit, in turn, under the same load. `make bench` now does this for one commit itself
(`bench/run.py --baseline`)."""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def figures(path: Path) -> dict:
    results = json.loads(path.read_text())
    load = results["project"]["load"]
    out = {"load average before": round(results["load_average"]["before"][0], 2)}
    for level, runs in load["levels"].items():
        out[f"{level} at once: p50 ms"] = round(statistics.median(run["p50"] for run in runs), 1)
        out[f"{level} at once: p95 ms"] = round(statistics.median(run["p95"] for run in runs), 1)
        out[f"{level} at once: messages/s"] = round(statistics.median(run["messages_per_s"] for run in runs), 1)
    out["Rasa server CPU per message, ms"] = round(load["rasa_cpu_ms_per_message"], 1)
    out["start-up to first answer, s"] = round(load["startup_s"], 1)
    out["action server memory, MB"] = round(load.get("actions_mb", 0))
    out["answers empty or missing"] = load.get("failures")
    return out


def table(paths: list[Path]) -> str:
    columns = {path.stem: figures(path) for path in paths}
    names = list(next(iter(columns.values())))
    lines = ["| figure | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    lines += [f"| {name} | " + " | ".join(str(column[name]) for column in columns.values()) + " |" for name in names]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([Path(arg) for arg in sys.argv[1:]]))
