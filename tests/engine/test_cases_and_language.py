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


async def dead_mailbox_proven(chat: Chat, backend) -> None:
    await chat.say("skrzynka z konta nie dziala, tel 601 234 567", "email_not_working")
    await chat.say(backend.latest_code(PHONE), "inform_code")


async def test_a_likely_typo_is_asked_about_and_yes_takes_the_suggestion(chat: Chat, backend):
    await dead_mailbox_proven(chat, backend)
    assert await chat.say("jacek.baran@gmial.com", "inform_email") == ["email_typo"]
    assert "jacek.baran@gmail.com" in chat.replies[0].text and not backend.changes
    assert [button["payload"] for button in chat.replies[0].buttons] == ["1", "2"]
    assert await chat.say("tak", "affirm") == ["email_change_sent"]
    assert backend.changes == ["jacek.baran@gmail.com"]


async def test_no_keeps_the_address_as_typed_and_an_invalid_one_is_asked_about_too(chat: Chat, backend):
    await dead_mailbox_proven(chat, backend)
    assert await chat.say("jan@wp.p", "inform_email") == ["email_typo"]
    assert await chat.say("nie", "deny") == ["ask_new_email"] and not backend.changes
    assert await chat.say("jan@gmial.com", "inform_email") == ["email_typo"]
    await chat.say("nie", "deny")
    assert backend.changes == ["jan@gmial.com"]


async def test_the_corrected_address_typed_at_the_question_is_the_one_used(chat: Chat, backend):
    await dead_mailbox_proven(chat, backend)
    await chat.say("nowy: jan.nowak@gmial.com", "inform_email")
    await chat.say("o kurcze literowka, ma byc jan.nowak@gmail.com", "inform_email")
    assert backend.changes == ["jan.nowak@gmail.com"]


async def test_a_correction_after_sending_replaces_the_address(chat: Chat, backend):
    await dead_mailbox_proven(chat, backend)
    await chat.say("jacek.baran@gmial.com", "inform_email")
    await chat.say("nie", "deny")
    said = await chat.say("przepraszam, pomyłka, miało być jacek.baran@gmail.com", "inform_email")
    assert said == ["email_change_corrected"] and backend.changes == ["jacek.baran@gmial.com", "jacek.baran@gmail.com"]


async def test_the_dead_domain_is_refused_as_the_new_address(chat: Chat, backend):
    await dead_mailbox_proven(chat, backend)
    said = await chat.say("jan.nowy@example.pl", "inform_email")
    assert said == ["dead_domain"] and not backend.changes and chat.state.step == "new_email"
    await chat.say("jan.nowy@onet.pl", "inform_email")
    assert backend.changes == ["jan.nowy@onet.pl"]


async def test_a_contact_address_typo_is_asked_about_before_the_case(chat: Chat, backend):
    await chat.say("chce rozmawiac z konsultantem", "request_human")
    assert await chat.say("ala@onet.pll", "inform_email") == ["email_typo"] and not backend.cases
    await chat.say("tak", "affirm")
    assert backend.cases[0].contact_email == "ala@onet.pl"


async def test_the_case_keeps_the_customers_real_questions_not_a_halo(chat: Chat, backend):
    await chat.say("chce rozmawiac z konsultantem", "request_human")
    await chat.say("czy moge przeslac zdjecie zamiast skanu?", None)
    await chat.say("halo?", None)
    await chat.say("a czy to cos kosztuje?", None)
    await chat.say("halo?", None)
    await chat.say("ala@example.pl", "inform_email")
    assert backend.cases[0].open_question == "czy moge przeslac zdjecie zamiast skanu? | a czy to cos kosztuje?"


async def test_a_person_asked_for_without_the_phone_is_filed_as_a_documents_case(chat: Chat, backend):
    await chat.say("chce rozmawiac z konsultantem", "request_human")
    await chat.say("telefonu z panelu już nie mam, mail ala@example.pl", "inform_email")
    assert backend.cases[-1].path == "documents"
    assert "prośba o pracownika" not in backend.cases[-1].summary


async def test_what_is_wrong_with_a_phone_number_is_said_in_english_too(chat: Chat):
    await chat.say("my mailbox is dead and I can't log in", "email_not_working")
    await chat.say("my number is 601 23", "inform_phone")
    said = " ".join(reply.text for reply in chat.replies)
    assert "may only hold digits" in said and not any(letter in said for letter in "ąćęłńóśźż")
