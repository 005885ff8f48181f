"""Issue 20 #1, the whole stack in the browser: a customer asks for a person in office hours on the
web chat, the fake Chatwoot receives the facts and the redacted transcript, the agent's reply (through
Chatwoot's signed webhook) appears in the customer's browser, the agent resolves it and the assistant
answers the next message; outside office hours the same request gives a case."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from devstack import Stack, free_port
from tests.browser.conftest import help_page_server
from tests.browser.test_web_chat import bot_says, type_message
from tests.channels.chatwoot import OFFICE_CLOSED, OFFICE_OPEN, FakeChatwoot, chatwoot_env


@pytest.fixture(scope="module")
def chat_with_inbox(tmp_path_factory):
    chatwoot, rasa_port = FakeChatwoot(), free_port()
    stack = Stack(tmp_path_factory.mktemp("handover-web"), recovery_now=OFFICE_OPEN, rasa_port=rasa_port,
                  extra_env=chatwoot_env(chatwoot, rasa_port))
    chatwoot.webhook_url = f"{stack.backend_url}/chatwoot/webhook"
    try:
        stack.start_all()
        with help_page_server(stack.web_port, stack.rasa_url) as url:
            yield stack, chatwoot, url
    finally:
        stack.stop()
        chatwoot.close()


def open_chat(browser, url):
    page = browser.new_page()
    page.goto(url)
    expect(page.get_by_role("status")).to_have_text("Połączono", timeout=15_000)
    return page


def test_a_person_answers_in_the_browser_then_the_assistant_again(chat_with_inbox, browser):
    stack, chatwoot, url = chat_with_inbox
    page = open_chat(browser, url)
    type_message(page, "nie działa mi poczta, numer w panelu 691 777 888")
    bot_says(page, "*** *** 888")
    type_message(page, "chcę rozmawiać z człowiekiem")
    bot_says(page, "odpisuje tu człowiek")
    conversation = next(c for c in chatwoot.conversations.values()
                        if c["custom_attributes"].get("assistant_conversation", "").startswith("sio:"))
    note = chatwoot.messages_of(conversation["id"], private=True)[0]["content"]
    assert "człowiekiem" in note and "*** *** 888" in note
    assert "691 777 888" not in note and stack.latest_code("+48691777888") not in note

    bot_lines = page.locator(".msg.bot").count()
    type_message(page, "dziękuję, czekam")
    expect(page.locator(".msg.user").filter(has_text="czekam")).to_be_visible()
    deadline = time.time() + 10
    while not [m for m in chatwoot.messages_of(conversation["id"]) if m["message_type"] == "incoming"] \
            and time.time() < deadline:
        time.sleep(0.1)
    assert [m["content"] for m in chatwoot.messages_of(conversation["id"]) if m["message_type"] == "incoming"] \
        == ["dziękuję, czekam"]
    assert page.locator(".msg.bot").count() == bot_lines, "the assistant said nothing"

    assert chatwoot.agent_reply(conversation["id"], "Dzień dobry, tu Anna. Zmienię adres ręcznie.") == 200
    bot_says(page, "Anna (konsultant Kylos): Dzień dobry, tu Anna. Zmienię adres ręcznie.")
    assert chatwoot.resolve(conversation["id"]) == 200
    bot_says(page, "Dalej odpowiada tu asystent")
    type_message(page, "a jakie są godziny pracy?")
    bot_says(page, "9")   # the assistant's answer with the office hours
    assert len([m for m in chatwoot.messages_of(conversation["id"]) if m["message_type"] == "incoming"]) == 1, \
        "nothing relayed after the resolution"
    page.close()


def test_outside_office_hours_the_same_request_gives_a_case(chat_with_inbox, browser):
    stack, chatwoot, url = chat_with_inbox
    stack.restart_backend(recovery_now=OFFICE_CLOSED)
    try:
        page = open_chat(browser, url)
        type_message(page, "chcę rozmawiać z człowiekiem, mój e-mail to jan.kontakt@example.pl")
        bot_says(page, "ODZ-")
        case = [c for c in stack.cases() if c["reason"] == "human_handoff"][-1]
        assert case["conversation_id"].startswith("sio:") and case["transcript"]
        assert case["inbox_reference"], "the case is a Chatwoot conversation where staff work"
        assert chatwoot.conversations[int(case["inbox_reference"])]["custom_attributes"]["live"] is False
        page.close()
    finally:
        stack.restart_backend(recovery_now=OFFICE_OPEN)
