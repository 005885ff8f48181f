"""The funnel's stages from whole turns on the engine (the company's procedure files, a fake backend,
a pinned clock), as action_turn counts them; and the counters they move."""
from __future__ import annotations

import copy

import pytest
from prometheus_client import REGISTRY

from actions.dialogue.state import State
from actions.engine.funnel import Funnel, previous_session
from actions.engine.procedure import ProcedureError
from actions.engine.validation import checked
from tests.engine.conftest import Chat

PHONE = "+48601234567"


class FunnelChat(Chat):
    def __init__(self, backend, channel: str = "rest"):
        super().__init__(backend)
        self.channel, self.stages, self.times = channel, [], []

    async def say(self, text: str, intent: str | None = None, confidence: float = 0.95,
                  previous: dict | None = None) -> list[str]:
        before = copy.deepcopy(self.state)
        said = await super().say(text, intent, confidence)
        funnel = Funnel(checked(), self.channel)
        funnel.turn(before, self.state, self.turn.ctx.milestones, self.outcomes[-1], self.backend.clock(),
                    previous_session=previous)
        self.stages += funnel.stages
        self.times += funnel.time_to_goal
        funnel.count()
        return said


@pytest.fixture
def fchat(backend) -> FunnelChat:
    return FunnelChat(backend)


def stages(chat: FunnelChat) -> list[tuple[str, str]]:
    return [stage for stage in chat.stages if stage[0] != "turn"]


async def test_a_dead_mailbox_goes_down_the_funnel_once_per_stage(fchat: FunnelChat, backend, clock):
    await fchat.say("skrzynka z konta nie dziala, domena wygasla. tel 601 234 567", "email_not_working")
    clock.now += 90
    await fchat.say(backend.latest_code(PHONE), "inform_code")
    clock.now += 60
    await fchat.say("jan.nowy@gmail.com", "inform_email")
    await fchat.say("dzieki", "thank")
    assert stages(fchat) == [("started", "none"), ("path_chosen", "dead_email"), ("proof_started", "dead_email"),
                             ("proof_passed", "dead_email"), ("goal", "dead_email")]
    assert fchat.times == [("dead_email", 150.0)]
    assert [stage for stage in fchat.stages if stage[0] == "turn"] == [("turn", "dead_email")] * 4


async def test_proof_started_counts_the_attempt_alike_for_an_unregistered_number(backend):
    found = []
    for number in ("601 234 567", "609 999 888"):         # registered, unregistered
        chat = FunnelChat(backend)
        await chat.say(f"nie dziala mi poczta, tel {number}", "email_not_working")
        await chat.say("999111", "inform_code")          # a wrong code: no proof either way
        found.append(stages(chat))
    assert found[0] == found[1] == [("started", "none"), ("path_chosen", "dead_email"),
                                    ("proof_started", "dead_email")]


async def test_a_landline_s_call_goes_down_the_funnel_as_an_sms_does(backend, fchat: FunnelChat):
    backend.accounts["+48227314015"] = "biuro@kancelaria.pl"
    await fchat.say("poczta nie dziala, w panelu stacjonarny 22 731 40 15", "email_not_working")
    await fchat.say(backend.latest_code("+48227314015"), "inform_code")
    assert stages(fchat) == [("started", "none"), ("path_chosen", "dead_email"), ("proof_started", "dead_email"),
                             ("proof_passed", "dead_email")]


async def test_documents_goal_is_a_handover_too_and_a_fallback_is_counted(fchat: FunnelChat):
    await fchat.say("qwerty asdf", None, 0.1)
    await fchat.say("nie mam juz tego telefonu", "no_phone_access")
    await fchat.say("osoba prywatna", "account_private")
    await fchat.say("kontakt: jan@example.pl", "inform_email")
    found = stages(fchat)
    assert found[:2] == [("started", "none"), ("fallback", "none")]
    assert ("goal", "documents") in found and ("handover", "documents") in found
    assert ("proof_started", "documents") not in found


async def test_the_counters_move_by_path_and_channel(backend, fchat: FunnelChat):
    fchat.channel = "telegram"

    def value(name: str, **labels) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0
    before = (value("assistant_conversations_started_total", channel="telegram"),
              value("assistant_proofs_started_total", path="dead_email", channel="telegram"),
              value("assistant_time_to_goal_seconds_count", path="dead_email", channel="telegram"))
    await fchat.say("skrzynka nie dziala, tel 601 234 567", "email_not_working")
    await fchat.say(backend.latest_code(PHONE), "inform_code")
    await fchat.say("jan.nowy@gmail.com", "inform_email")
    after = (value("assistant_conversations_started_total", channel="telegram"),
             value("assistant_proofs_started_total", path="dead_email", channel="telegram"),
             value("assistant_time_to_goal_seconds_count", path="dead_email", channel="telegram"))
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]


def test_a_new_session_after_a_path_without_its_goal_is_an_abandonment():
    on_path = State(path="dead_email", funnel=["dead_email:path_chosen"]).to_slot()
    reached = State(path="password", funnel=["password:path_chosen", "password:goal"]).to_slot()
    events = [{"event": "session_started"}, {"event": "slot", "name": "recovery", "value": on_path},
              {"event": "session_started"}, {"event": "user", "text": "hej"}]
    assert previous_session(events) == on_path
    funnel = Funnel(checked(), "rest").turn(State(), State(), [], "progress", 0.0, previous_session=on_path)
    assert ("abandoned", "dead_email") in funnel.stages
    funnel = Funnel(checked(), "rest").turn(State(), State(), [], "progress", 0.0, previous_session=reached)
    assert not [stage for stage in funnel.stages if stage[0] == "abandoned"]
    assert previous_session(events[:2]) is None


def test_every_path_marks_its_goal_and_only_known_milestones(procedure_copy):
    password = procedure_copy / "password.yml"
    password.write_text(password.read_text().replace("      milestone: goal\n", ""))
    with pytest.raises(ProcedureError, match="path `password` marks no `milestone: goal`"):
        checked(procedure_copy)
    password.write_text(password.read_text().replace("    - say: password_steps\n",
                                                     "    - say: password_steps\n      milestone: finished\n"))
    with pytest.raises(ProcedureError, match="milestone `finished` is not one of"):
        checked(procedure_copy)
