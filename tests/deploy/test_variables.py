"""Every variable the code reads (tests/runtime/test_configuration.py finds them) is given by
the compose file and by the Kubernetes manifests, or has a default in docs/deploy.md, or is a
development-only one that production refuses or ignores."""
from __future__ import annotations

import re

from tests.deploy.files import by_kind, container_environment, filled_env_example, load_compose, objects_of, pod_spec, render_overlay
from tests.deploy.test_compose import COMPOSE_FILE
from tests.runtime.test_configuration import DOCS, variables_read_by_the_project

NOT_FOR_PRODUCTION = {
    "RECOVERY_NOW": "pins the clock in development; production ignores it",
    "ACCOUNTS_FIXTURE": "demo accounts; production refuses to start with it",
    "REDIS_URL": "the same Redis as REDIS_HOST/REDIS_PORT/REDIS_DB, which both deployments give",
}


def variables_with_a_documented_default() -> set[str]:
    rows = [row for doc in DOCS for row in re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|", doc.read_text(), flags=re.M)]
    return {name for name, default in rows if not default.strip().startswith("—")}


def missing_from(given: set[str]) -> list[str]:
    return sorted(variables_read_by_the_project() - given - variables_with_a_documented_default() - set(NOT_FOR_PRODUCTION))


def test_the_compose_file_gives_every_variable_without_a_default():
    compose = load_compose(COMPOSE_FILE.read_text(), filled_env_example())
    given = {name for service in compose["services"].values() for name in service.get("environment", {})}
    assert missing_from(given) == []


def test_the_kubernetes_manifests_give_every_variable_without_a_default(tmp_path):
    objects = objects_of(render_overlay(tmp_path))
    workloads = [o for o in objects if o["kind"] in ("Deployment", "CronJob")]
    given = {name for workload in workloads for part in pod_spec(workload)["containers"]
             for name in container_environment(objects, part)}
    assert by_kind(objects, "Deployment") and missing_from(given) == []


def test_a_variable_nobody_gives_is_found(monkeypatch):
    import tests.deploy.test_variables as this
    monkeypatch.setattr(this, "variables_read_by_the_project", lambda: {"SOME_NEW_SETTING", "BACKEND_URL"})
    assert missing_from({"BACKEND_URL"}) == ["SOME_NEW_SETTING"]
