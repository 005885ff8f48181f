"""Issue 18 #5 and #7 on the engine: an English conversation asks the backend for English (the SMS,
the e-mail change's mails, the documents list) and marks its case English; one case per
conversation; the number the customer gave reaches the case in full for a call-back."""
from __future__ import annotations

from tests.engine.conftest import Chat

PHONE = "+48601234567"


async def test_an_english_documents_customer_gets_the_english_list_and_an_english_case(chat: Chat, backend):
    await chat.say("I don't have the phone from the panel any more, it's my private account", "no_phone_access")
    listed = next(reply.text for reply in chat.replies if reply.key == "documents_list")
    assert "a scan of the ID card" in listed and "dowodu" not in listed
    await chat.say("anna.smith@example.com", "inform_email")
    assert backend.cases[-1].language == "en" and backend.cases[-1].path == "documents"


async def test_an_english_dead_mailbox_customer_gets_the_sms_and_the_mails_in_english(chat: Chat, backend):
    await chat.say("my mailbox is dead, the phone in the panel is 601 234 567", "email_not_working")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    await chat.say("please use anna.new@example.com", "inform_email")
    assert backend.changes == ["anna.new@example.com"] and backend.languages == ["en", "en"]


async def test_polish_stays_the_default(chat: Chat, backend):
    await chat.say("nie działa mi poczta, telefon 601 234 567", "email_not_working")
    assert backend.languages == ["pl"]


async def test_a_second_request_in_one_conversation_updates_the_one_case(chat: Chat, backend):
    await chat.say("nie mam już telefonu z panelu, konto prywatne", "no_phone_access")
    await chat.say("jan@example.pl", "inform_email")
    first = chat.state.case_number
    await chat.say("jednak wolę porozmawiać z pracownikiem", "request_human")
    assert len(backend.cases) == 2 and chat.state.case_number == first
    assert {case.conversation_id for case in backend.cases} == {"conv-1"}


async def test_the_number_given_for_a_call_back_reaches_the_case_in_full(chat: Chat, backend):
    await chat.say("chce rozmawiac z konsultantem", "request_human")
    await chat.say("prosze o telefon na 601 234 567, mail ala@example.pl", "inform_email")
    assert backend.cases[0].callback_phone == PHONE
    assert backend.cases[0].phones_tried == ["+48 *** *** 567"], "the summary and the list stay masked"
    assert "601" not in backend.cases[0].summary
