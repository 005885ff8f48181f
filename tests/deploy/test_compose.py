"""The single-host deployment (deploy/compose): the compose file, interpolated from its
`.env.example` as `docker compose` would, is valid against the Compose Specification's schema
(`compose-spec.json`, from github.com/compose-spec/compose-spec at 170098ba, Apache-2.0: the
docker CLI here has no compose plugin); every service is health-checked and pinned; secrets
come only from the env file; Rasa and the backend get what they need; nginx's configuration
passes `nginx -t` with socket.io sticky and the rest round robin."""
from __future__ import annotations

import http.client
import json
import re
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import jsonschema
import pytest

from tests.deploy.files import (
    COMPOSE_DIR,
    NGINX,
    REPO,
    SECRET_NAMES,
    MissingVariable,
    backend_production_problems,
    compose_variables,
    default_port,
    dockerfile_stages,
    env_file,
    filled_env_example,
    inherited,
    interpolate,
    load_compose,
    run,
    variables_rasa_substitutes,
)

COMPOSE_FILE = COMPOSE_DIR / "compose.yml"
NGINX_CONF = COMPOSE_DIR / "nginx.conf"
SCHEMA = json.loads((REPO / "tests" / "deploy" / "compose-spec.json").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose(COMPOSE_FILE.read_text(), filled_env_example())


def schema_errors(document: dict) -> list[str]:
    return [error.message for error in jsonschema.Draft7Validator(SCHEMA).iter_errors(document)]


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    assert schema_errors(compose) == []


def test_the_schema_refuses_a_misspelt_key_and_an_unknown_condition(compose):
    broken = json.loads(json.dumps(compose))
    broken["services"]["actions"]["depends_on"]["backend"]["condition"] = "service_ready"
    broken["services"]["web"]["healthchek"] = {}
    errors = " ".join(schema_errors(broken))
    assert "service_ready" in errors and "healthchek" in errors


def test_env_example_lists_every_variable_the_compose_file_reads():
    listed = set(env_file(COMPOSE_DIR / ".env.example"))
    assert compose_variables(COMPOSE_FILE.read_text()) <= listed
    # and compose stops, naming it, when a required one is left empty
    with pytest.raises(MissingVariable, match="ACTION_SERVER_TOKEN"):
        load_compose(COMPOSE_FILE.read_text(), {**filled_env_example(), "ACTION_SERVER_TOKEN": ""})


def test_no_secret_is_written_in_the_compose_file_or_committed():
    for line in COMPOSE_FILE.read_text().splitlines():
        name, _, value = line.strip().partition(":")
        if SECRET_NAMES.search(name) and value.strip():
            assert re.fullmatch(r"\$\{[A-Z_]+:[?-][^}]*\}", value.strip()), line
    committed = env_file(COMPOSE_DIR / ".env.example")
    assert all(value == "" for name, value in committed.items() if SECRET_NAMES.search(name))
    assert "deploy/compose/.env" in (REPO / ".gitignore").read_text().split()


def test_every_service_is_health_checked_restarted_and_pinned(compose):
    stages = dockerfile_stages()
    for name, service in compose["services"].items():
        assert service["restart"] == "unless-stopped", name
        if "build" in service:
            assert service["build"]["dockerfile"] == "deploy/Dockerfile"
            assert "healthcheck" in service or inherited(stages, service["build"]["target"], "HEALTHCHECK"), name
            assert not service["image"].endswith(":latest")
        else:
            assert "healthcheck" in service, name
            assert re.fullmatch(r"[\w/-]+:\d+(\.\d+)+[\w.-]*@sha256:[0-9a-f]{64}", service["image"]), service["image"]


def test_every_dependency_waits_for_health(compose):
    for name, service in compose["services"].items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
    assert set(compose["services"]["proxy"]["depends_on"]) == {"rasa-1", "rasa-2", "web", "backend"}


def test_rasa_instances_get_every_variable_of_their_endpoints_and_credentials(compose):
    for name in ("rasa-1", "rasa-2"):
        environment = compose["services"][name]["environment"]
        assert variables_rasa_substitutes() <= set(environment), name
        assert compose["services"][name]["image"] == compose["services"]["rasa-1"]["image"]


def test_the_backend_runs_in_production_mode_on_postgresql(compose):
    environment = {name: str(value) for name, value in compose["services"]["backend"]["environment"].items()}
    assert environment["RECOVERY_ENV"] == "production"
    assert backend_production_problems(environment) == []


def test_only_rasa_reaches_the_action_server_and_only_the_action_server_the_backends_network(compose):
    services = compose["services"]
    on = {name: set(service.get("networks", [])) for name, service in services.items()}
    assert {name for name, networks in on.items() if "actions" in networks} == {"actions", "rasa-1", "rasa-2"}
    assert {name for name, networks in on.items() if "backend" in networks} == {"actions", "backend"}
    assert all(compose["networks"][network].get("internal") for network in ("actions", "backend", "data"))


def test_the_backend_counts_its_request_limits_in_the_compose_redis(compose):
    """With memory:// each backend process (and each restart) would count afresh."""
    services = compose["services"]
    storage = urlsplit(services["backend"]["environment"]["RATE_LIMIT_STORAGE"])
    assert storage.scheme == "redis" and storage.hostname == "redis" and storage.port == 6379
    assert set(services["backend"]["networks"]) & set(services["redis"]["networks"])
    assert storage.password == filled_env_example()["REDIS_PASSWORD"], "the Redis password, when one is set"
    unset = load_compose(COMPOSE_FILE.read_text(), {**filled_env_example(), "REDIS_PASSWORD": ""})
    assert not urlsplit(unset["services"]["backend"]["environment"]["RATE_LIMIT_STORAGE"]).password


def test_the_parts_call_each_other_on_their_ports(compose):
    services = compose["services"]
    rasa = services["rasa-1"]["environment"]
    assert rasa["ACTION_SERVER_URL"] == f"http://actions:{services['actions']['environment']['ACTIONS_PORT']}/webhook"
    assert services["actions"]["environment"]["BACKEND_URL"] == f"http://backend:{services['backend']['environment']['BACKEND_PORT']}"
    for name, variable in (("actions", "ACTIONS_PORT"), ("backend", "BACKEND_PORT"), ("web", "WEB_PORT")):
        assert int(services[name]["environment"][variable]) == default_port(variable)


# ---- nginx ----------------------------------------------------------------------------------------

RESOLVE_SINCE = (1, 27, 3)  # `server … resolve` in open-source nginx


def nginx_version(binary) -> tuple[int, ...]:
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, check=True)
    return tuple(int(part) for part in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", result.stderr).groups())


def local_nginx_config(config: str, tmp_path) -> str:
    """The proxy's configuration with the compose service names and the certificate paths pointed
    at this machine (nginx resolves upstream names while testing)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", tmp_path / "tls.key", "-out", tmp_path / "tls.crt"], check=True, capture_output=True)
    local = re.sub(r"server (rasa-\d|web|backend):", "server 127.0.0.1:", config)
    if nginx_version(NGINX) < RESOLVE_SINCE:  # Debian's 1.22 here; the image's nginx has it
        local = re.sub(r"(server \S+) resolve\b", r"\1", local)
    return local.replace("/etc/nginx/tls/", f"{tmp_path}/").replace("/var/run/nginx.pid", f"{tmp_path}/nginx.pid")


def nginx_test(config: str, tmp_path) -> subprocess.CompletedProcess:
    """`nginx -t` on the proxy's configuration (local_nginx_config)."""
    (tmp_path / "nginx.conf").write_text(local_nginx_config(config, tmp_path))
    return run([NGINX, "-t", "-p", f"{tmp_path}/", "-c", tmp_path / "nginx.conf"])


def test_nginx_accepts_the_proxy_configuration(tmp_path):
    result = nginx_test(NGINX_CONF.read_text(), tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_refuses_tls_without_a_key(tmp_path):
    broken = "\n".join(line for line in NGINX_CONF.read_text().splitlines() if "ssl_certificate_key" not in line)
    result = nginx_test(broken, tmp_path)
    assert result.returncode != 0 and "ssl_certificate_key" in result.stderr


def upstreams(config: str) -> dict[str, str]:
    return dict(re.findall(r"upstream (\w+) \{(.*?)\}", config, re.S))


def locations(config: str) -> dict[str, str]:
    return dict(re.findall(r"location (?:= )?(\S+) \{(.*?)\}", config, re.S))


def test_socketio_is_sticky_and_rest_round_robin_over_every_rasa_instance(compose):
    config = NGINX_CONF.read_text()
    pools, routes = upstreams(config), locations(config)
    rasa_servers = {f"{name}:{default_port('RASA_PORT')}" for name in compose["services"] if name.startswith("rasa-")}
    socketio_pool = re.search(r"proxy_pass http://(\w+);", routes["/socket.io/"]).group(1)
    rest_pool = re.search(r"proxy_pass http://(\w+);", routes["/webhooks/"]).group(1)
    assert "ip_hash;" in pools[socketio_pool] and "ip_hash" not in pools[rest_pool] and "hash " not in pools[rest_pool]
    for pool in (socketio_pool, rest_pool):
        assert set(re.findall(r"server ([\w-]+:\d+)", pools[pool])) == rasa_servers
    assert "Upgrade $http_upgrade" in routes["/socket.io/"]
    # a dead instance's connection goes to the next one; a sent request is resent only by the client
    assert re.search(r"proxy_next_upstream error timeout;", routes["/webhooks/"])
    assert not re.search(r"proxy_next_upstream[^;#]*non_idempotent", config)


def test_the_proxy_routes_the_backend_only_for_the_email_links(compose):
    config = NGINX_CONF.read_text()
    routed_to_backend = [path for path, body in locations(config).items() if "proxy_pass http://backend" in body]
    assert routed_to_backend == ["/email-change/"]
    port = int(compose["services"]["backend"]["environment"]["BACKEND_PORT"])
    assert re.findall(r"server (backend:\d+)", upstreams(config)["backend"]) == [f"backend:{port}"]
    assert interpolate("https://${PUBLIC_HOST}", filled_env_example()) == compose["services"]["backend"]["environment"]["PUBLIC_BASE_URL"]


def test_the_proxy_looks_the_containers_up_again_while_it_runs(compose):
    """Issue 19 #8: nginx resolved the containers once at start, so after the documented secret
    rotation (`docker compose up -d` recreates containers, with new addresses) it kept sending to
    the old ones. Every upstream server is re-resolved at Docker's DNS within seconds."""
    config = NGINX_CONF.read_text()
    resolver = re.search(r"^\s*resolver 127\.0\.0\.11 valid=(\d+)s[^;]*;", config, re.M)
    assert resolver and int(resolver.group(1)) <= 30
    for name, body in upstreams(config).items():
        assert re.search(rf"zone {name} \d+k;", body), f"{name}: `resolve` needs the group in shared memory"
        servers = re.findall(r"^\s*server (.*);", body, re.M)
        assert servers and all(re.match(r"[a-z][\w-]*:\d+ resolve\b", server) for server in servers), servers
    image = compose["services"]["proxy"]["image"]
    assert nginx_version_of_tag(image) >= RESOLVE_SINCE, image


def nginx_version_of_tag(image: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.search(r"nginx:(\d+)\.(\d+)\.(\d+)", image).groups())


class HeaderEcho:
    """Stands in for every upstream (the Rasa instances, the help page, the backend): keeps the
    headers of each request it gets."""

    def __init__(self):
        self.seen: dict[str, dict] = {}
        echo = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                echo.seen[self.path.split("?")[0]] = self.headers
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_rasa_sees_each_web_chat_client_by_its_own_address_whatever_it_forges(compose, tmp_path):
    """The backend's per-client limits count the address Rasa reports (channels/client.py): Sanic
    takes the SANIC_PROXIES_COUNT-th X-Forwarded-For entry from the end. nginx for real, in front of
    an upstream that keeps the headers, and a client that forges the header: Rasa must see the
    client's own address on the socket.io and the webhook routes."""
    from sanic.compat import Header
    from sanic.config import Config
    from sanic.headers import parse_xforwarded

    from devstack import free_port

    echo = HeaderEcho()
    https = free_port()
    local = re.sub(r"server 127\.0\.0\.1:\d+", f"server 127.0.0.1:{echo.port}",
                   local_nginx_config(NGINX_CONF.read_text(), tmp_path))
    for listen, local_listen in (("listen 443 ssl", f"listen 127.0.0.1:{https} ssl"),
                                 ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
                                 ("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{free_port()};"),
                                 ("worker_processes auto;", "worker_processes 1;")):
        local = local.replace(listen, local_listen)
    temp = tmp_path / "temp"
    temp.mkdir()
    local = local.replace("http {", f"http {{\n  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy;", 1)
    (tmp_path / "nginx.conf").write_text(local)
    nginx = subprocess.Popen([NGINX, "-p", f"{tmp_path}/", "-c", tmp_path / "nginx.conf", "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    unverified = ssl._create_unverified_context()
    try:
        forged = {"X-Forwarded-For": "203.0.113.9", "Host": "pomoc.example.pl"}
        for method, path in (("GET", "/socket.io/?EIO=4&transport=polling"), ("POST", "/webhooks/rest/webhook")):
            for _attempt in range(50):
                try:
                    connection = http.client.HTTPSConnection("127.0.0.1", https, context=unverified, timeout=10)
                    connection.request(method, path, body="{}" if method == "POST" else None, headers=forged)
                    assert connection.getresponse().status == 200
                    break
                except ConnectionRefusedError:
                    assert nginx.poll() is None, nginx.stderr.read().decode()
                    time.sleep(0.1)
        config = Config()
        config.PROXIES_COUNT = int(compose["services"]["rasa-1"]["environment"]["SANIC_PROXIES_COUNT"])
        for route in ("/socket.io/", "/webhooks/rest/webhook"):
            headers = echo.seen[route]
            seen_by_rasa = parse_xforwarded(Header(headers.items()), config)
            assert seen_by_rasa is not None and seen_by_rasa["for"] == "127.0.0.1", (route, dict(headers))
            assert headers["Host"] == "pomoc.example.pl" and headers["X-Forwarded-Proto"] == "https", route
        assert {name: compose["services"][name]["environment"]["SANIC_PROXIES_COUNT"]
                for name in ("rasa-1", "rasa-2")} == {"rasa-1": "1", "rasa-2": "1"}
    finally:
        nginx.terminate()
        nginx.wait(10)
        echo.server.shutdown()
