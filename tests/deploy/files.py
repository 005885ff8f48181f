"""What the deployment files in deploy/ say, read the way their tools read them: the
Kubernetes overlay rendered by `kubectl kustomize`, the compose file interpolated from its
`.env.example`, the Dockerfile split into stages. The checkers (checkov, kubernetes-validate,
hadolint) run from deploy/.venv (`make setup-test`), nginx and kubectl from the system.
"""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from devstack import BACKEND_PYTHON, REPO

DEPLOY = REPO / "deploy"
TOOLS = DEPLOY / ".venv" / "bin"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE_DIR = DEPLOY / "compose"
K8S = DEPLOY / "k8s"
OVERLAY = "overlays/production"
KUBERNETES_VERSION = "1.30.0"
# Variables that hold a secret (and must never have a value in a committed file).
SECRET_NAMES = re.compile(r"TOKEN|SECRET|PASSWORD|KEY|_SID$")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=120, **kwargs)


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as docker compose and kustomize's `envs:` read them."""
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


# ---- Kubernetes -------------------------------------------------------------------------------

def render_overlay(workdir: Path, k8s: Path = K8S) -> str:
    """The production overlay as `kubectl apply -k` would send it, with secrets.env made from
    its committed example (the step docs/deploy.md tells an operator to do)."""
    copy = workdir / "k8s"
    shutil.copytree(k8s, copy)
    overlay = copy / OVERLAY
    shutil.copy(overlay / "secrets.env.example", overlay / "secrets.env")
    result = run([KUBECTL, "kustomize", overlay])
    if result.returncode != 0:
        raise RenderError(result.stderr)
    return result.stdout


class RenderError(Exception):
    pass


def objects_of(rendered: str) -> list[dict]:
    return [document for document in yaml.safe_load_all(rendered) if document]


def by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_spec(workload: dict) -> dict:
    template = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    return template["template"]["spec"]


def container_environment(objects: list[dict], container: dict) -> dict[str, str]:
    """Every variable a container gets: its ConfigMaps' data and its own `env`
    (a Secret reference reads as the value in the rendered Secret)."""
    config_maps, secrets = by_kind(objects, "ConfigMap"), by_kind(objects, "Secret")
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        environment.update(config_maps[source["configMapRef"]["name"]].get("data", {}))
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        else:
            reference = variable["valueFrom"]["secretKeyRef"]
            environment[variable["name"]] = secret_value(secrets[reference["name"]], reference["key"])
    return environment


def secret_value(secret: dict, key: str) -> str:
    if key in secret.get("stringData", {}):
        return secret["stringData"][key]
    return base64.b64decode(secret["data"][key]).decode()


# ---- compose ----------------------------------------------------------------------------------

INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(text: str, values: dict[str, str]) -> str:
    """docker compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, the forms compose.yml uses."""
    def substitute(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        value = values.get(name)
        if operator == ":?" and not value:
            raise MissingVariable(f"{name}: {argument or 'required'}")
        if operator == ":-" and not value:
            return argument
        return value or ""
    return INTERPOLATION.sub(substitute, text).replace("$$", "$")


def compose_variables(text: str) -> set[str]:
    return {match[0] for match in INTERPOLATION.findall(text)}


def filled_env_example() -> dict[str, str]:
    """.env.example with every empty value filled in, as an operator would."""
    values = env_file(COMPOSE_DIR / ".env.example")
    return {name: value or f"example-{name.lower()}-0123456789abcdef0123456789" for name, value in values.items()}


def load_compose(text: str, values: dict[str, str]) -> dict:
    return yaml.safe_load(interpolate(text, values))


# ---- Dockerfile -------------------------------------------------------------------------------

@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def last(self, keyword: str) -> str | None:
        found = [argument for name, argument in self.instructions if name == keyword]
        return found[-1] if found else None


def dockerfile_stages(text: str = "") -> dict[str, Stage]:
    text = text or DOCKERFILE.read_text()
    logical = re.sub(r"\\\n", " ", text)
    stages: dict[str, Stage] = {}
    current = None
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, argument = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = argument.split()
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else f"stage{len(stages)}"
            current = stages[name] = Stage(name, words[0])
        elif current is not None:
            current.instructions.append((keyword, argument.strip()))
    return stages


def stage_chain(stages: dict[str, Stage], name: str) -> list[Stage]:
    """A stage and the stages it is built FROM, nearest first."""
    chain = [stages[name]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain


def inherited(stages: dict[str, Stage], name: str, keyword: str) -> str | None:
    for stage in stage_chain(stages, name):
        if stage.last(keyword) is not None:
            return stage.last(keyword)
    return None


# ---- the code's own rules ---------------------------------------------------------------------

def backend_production_problems(env: dict[str, str]) -> list[str]:
    """What the backend's own settings (backend/recovery_backend/settings.py, in its environment)
    refuse in `env`, one line per problem; [] when it would start."""
    script = ("import json, sys; from recovery_backend.settings import Settings\n"
              "try:\n    Settings.from_env(json.load(sys.stdin))\nexcept SystemExit as refused:\n"
              "    print(refused.code)")
    finished = subprocess.run([str(BACKEND_PYTHON), "-c", script], cwd=REPO / "backend", input=json.dumps(env),
                              capture_output=True, text=True, check=True)
    return [line.strip(" -") for line in finished.stdout.splitlines() if line.strip(" -")]


RASA_FILES = ("endpoints-scaled.yml", "credentials.yml")


def variables_rasa_substitutes() -> set[str]:
    """Rasa refuses to start when a ${VAR} of its endpoints or credentials is unset."""
    return {name for file in RASA_FILES for name in re.findall(r"\$\{([A-Z][A-Z0-9_]+)\}", (REPO / file).read_text())}


def default_port(variable: str) -> int:
    """The port scripts/env.sh gives a part when nothing is set."""
    match = re.search(rf'{variable}="\$\{{{variable}:-(\d+)\}}"', (REPO / "scripts" / "env.sh").read_text())
    assert match, f"scripts/env.sh has no default for {variable}"
    return int(match.group(1))
