"""The Grafana dashboard in deploy/grafana/: a dashboard Grafana imports (the fields it needs, unique
panel ids, every panel on the Prometheus data source variable), and every PromQL query names only
metrics the project exports — read from the code's Counter/Histogram/Gauge definitions, not from a
list kept by hand."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from devstack import REPO

DASHBOARDS = sorted((REPO / "deploy" / "grafana").glob("*.json"))
# Where the processes define their metrics (the action server, Rasa, the channels, the backend).
SOURCES = ("actions", "runtime", "channels", "rasa_patches", "scaling", "backend/recovery_backend")
KINDS = {"Counter": ("_total", "_created"), "Gauge": ("",), "Summary": ("_count", "_sum", "_created"),
         "Histogram": ("_bucket", "_count", "_sum", "_created")}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                "offset", "inf", "nan"}


def exported_metrics(root: Path = REPO) -> set[str]:
    """Every series name the code's prometheus_client metrics expose."""
    names: set[str] = set()
    for source in SOURCES:
        for path in (root / source).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                kind = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                first = node.args[0]
                if kind in KINDS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    base = first.value.removesuffix("_total") if kind == "Counter" else first.value
                    names.update(base + suffix for suffix in KINDS[kind])
    return names


def metrics_named(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are no function, keyword, label or
    Grafana variable."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)                     # strings (label values)
    text = re.sub(r"\{[^}]*\}", "", text)                                 # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                                # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\$\w+", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        following = text[match.end():].lstrip()[:1]
        word = match.group(0)
        if following != "(" and word.lower() not in PROMQL_WORDS and not re.fullmatch(r"\d.*", word):
            names.add(word)
    return names


def queries(dashboard: dict) -> list[tuple[str, str]]:
    found = [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            inner = re.fullmatch(r"label_values\((\w+),\s*\w+\)", query)
            found.append((f"variable {variable['name']}", inner.group(1) if inner else query))
    return found


def test_there_is_a_dashboard():
    assert [path.name for path in DASHBOARDS] == ["recovery-funnel.json"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_the_dashboard_is_one_grafana_imports(path: Path):
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    for key in ("uid", "title", "schemaVersion", "panels", "time", "templating"):
        assert key in dashboard, f"{path.name} has no `{key}`"
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", dashboard["uid"])
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    sources = {variable["name"] for variable in dashboard["templating"]["list"] if variable["type"] == "datasource"}
    assert sources == {"datasource"}
    for panel in dashboard["panels"]:
        assert {"type", "title", "gridPos", "targets"} <= panel.keys(), panel.get("title")
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"} and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["expr"].count("(") == target["expr"].count(")"), panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_query_names_a_metric_the_project_exports(path: Path):
    exported = exported_metrics()
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    for title, expr in queries(dashboard):
        named = metrics_named(expr)
        assert named, f"{title}: `{expr}` names no metric"
        assert named <= exported, f"{title}: {sorted(named - exported)} is exported by no process"


def test_the_dashboard_shows_every_funnel_metric():
    """A stage added to the funnel (actions/engine/funnel.py) is missing from the dashboard until it is shown."""
    exported = exported_metrics()
    stages = set(re.findall(r'"(assistant_\w+)"', (REPO / "actions" / "engine" / "funnel.py").read_text()))
    shown = set().union(*(metrics_named(expr) for _, expr in queries(json.loads(DASHBOARDS[0].read_text()))))
    series = {name: {name, name + "_bucket"} for name in stages}
    assert len(stages) >= 10 and all(names & exported for names in series.values())
    assert not [name for name, names in series.items() if not names & shown], "a funnel metric is not on the dashboard"


def test_the_check_catches_a_metric_nobody_exports():
    exported = exported_metrics()
    assert "recovery_cases_total" in exported and "assistant_time_to_goal_seconds_bucket" in exported
    expr = 'sum by (path) (rate(assistant_goals_total{path=~"$path"}[5m])) / sum(assistant_turns_total)'
    assert metrics_named(expr) == {"assistant_goals_total", "assistant_turns_total"}
    assert "assistant_goals_total" not in exported
    assert metrics_named("histogram_quantile(0.9, sum by (le) (rate(x_bucket[$__rate_interval])))") == {"x_bucket"}
