"""The Kubernetes manifests (deploy/k8s), rendered as `kubectl apply -k` would send them:
valid against Kubernetes' schema, clean by checkov, probes and ports that match the parts,
every variable Rasa and the backend need, the network and disruption rules docs/deploy.md
promises, and the resource figures of its table."""
from __future__ import annotations

import copy
import re
import shutil
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.files import (
    K8S,
    KUBECTL,
    KUBERNETES_VERSION,
    OVERLAY,
    REPO,
    SECRET_NAMES,
    TOOLS,
    backend_production_problems,
    by_kind,
    container_environment,
    default_port,
    env_file,
    objects_of,
    pod_spec,
    render_overlay,
    run,
    variables_rasa_substitutes,
)

PORT_VARIABLES = {"rasa": "RASA_PORT", "actions": "ACTIONS_PORT", "backend": "BACKEND_PORT", "web": "WEB_PORT"}
DOCS = REPO / "docs" / "deploy.md"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> str:
    return render_overlay(tmp_path_factory.mktemp("render"))


@pytest.fixture(scope="module")
def objects(rendered) -> list[dict]:
    return objects_of(rendered)


@pytest.fixture(scope="module")
def deployments(objects) -> dict[str, dict]:
    return by_kind(objects, "Deployment")


def container(deployment: dict) -> dict:
    (only,) = pod_spec(deployment)["containers"]
    return only


def kubernetes_validate(path):
    return run([TOOLS / "kubernetes-validate", "--strict", "--quiet", "-k", KUBERNETES_VERSION, path])


def checkov_kubernetes(path):
    return run([TOOLS / "checkov", "--file", path, "--framework", "kubernetes", "--quiet", "--compact", "--skip-download"])


# ---- the validators, and that each can say no ---------------------------------------------------

def test_every_rendered_object_is_valid_kubernetes(rendered, tmp_path):
    (tmp_path / "rendered.yaml").write_text(rendered)
    result = kubernetes_validate(tmp_path / "rendered.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(objects_of(rendered)) >= 20


def test_kubernetes_validate_refuses_a_misspelt_field_and_a_wrong_type(rendered, tmp_path):
    broken = rendered.replace("readinessProbe:", "readinesProbe:", 1).replace("minAvailable: 1", "minAvailable: [1]", 1)
    (tmp_path / "broken.yaml").write_text(broken)
    result = kubernetes_validate(tmp_path / "broken.yaml")
    assert result.returncode != 0
    assert "readinesProbe" in result.stdout + result.stderr


def test_kustomize_refuses_an_overlay_without_its_secret_file(tmp_path):
    shutil.copytree(K8S, tmp_path / "k8s")
    result = run([KUBECTL, "kustomize", tmp_path / "k8s" / OVERLAY])
    assert result.returncode != 0 and "secrets.env" in result.stderr


def test_checkov_passes_the_rendered_manifests(rendered, tmp_path):
    (tmp_path / "rendered.yaml").write_text(rendered)
    result = checkov_kubernetes(tmp_path / "rendered.yaml")
    assert result.returncode == 0, result.stdout[-4000:]


def test_checkov_skips_only_with_a_written_reason(objects):
    for workload in objects:
        for name, value in workload["metadata"].get("annotations", {}).items():
            if name.startswith("checkov.io/skip"):
                check, _, reason = value.partition("=")
                assert re.fullmatch(r"CKV2?_K8S_\d+", check) and len(reason.split()) >= 5, value


def test_checkov_refuses_a_privileged_root_container(objects, tmp_path):
    rasa = copy.deepcopy(by_kind(objects, "Deployment")["rasa"])
    spec = pod_spec(rasa)
    spec["securityContext"] = {}
    spec["containers"][0]["securityContext"] = {"privileged": True, "runAsUser": 0}
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(rasa))
    result = checkov_kubernetes(tmp_path / "broken.yaml")
    assert result.returncode != 0
    assert "CKV_K8S_16" in result.stdout  # privileged container


# ---- what the parts need -------------------------------------------------------------------------

def test_every_part_is_probed_on_the_endpoints_it_serves_on_its_own_port(deployments, objects):
    services = by_kind(objects, "Service")
    for name, variable in PORT_VARIABLES.items():
        part = container(deployments[name])
        environment = container_environment(objects, part)
        port = int(environment.get(variable, default_port(variable)))
        (declared,) = part["ports"]
        assert declared["containerPort"] == port, name
        assert part["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": declared["name"]}
        assert part["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": declared["name"]}
        service_port = services[name]["spec"]["ports"][0]
        assert service_port["targetPort"] == declared["name"] and service_port["port"] == port


def test_the_parts_call_each_other_at_the_services_ports(deployments, objects):
    services = {name: service["spec"]["ports"][0]["port"] for name, service in by_kind(objects, "Service").items()}
    rasa = container_environment(objects, container(deployments["rasa"]))
    actions = container_environment(objects, container(deployments["actions"]))
    for url in (rasa["ACTION_SERVER_URL"], actions["BACKEND_URL"]):
        parts = urlsplit(url)
        assert services[parts.hostname] == parts.port, url
    assert services[rasa["POSTGRES_HOST"]] == int(rasa["POSTGRES_PORT"])
    assert services[rasa["REDIS_HOST"]] == int(rasa["REDIS_PORT"])


def test_rasa_gets_every_variable_its_endpoints_and_credentials_name(deployments, objects):
    environment = container_environment(objects, container(deployments["rasa"]))
    assert environment["RASA_ENDPOINTS"] == "endpoints-scaled.yml"
    missing = variables_rasa_substitutes() - set(environment)
    assert not missing, f"Rasa would refuse to start without {sorted(missing)}"


def test_rasa_trusts_the_ingress_as_its_one_proxy_and_the_backends_share_their_limits_in_redis(deployments, objects):
    """The backend's per-client limits count the web-chat client's address, which Rasa takes from
    X-Forwarded-For only when told how many proxies stand in front (the ingress controller: 1);
    the backend replicas count together, in the Redis Rasa uses, not each in its own memory."""
    rasa = container_environment(objects, container(deployments["rasa"]))
    assert rasa["SANIC_PROXIES_COUNT"] == "1"
    backend = container_environment(objects, container(deployments["backend"]))
    storage = urlsplit(backend["RATE_LIMIT_STORAGE"])
    assert deployments["backend"]["spec"]["replicas"] > 1
    assert storage.scheme == "redis" and (storage.hostname, storage.port) == (rasa["REDIS_HOST"], int(rasa["REDIS_PORT"]))
    assert storage.hostname in by_kind(objects, "Service")


def test_the_purge_job_reads_the_same_store_as_rasa(objects):
    (job,) = by_kind(objects, "CronJob").values()
    environment = container_environment(objects, pod_spec(job)["containers"][0])
    needed = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)\}", (REPO / "endpoints-scaled.yml").read_text()))
    assert needed <= set(environment) and environment["RASA_ENDPOINTS"] == "endpoints-scaled.yml"


def test_the_backend_starts_in_production_mode_with_the_example_secrets(deployments, objects):
    environment = container_environment(objects, container(deployments["backend"]))
    assert environment["RECOVERY_ENV"] == "production"
    assert backend_production_problems(environment) == []
    assert len(environment["BACKEND_API_KEY"]) >= 16


def test_shared_secrets_are_one_secret_key_for_every_part_that_shares_them(deployments):
    keys: dict[str, set[str]] = {}
    for name, deployment in deployments.items():
        for variable in container(deployment).get("env", []):
            reference = variable["valueFrom"]["secretKeyRef"]
            assert reference["key"] == variable["name"], "one name per secret, in the Secret and in the part"
            keys.setdefault(reference["key"], set()).add(name)
    assert keys["ACTION_SERVER_TOKEN"] == {"rasa", "actions"}
    assert keys["BACKEND_API_KEY"] == {"actions", "backend"}
    assert "CODE_SECRET" not in {key for key, parts in keys.items() if parts - {"backend"}}


def test_no_real_secret_is_committed():
    committed = env_file(K8S / "overlays" / "production" / "secrets.env.example")
    secrets = {name: value for name, value in committed.items() if SECRET_NAMES.search(name) or name == "DATABASE_URL"}
    assert len(secrets) >= 20 and all(value == "" or "change-me" in value for value in secrets.values()), secrets
    ignored = (REPO / ".gitignore").read_text()
    assert "deploy/k8s/overlays/*/secrets.env" in ignored


# ---- the hardening and the network ----------------------------------------------------------------

def test_every_pod_runs_unprivileged_on_a_read_only_root(objects):
    workloads = [o for o in objects if o["kind"] in ("Deployment", "CronJob")]
    assert len(workloads) == 5
    for workload in workloads:
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["automountServiceAccountToken"] is False
        for part in spec["containers"]:
            context = part["securityContext"]
            assert context == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                               "capabilities": {"drop": ["ALL"]}}, workload["metadata"]["name"]


def allowed_sources(objects, component: str) -> list[dict]:
    sources = []
    for policy in by_kind(objects, "NetworkPolicy").values():
        if policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/component") == component:
            for rule in policy["spec"].get("ingress", []):
                sources += rule["from"]
    return sources


def test_only_rasa_reaches_the_action_server_and_only_the_action_server_the_backend(objects):
    policies = by_kind(objects, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert allowed_sources(objects, "actions") == [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "rasa"}}}]
    pods_reaching_backend = [s["podSelector"] for s in allowed_sources(objects, "backend") if "podSelector" in s]
    assert pods_reaching_backend == [{"matchLabels": {"app.kubernetes.io/component": "actions"}}]
    # The controller reaches the backend, and is routed there for the e-mail links only.
    backend_paths = [path["path"] for ingress in by_kind(objects, "Ingress").values()
                     for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
                     if path["backend"]["service"]["name"] == "backend"]
    assert backend_paths == ["/email-change/"]


def test_socketio_is_sticky_and_everything_else_round_robin(objects):
    ingresses = by_kind(objects, "Ingress")
    sticky = [i for i in ingresses.values() if i["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/affinity")]
    assert len(sticky) == 1
    (paths,) = [[p["path"] for p in rule["http"]["paths"]] for rule in sticky[0]["spec"]["rules"]]
    assert paths == ["/socket.io/"]
    assert sticky[0]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"


def test_the_public_host_is_the_same_everywhere(objects, deployments):
    hosts = {rule["host"] for ingress in by_kind(objects, "Ingress").values() for rule in ingress["spec"]["rules"]}
    hosts |= {host for ingress in by_kind(objects, "Ingress").values() for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    rasa = container_environment(objects, container(deployments["rasa"]))
    urls = [rasa["CHAT_ALLOWED_ORIGINS"], container_environment(objects, container(deployments["web"]))["PUBLIC_RASA_URL"],
            container_environment(objects, container(deployments["backend"]))["PUBLIC_BASE_URL"]]
    hosts |= {urlsplit(url).hostname for url in urls}
    assert len(hosts) == 1 and all(url.startswith("https://") for url in urls), hosts


def test_every_deployment_has_a_disruption_budget_that_leaves_one_running(objects, deployments):
    budgets = by_kind(objects, "PodDisruptionBudget")
    for name, deployment in deployments.items():
        budget = budgets[name]["spec"]
        assert budget["selector"] == deployment["spec"]["selector"]
        if name == "actions":
            continue  # one replica (below): its budget must not block node drains
        assert budget["minAvailable"] >= 1 and deployment["spec"]["replicas"] > budget["minAvailable"]
    assert deployments["rasa"]["spec"]["replicas"] >= 2


def test_one_action_server_as_its_replay_memory_needs(objects, deployments):
    """Issue 19 #8: the base ran two action servers although a retried turn gets the action's first
    answer only from the server that remembers it (runtime/action_replay.py, docs/deploy.md)."""
    actions = deployments["actions"]["spec"]
    assert actions["replicas"] == 1
    assert actions["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert by_kind(objects, "PodDisruptionBudget")["actions"]["spec"] == {
        "maxUnavailable": 1, "selector": actions["selector"]}
    assert "run one (compose and the Kubernetes base run one" in DOCS.read_text()


def test_postgres_and_redis_are_the_clusters_own(objects):
    for name in ("postgres", "redis"):
        service = by_kind(objects, "Service")[name]["spec"]
        assert service["type"] == "ExternalName" and "selector" not in service
    assert not {o["kind"] for o in objects} & {"StatefulSet", "PersistentVolumeClaim"}


# ---- the figures ----------------------------------------------------------------------------------

def documented_resources() -> dict[str, dict]:
    """docs/deploy.md's table: | `part` | measured | `request memory` / `cpu` | `limit memory` / `cpu` | source |"""
    rows = re.findall(r"^\| `([a-z-]+)` \|[^|]*\| `([^`]+)` / `([^`]+)` \| `([^`]+)` / `([^`]+)` \|", DOCS.read_text(), re.M)
    return {name: {"requests": {"memory": rm, "cpu": rc}, "limits": {"memory": lm, "cpu": lc}} for name, rm, rc, lm, lc in rows}


def test_requests_and_limits_are_the_documented_measured_figures(objects, deployments):
    documented = documented_resources()
    workloads = {**deployments, **{name: job for name, job in by_kind(objects, "CronJob").items()}}
    assert set(documented) == set(workloads)
    for name, workload in workloads.items():
        assert pod_spec(workload)["containers"][0]["resources"] == documented[name], name
