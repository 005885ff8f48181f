"""The start-up patch of rasa_patches/action_validation.py: in effect in the
running server, the same verdicts and errors as Rasa's own validation, and
nothing patched on another Rasa version (where the server refuses to start)."""
from __future__ import annotations

import asyncio
import copy
import datetime
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


def every_kind_of_event() -> list[dict]:
    """One event of each type Rasa knows, as an action server would send it, and broken variants of each."""
    from rasa.shared.core import events as rasa_events

    made = [
        rasa_events.UserUttered("mój telefon 500 000 000", {"name": "inform", "confidence": 0.9},
                                [{"entity": "phone", "value": "500000000", "start": 10, "end": 21}]),
        rasa_events.BotUttered("Wysłaliśmy kod.", {"buttons": []}, {"utter_action": "utter_x"}),
        rasa_events.SlotSet("phone", "+48500000000"), rasa_events.SlotSet("step", None),
        rasa_events.ActionExecuted("action_listen"), rasa_events.ActionExecuted("action_turn", policy="RulePolicy",
                                                                                 confidence=1.0),
        rasa_events.EntitiesAdded([{"entity": "email", "value": "a@b.pl"}]),
        rasa_events.DefinePrevUserUtteredFeaturization(False), rasa_events.ReminderCancelled("r"),
        rasa_events.ReminderScheduled("EXTERNAL_x", datetime.datetime(2026, 12, 4)),
        rasa_events.ActionExecutionRejected("action_turn"), rasa_events.LoopInterrupted(True),
        rasa_events.ActiveLoop("form"), rasa_events.ActiveLoop(None), rasa_events.AllSlotsReset(),
        rasa_events.ConversationResumed(), rasa_events.ConversationPaused(), rasa_events.FollowupAction("action_turn"),
        rasa_events.StoryExported(), rasa_events.Restarted(), rasa_events.UserUtteranceReverted(),
        rasa_events.ActionReverted(), rasa_events.SessionStarted(), rasa_events.AgentUttered("text", {}),
    ]
    valid = [event.as_dict() for event in made] + [{"event": "form", "name": "form"}]
    broken = []
    for event in valid:
        for key, value in event.items():
            if key != "event":
                broken += [{**event, key: wrong} for wrong in (12, "x", [1], {"a": 1}, True)
                           if type(wrong) is not type(value)]
        broken += [{**event, "event": other} for other in ("user", "slot", "bot", "nope", 5)]
        broken.append({key: value for key, value in event.items() if key != "event"})
    return valid + broken


def test_checking_each_event_against_its_own_type_gives_the_schemas_verdict():
    schema = RemoteAction.action_response_format_spec()
    as_written = jsonschema.validators.validator_for(schema)(schema)
    dispatching = action_validation.compiled_validator(RemoteAction)
    assert isinstance(dispatching, action_validation.DispatchingValidator)
    events = every_kind_of_event()
    verdicts = {True: 0, False: 0}
    for event in events:
        for result in ({"events": [event]}, {"events": [{"event": "action", "name": "action_listen"}, event]},
                       {"events": [event], "responses": "x"}):
            verdict = as_written.is_valid(result)
            assert dispatching.is_valid(result) is verdict, result
            verdicts[verdict] += 1
    assert verdicts[True] > 25 and verdicts[False] > 100  # both verdicts well covered
    for result in VALID + INVALID:
        assert dispatching.is_valid(copy.deepcopy(result)) is as_written.is_valid(result)


def test_a_schema_of_another_shape_is_checked_as_written():
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    items = schema["properties"]["events"]["items"]
    items["oneOf"][1]["properties"]["event"] = {"const": "user"}  # two branches for one type: dispatch would differ
    assert action_validation.dispatching_validator(schema, jsonschema.Draft7Validator) is None
    items["required"] = []
    assert action_validation.dispatching_validator(schema, jsonschema.Draft7Validator) is None
