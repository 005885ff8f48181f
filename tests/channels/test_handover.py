"""Issue 20 #1 on Telegram and Slack, whole stack: a customer asks for a person in office hours, the
fake Chatwoot gets the facts and the redacted transcript, the customer's messages reach the agent and
the assistant stays silent, the agent's replies (through Chatwoot's signed webhook) reach the customer
on their channel, and after the agent resolves the conversation the assistant answers again."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from devstack import Stack, free_port
from tests.channels.chatwoot import OFFICE_OPEN, FakeChatwoot, chatwoot_env
from tests.channels.fake_slack import FakeSlackApi
from tests.channels.fake_telegram import FakeBotApi
from tests.channels.test_slack import DM, event, posted_text, send, wait_for
from tests.channels.test_slack import SECRET as SLACK_SECRET
from tests.channels.test_slack import TOKEN as SLACK_TOKEN
from tests.channels.test_telegram import SECRET as TELEGRAM_SECRET
from tests.channels.test_telegram import TOKEN as TELEGRAM_TOKEN
from tests.channels.test_telegram import message, post

HAND_DM = "D0HAND"   # the direct channel Slack's conversations.open gives for U0HAND (the fake: "D" + id)


@pytest.fixture(scope="module")
def handover(tmp_path_factory):
    chatwoot, bot_api, slack_api = FakeChatwoot(), FakeBotApi(TELEGRAM_TOKEN), FakeSlackApi(SLACK_TOKEN, {DM, HAND_DM})
    rasa_port = free_port()
    stack = Stack(tmp_path_factory.mktemp("handover"), recovery_now=OFFICE_OPEN, rasa_port=rasa_port, extra_env={
        **chatwoot_env(chatwoot, rasa_port),
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": bot_api.url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_BASE": slack_api.url})
    chatwoot.webhook_url = f"{stack.backend_url}/chatwoot/webhook"
    try:
        stack.start_all()
        yield stack, chatwoot, bot_api, slack_api
    finally:
        stack.stop()
        chatwoot.close()
        bot_api.stop()
        slack_api.stop()


def texts(bot_api, chat) -> list[str]:
    return [m.get("text", "") for m in bot_api.messages(chat)]


def test_telegram_customer_talks_to_an_agent_and_back_to_the_assistant(handover):
    stack, chatwoot, bot_api, _ = handover
    assert post(stack, message(701, text="nie działa mi poczta, mój numer 601 234 567")) == 200
    assert post(stack, message(701, text="chcę rozmawiać z człowiekiem")) == 200
    conversation = chatwoot.conversation_for("tg:701")
    note = chatwoot.messages_of(conversation["id"], private=True)[0]["content"]
    assert "tg:701" in note and "człowiekiem" in note and "601 234 567" not in note
    told = len(texts(bot_api, 701))

    assert post(stack, message(701, text="halo, czy ktoś tu jest?")) == 200
    assert texts(bot_api, 701)[told:] == [], "the assistant is silent while a person has it"
    relayed = chatwoot.messages_of(conversation["id"], private=False)
    assert [m["content"] for m in relayed] == ["halo, czy ktoś tu jest?"] and relayed[0]["message_type"] == "incoming"

    assert chatwoot.agent_reply(conversation["id"], "Dzień dobry, tu Anna z obsługi.") == 200
    assert wait_for(lambda: any("Dzień dobry, tu Anna z obsługi." in t for t in texts(bot_api, 701)))
    assert any(t.startswith("Anna") for t in texts(bot_api, 701)), "the customer is told who writes"

    assert chatwoot.resolve(conversation["id"]) == 200
    assert wait_for(lambda: len(texts(bot_api, 701)) >= told + 2)
    before = len(texts(bot_api, 701))
    assert post(stack, message(701, text="nie pamiętam hasła")) == 200
    assert texts(bot_api, 701)[before:], "the assistant answers the next message"
    incoming = [m for m in chatwoot.messages_of(conversation["id"]) if m["message_type"] == "incoming"]
    assert len(incoming) == 1, "nothing relayed after the resolution"
    tracker = stack.tracker("tg:701")
    agent_lines = [e for e in tracker["events"] if e["event"] == "bot" and (e.get("metadata") or {}).get("agent")]
    assert agent_lines, "the agent's reply is in the stored conversation"


def test_slack_customer_gets_the_agents_reply_in_the_direct_message(handover):
    stack, chatwoot, _, slack_api = handover
    assert send(stack, event("potrzebuję konsultanta, proszę o kontakt z człowiekiem", user="U0HAND",
                             channel=HAND_DM)) == 200
    assert wait_for(lambda: any(c["custom_attributes"].get("assistant_conversation") == "slack:T1:U0HAND"
                                for c in chatwoot.conversations.values()))
    conversation = chatwoot.conversation_for("slack:T1:U0HAND")
    assert wait_for(lambda: slack_api.to(HAND_DM))
    told = len(slack_api.to(HAND_DM))
    assert chatwoot.agent_reply(conversation["id"], "Tu Piotr, pomogę.", agent="Piotr") == 200
    assert wait_for(lambda: "Tu Piotr, pomogę." in posted_text(slack_api.to(HAND_DM)[told:]))


def test_pushes_need_the_token(handover):
    stack, *_ = handover
    body = json.dumps({"conversation_id": "tg:701", "text": "podszywam się", "speaker": "agent"}).encode()
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/handover/push", data=body,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer wrong"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404


def test_nobody_picks_up_so_the_customer_is_offered_a_case(handover):
    stack, chatwoot, bot_api, _ = handover
    assert post(stack, message(703, text="proszę o kontakt z konsultantem")) == 200
    conversation = chatwoot.conversation_for("tg:703")
    told = len(texts(bot_api, 703))
    # The backend's clock moves past the pickup time (HANDOVER_PICKUP_SECONDS, 300 s) with no reply.
    stack.restart_backend(recovery_now="2026-11-30T11:10:00+01:00")
    try:
        assert wait_for(lambda: len(texts(bot_api, 703)) > told), "the customer hears nobody picked up"
        assert any("Klient nie doczekał" in m["content"] for m in chatwoot.messages_of(conversation["id"], private=True))
        assert post(stack, message(703, text="jan.czeka@example.pl")) == 200
        case = [c for c in stack.cases() if c["conversation_id"] == "tg:703"]
        assert case and case[0]["reason"] == "human_handoff" and case[0]["contact_email"] == "jan.czeka@example.pl"
        assert any(case[0]["case_number"] in t for t in texts(bot_api, 703))
    finally:
        stack.restart_backend(recovery_now=OFFICE_OPEN)
