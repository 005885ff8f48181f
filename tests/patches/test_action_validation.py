"""The start-up patch of rasa_patches/action_validation.py: in effect in the
running server, the same verdicts and errors as Rasa's own validation, and
nothing patched on another Rasa version (where the server refuses to start)."""
from __future__ import annotations

import asyncio
import copy
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import rasa_patches
from rasa_patches import action_validation

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "phone", "value": "+48500000000", "timestamp": None}],
     "responses": [{"text": "Wysłaliśmy kod.", "buttons": []}]},
    {"events": [{"event": "action", "name": "action_listen"}, {"event": "followup", "name": "action_turn"},
                {"event": "active_loop", "name": None}]},
]
INVALID = [
    [],
    {"events": "slot"},
    {"events": [{"name": "phone"}]},
    {"events": [{"event": "slot", "name": 5}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["tekst"]},
    {"events": [], "responses": {"text": "x"}},
]


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_validation._original)
    action_validation.apply()
    assert action_validation.is_applied()
    yield
    # monkeypatch puts Rasa's method back


def unpatched_error(result) -> str | None:
    try:
        action_validation._original(RemoteAction("action_turn", None), copy.deepcopy(result))
    except jsonschema.ValidationError as error:
        return str(error)
    return None


@pytest.mark.parametrize("result", VALID + INVALID)
def test_the_patched_validation_gives_rasas_verdict_and_error(patched, result):
    action = RemoteAction("action_turn", None)
    expected = unpatched_error(result)
    if expected is None:
        assert action._validate_action_result(copy.deepcopy(result)) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(copy.deepcopy(result))
        assert str(raised.value) == expected
        assert "Failed to validate Action server response" in raised.value.message


def test_the_validator_is_compiled_once_per_action_class(patched):
    action = RemoteAction("action_turn", None)
    action._validate_action_result({"events": []})
    first = action_validation.compiled_validator(RemoteAction)
    RemoteAction("other", None)._validate_action_result({"responses": []})
    assert action_validation.compiled_validator(RemoteAction) is first


def test_another_rasa_version_is_left_unpatched(monkeypatch, caplog):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_validation._original)
    with caplog.at_level(logging.WARNING, logger="rasa.patches"), pytest.raises(SystemExit):
        rasa_patches.apply("3.6.20")
    assert not action_validation.is_applied()
    assert "nothing patched" in caplog.text


class FakeActionServer(ThreadingHTTPServer):
    """An action server answering every call with `self.answer`."""

    answer: dict = {}

    def __init__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                body = json.dumps(server.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def action_server():
    server = FakeActionServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_remote_action(url: str) -> list:
    domain = Domain.from_dict({"slots": {"phone": {"type": "text", "mappings": [{"type": "custom"}]}},
                               "actions": ["action_turn"]})
    action = RemoteAction("action_turn", EndpointConfig(url))
    tracker = DialogueStateTracker("rest:patch-test", domain.slots)
    return asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain))


def test_an_invalid_action_response_is_still_rejected(patched, action_server):
    url = f"http://127.0.0.1:{action_server.server_port}/webhook"
    action_server.answer = {"events": [{"event": "slot", "name": "phone", "value": "+48500000000"}]}
    assert run_remote_action(url) == [SlotSet("phone", "+48500000000")]
    action_server.answer = {"events": [{"event": "slot", "name": 42}], "responses": []}
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        run_remote_action(url)


def test_the_patch_is_in_effect_in_the_running_server(stack, sender_id):
    # Every customer message runs a custom action, whose response the patched method validates.
    stack.say(sender_id, "dzień dobry")
    log = (stack.workdir / "rasa.log").read_text()
    assert "action responses are validated with a pre-compiled validator" in log
    assert "nothing patched" not in log
