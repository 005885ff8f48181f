"""The container images (deploy/Dockerfile): lint-clean by hadolint and checkov, each part's
image non-root, probed on an endpoint the part serves, on the part's port, installed from the
project's requirement files, on bases pinned by version and digest. Images cannot be built on
this machine (no container runtime): these checks are what stands in for a build."""
from __future__ import annotations

import re

import pytest

from tests.deploy.files import DOCKERFILE, REPO, TOOLS, default_port, dockerfile_stages, inherited, run, stage_chain

# Each image, the module it runs and the port variable scripts/env.sh gives that part.
PARTS = {"rasa": "RASA_PORT", "actions": "ACTIONS_PORT", "backend": "BACKEND_PORT", "web": "WEB_PORT"}
PROBE_PATHS = ("/healthz", "/readyz")


def hadolint(path):
    return run([TOOLS / "hadolint", "--failure-threshold", "info", path])


def checkov_dockerfile(path):
    return run([TOOLS / "checkov", "--file", path, "--framework", "dockerfile", "--quiet", "--compact", "--skip-download"])


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_refuses_a_floating_base_and_an_unpinned_install(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\nCMD python -V\n")
    result = hadolint(broken)
    assert result.returncode != 0
    assert {"DL3007", "DL3008"} <= set(re.findall(r"DL\d{4}", result.stdout))


def test_checkov_passes_the_dockerfile():
    result = checkov_dockerfile(DOCKERFILE)
    assert result.returncode == 0, result.stdout[-3000:]


def test_checkov_refuses_the_dockerfile_without_its_users_and_healthchecks(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text("\n".join(line for line in DOCKERFILE.read_text().splitlines()
                                if not line.startswith(("USER", "HEALTHCHECK", "  CMD"))))
    result = checkov_dockerfile(broken)
    assert result.returncode != 0
    assert "CKV_DOCKER_2" in result.stdout and "CKV_DOCKER_3" in result.stdout


@pytest.mark.parametrize("part", PARTS)
def test_each_image_runs_as_an_unprivileged_user(part):
    user = inherited(dockerfile_stages(), part, "USER")
    assert user is not None and user.split(":")[0] not in ("0", "root"), f"{part} runs as {user}"


@pytest.mark.parametrize("part", PARTS)
def test_each_image_is_probed_on_its_own_port_at_an_endpoint_it_serves(part):
    stages = dockerfile_stages()
    port = default_port(PARTS[part])
    assert inherited(stages, part, "EXPOSE") == str(port)
    healthcheck = inherited(stages, part, "HEALTHCHECK")
    assert healthcheck, f"{part} has no HEALTHCHECK"
    probed = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", healthcheck)
    assert probed and int(probed.group(1)) == port and probed.group(2) in PROBE_PATHS


@pytest.mark.parametrize("part", PARTS)
def test_each_image_listens_beyond_loopback_on_its_port(part):
    """The part reads host and port from the environment the image sets (scripts/env.sh's names)."""
    environment = " ".join(argument for stage in stage_chain(dockerfile_stages(), part)
                           for keyword, argument in stage.instructions if keyword == "ENV")
    assert f"{PARTS[part]}={default_port(PARTS[part])}" in environment.split()
    assert f"{PARTS[part].replace('_PORT', '_HOST')}=0.0.0.0" in environment.split()


def pip_installs() -> list[str]:
    return [argument for stage in dockerfile_stages().values() for keyword, argument in stage.instructions
            if keyword == "RUN" and "pip install" in argument]


def test_every_python_environment_is_installed_from_the_projects_requirement_files():
    installs = pip_installs()
    assert installs
    for install in installs:
        files = re.findall(r"-r (\S+)", install)
        assert files, f"installs packages not named in a requirement file: {install}"
        assert all((REPO / file).is_file() for file in files), files


def test_local_packages_installed_editable_are_copied_into_the_image():
    """An editable install points into /src, which the runtime stages do not have."""
    for install in pip_installs():
        for file in re.findall(r"-r (\S+)", install):
            for local in re.findall(r"^-e (\S+)", (REPO / file).read_text(), re.M):
                assert re.search(rf"--force-reinstall [^&]*{re.escape(local)}", install), f"{local} stays editable: {install}"


def test_every_base_image_is_pinned_by_version_and_digest():
    stages = dockerfile_stages()
    external = [stage.base for stage in stages.values() if stage.base not in stages]
    assert external
    for base in external:
        assert re.fullmatch(r"[\w./-]+:\d+(\.\d+)+[\w.-]*@sha256:[0-9a-f]{64}", base), base


def test_the_build_context_leaves_out_environments_models_and_local_data():
    ignored = (REPO / ".dockerignore").read_text().split()
    for path in ("**/.venv", "**/node_modules", "models", "var", ".git"):
        assert path in ignored
