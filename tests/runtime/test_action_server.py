"""The action server answers Rasa only (issue 9 L12) and reports health and metrics."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

HOURS = {"name": "ask_office_hours", "confidence": 0.99}
CALL = {"next_action": "action_turn", "sender_id": "auth-test", "version": "3.6.21",
        "tracker": {"sender_id": "auth-test", "slots": {}, "latest_message": {"text": "godziny", "intent": HOURS,
                    "entities": []}, "events": [], "paused": False, "followup_action": None, "active_loop": {},
                    "latest_action_name": "action_listen", "latest_input_channel": "rest"},
        "domain": {}}


def post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-secret-of-some-length"},
                                     {"Authorization": "Basic abc"}])
def test_a_call_without_the_secret_is_refused_and_runs_nothing(services, headers):
    status, body = post(services.actions_url, CALL, headers)
    assert status == 401 and body == {"error": "unauthorised"}


def test_the_secret_in_the_query_string_is_not_accepted(services):
    status, _ = post(f"{services.actions_url}?token={services.action_token}", CALL, {})
    assert status == 401


def test_rasa_with_the_secret_gets_the_action_run(services):
    status, body = post(services.actions_url, CALL, {"Authorization": f"Bearer {services.action_token}"})
    assert status == 200 and body["responses"], body


def test_the_action_list_is_private_too(services):
    base = services.actions_url.rsplit("/", 1)[0]
    assert get(f"{base}/actions")[0] == 401
    assert get(f"{base}/actions", {"Authorization": f"Bearer {services.action_token}"})[0] == 200


def test_a_failing_action_does_not_echo_the_conversation(services):
    broken = {**CALL, "tracker": "customer typed 601234567"}
    status, body = post(services.actions_url, broken, {"Authorization": f"Bearer {services.action_token}"})
    assert status >= 400
    assert "601234567" not in json.dumps(body) and "request_body" not in body


def test_probes_and_metrics_need_no_secret(services):
    base = services.actions_url.rsplit("/", 1)[0]
    assert get(f"{base}/healthz")[0] == 200
    assert json.loads(get(f"{base}/readyz")[1]) == {"ready": True}
    post(services.actions_url, CALL, {"Authorization": f"Bearer {services.action_token}"})
    status, metrics = get(f"{base}/metrics")
    assert status == 200
    assert b'assistant_action_seconds_count{action="action_turn",status="200"}' in metrics


def test_loading_the_action_server_shows_no_library_deprecation_warnings():
    """Issue 19 #7: a healthy start logs no alarming warnings (Sanic turns deprecations back on)."""
    import os
    import subprocess

    from devstack import ASSISTANT_BIN, REPO
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    loaded = subprocess.run([str(ASSISTANT_BIN / "python"), "-c", "import runtime.action_server"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    assert "Warning" not in loaded.stderr, loaded.stderr
