"""docs/benchmarks.md's issue-16 section: the project before the procedure engine (`make bench --baseline`),
now, and Rasa's default served both ways, with a verdict computed from the numbers."""
from __future__ import annotations

import copy
import json

import pytest

from bench import page
from devstack import REPO

RESULTS = REPO / "bench" / "results"
SECTION = "## Before the procedure engine and now (issue 16)"


def section(text: str) -> str:
    start = text.index(SECTION)
    return text[start:text.index("\n## ", start + 1)]


def with_baseline(project: dict, results: dict | None = None,
                  commit: str = "60fde904efd4eb9fb5d0025fd24a0493d2be681b") -> dict:
    """The saved results (bench/results/latest.json) with a baseline run whose project figures are `project`."""
    results = results or saved()
    results["baseline"] = {"ref": commit[:7], "commit": commit, "subject": "…", "before_the_engine": True,
                           "model_cached": True, "seconds": 123.0, "date": results["date"], "smoke": False,
                           "load_average": {"before": [0.4, 0.5, 0.6], "after": [1.0, 1.0, 1.0]},
                           "sizes": json.loads(json.dumps(results["sizes"])), "project": project}
    return results


def scaled(results: dict, cpu: float = 1.0, rate: float = 1.0, p95: float = 1.0) -> dict:
    """The project's own figures as the baseline's, each multiplied."""
    project = copy.deepcopy(results["project"])
    project["load"]["rasa_cpu_ms_per_message"] *= cpu
    for runs in project["load"]["levels"].values():
        for run in runs:
            run["messages_per_s"] *= rate
            run["p95"] *= p95
    return project


def saved() -> dict:
    return json.loads((RESULTS / "latest.json").read_text())


def test_the_section_shows_before_now_and_the_default_both_ways():
    text = section(page.render(with_baseline(scaled(saved()))))
    header = next(line for line in text.splitlines() if line.startswith("| figure |"))
    assert header == ("| figure | before the engine (`60fde90`) | project | Rasa default, served like the project "
                      "| Rasa default, as Rasa ships it |")
    levels = sorted(int(level) for level in saved()["project"]["load"]["levels"])
    labels = [line.split(" | ")[0].removeprefix("| ") for line in text.splitlines() if line.startswith("| ")][2:]
    assert labels == [f"{levels[0]} at once: p95 ms", *(f"{level} at once: messages/s" for level in levels[1:]),
                      "Rasa server CPU per message, ms", "answers that were empty or missing"]
    assert "the last commit with the dialogue procedure as Python" in text and "123 s" in text


@pytest.mark.parametrize("cpu, rate, p95", [(1.0, 1.0, 1.0), (1.05, 0.95, 1.08), (1.3, 0.7, 1.4)])
def test_the_engine_costs_no_more_when_every_figure_is_within_the_spread_or_better(cpu, rate, p95):
    # The baseline's figures near the project's (or worse than them): the project now costs no more.
    text = section(page.render(with_baseline(scaled(saved(), cpu=cpu, rate=rate, p95=p95))))
    assert "costs no more per message than before the engine" in text and "costs more" not in text


def test_the_engine_costs_more_when_the_baseline_was_cheaper():
    text = section(page.render(with_baseline(scaled(saved(), cpu=0.5, rate=1.5))))
    verdict = text[text.index("**The project now costs more per message"):]
    worse = verdict.split(" worse ")[0]
    assert "Rasa server CPU per message" in worse and "messages/s with" in worse and "p95" not in worse


def test_a_figure_missing_on_one_side_leaves_the_question_open():
    results = saved()
    baseline = scaled(results, cpu=1.0)
    baseline["load"]["levels"] = {level: runs for level, runs in baseline["load"]["levels"].items() if level == "1"}
    text = section(page.render(with_baseline(baseline, results)))
    assert "**The project now costs" not in text
    assert "is open**: messages/s with" in text


def test_empty_answers_count_against_the_project():
    results = saved()
    results["project"]["load"]["failures"] = 2
    baseline = scaled(results)
    baseline["load"]["failures"] = 0
    assert "**: empty or missing answers worse" in section(page.render(with_baseline(baseline, results)))


def test_a_baseline_of_other_sizes_is_said():
    results = saved()
    results["sizes"]["levels"] = tuple(results["sizes"]["levels"])  # as the run holds them before writing JSON
    assert "other sizes" not in section(page.render(with_baseline(scaled(results), results)))
    baseline = with_baseline(scaled(results), results)
    baseline["baseline"]["sizes"] = {**results["sizes"], "repetitions": 1}
    assert "the baseline ran other sizes than the rest of this run" in section(page.render(baseline))


def test_a_baseline_results_file_of_the_old_commit_reads():
    # What 60fde90's own `scripts/bench.sh --configs project` wrote (docs/benchmarks-redesign.md).
    old = json.loads((RESULTS / "redesign" / "60fde90-before-the-engine.json").read_text())["project"]
    text = section(page.render(with_baseline(old)))
    assert f"| Rasa server CPU per message, ms | {old['load']['rasa_cpu_ms_per_message']:.1f} |" in text


def test_without_a_baseline_the_page_says_it_was_not_measured():
    text = page.render(saved() | {"baseline": None})
    assert "Not measured in this run (`--baseline none`)" in section(text)
