"""Whole turns on the engine — the company's procedure files, a fake backend, a pinned clock — in
milliseconds: the paths that prove the phone, limits as data, facts kept at every step, and one
reply per turn with its one question last."""
from __future__ import annotations

from actions.dialogue import texts
from actions.engine.validation import checked
from tests.engine.conftest import Chat, Engine

PHONE = "+48601234567"


async def test_dead_mailbox_in_three_messages(chat: Chat, backend):
    said = await chat.say("skrzynka z konta nie dziala, domena wygasla. tel 601 234 567", "email_not_working")
    assert said == ["dead_email_intro", "code_sent"] and chat.state.path == "dead_email"
    said = await chat.say(backend.latest_code(PHONE), "inform_code")
    assert said == ["phone_confirmed", "ask_new_email"] and chat.state.proven
    said = await chat.say("jan.nowy@gmail.com", "inform_email")
    assert said == ["email_change_sent"] and backend.changes == ["jan.nowy@gmail.com"]
    assert chat.state.finished == "dead_email" and chat.outcomes == ["progress"] * 3


async def test_no_login_asks_for_the_phone_then_shows_the_login_and_sends_the_reset(chat: Chat, backend):
    assert await chat.say("nie pamietam ani maila ani hasla", "no_login_data") == ["no_login_intro", "ask_has_phone"]
    assert await chat.say("tak, 601 234 567", "affirm") == ["code_sent"]
    assert await chat.say(backend.latest_code(PHONE), "inform_code") == ["phone_confirmed", "hint", "offer_reset"]
    assert await chat.say("tak", "affirm") == ["reset_sent"]
    assert backend.resets == ["jan.kowalski@example.pl"] and chat.state.finished == "no_login"


async def test_an_unregistered_number_gets_the_same_answers_and_no_proof(chat: Chat, backend):
    await chat.say("nie dziala mi poczta, tel 609 999 888", "email_not_working")
    said = await chat.say(backend.latest_code("+48609999888"), "inform_code")
    assert said == ["code_wrong"] and not chat.state.proven


async def test_three_wrong_codes_offer_the_other_ways_and_a_typo_is_no_try(chat: Chat, backend):
    await chat.say("nie dziala mi poczta, tel 601 234 567", "email_not_working")
    assert await chat.say("12345", "inform_code") == ["code_typo"]
    assert [await chat.say(code, "inform_code") for code in ("999991", "999992", "999993")] == [
        ["code_wrong"], ["code_wrong_last"], ["alternatives"]]
    assert chat.state.failure == "wrong_codes"
    said = await chat.say(backend.latest_code(PHONE), "inform_code")
    assert said == ["phone_confirmed", "ask_new_email"], "the right code typed later still counts"


async def test_a_limit_changed_in_a_copy_of_the_procedure_is_followed(procedure_copy, backend):
    prove = procedure_copy / "prove_phone.yml"
    prove.write_text(prove.read_text().replace("    code_tries: 3 ", "    code_tries: 2 "))
    chat = Chat(backend, checked(procedure_copy))
    await chat.say("nie dziala mi poczta, tel 601 234 567", "email_not_working")
    assert [await chat.say(code, "inform_code") for code in ("999991", "999992")] == [["code_wrong"],
                                                                                      ["alternatives"]]


async def test_the_proof_lasts_its_limit_then_a_new_code_goes(chat: Chat, backend, clock):
    await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    clock.now += 16 * 60
    said = await chat.say("jednak skrzynka nie dziala", "email_not_working")
    assert "proof_expired" in said and said[-1] == "code_sent" and not chat.state.proven


async def test_a_switch_keeps_the_proof_and_says_what_happens_now(chat: Chat, backend):
    await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    said = await chat.say("ta skrzynka juz nie dziala", "email_not_working")
    assert said == ["dead_email_proven_intro", "ask_new_email"] and len(backend.codes) == 1


async def test_change_to_an_address_after_the_hint_is_a_new_login_address(chat: Chat, backend):
    await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    said = await chat.say("ta skrzynka nie dziala, zmien na jan.nowy@gmail.com", "inform_email")
    assert backend.changes == ["jan.nowy@gmail.com"] and said[-1] == "email_change_sent"
    assert "email_check_no" not in said and chat.state.path == "dead_email"


async def test_a_number_given_on_the_documents_path_is_kept(chat: Chat, backend):
    await chat.say("nie mam telefonu z panelu, konto prywatne", "no_phone_access")
    said = await chat.say("na jaki numer wyslaliscie kod? moj to 601 234 567", "ask_which_number")
    assert "no_code_yet" not in said and "code_not_sent_have_number" in said
    assert chat.state.private.phone == PHONE


async def test_the_account_type_corrected_or_stated_on_the_documents_path_lists_its_documents(chat: Chat):
    await chat.say("nie mam telefonu z panelu, konto prywatne", "no_phone_access")
    said = await chat.say("przepraszam, to jednak konto firmowe", "account_company")
    assert said == ["documents_list", "ask_contact_email"] and chat.state.account_type == "company"
    assert texts.say("kind_company", "pl") in chat.replies[0].text
    said = await chat.say("firma Kowalski sp. z o.o., NIP 5260250274", "account_company")
    assert said == ["documents_list", "ask_contact_email"]


async def test_a_code_that_arrives_after_all_is_used_and_nothing_contradicts_it(chat: Chat, backend):
    await chat.say("nie dziala mi poczta, tel 601 234 567", "email_not_working")
    said = await chat.say(f"kod nie przyszedl... a nie, jest: {backend.latest_code(PHONE)}", "code_not_received")
    assert "phone_confirmed" in said and not {"code_not_received_wait", "code_not_received_now"} & set(said)


async def test_every_reply_ends_with_its_one_question(chat: Chat, backend):
    for text, intent in [("dzien dobry", "greet"), ("nie dziala mi poczta", "email_not_working"),
                         ("a ile to potrwa?", "ask_duration"), ("601 234 567", "inform_phone"),
                         ("dziekuje", "thank"), (backend.latest_code(PHONE) if backend.codes else "000000", "inform_code")]:
        await chat.say(text, intent)
        assert len(chat.questions) <= 1 and (not chat.questions or chat.replies[-1].question), chat.replies
        assert chat.replies, "never empty"


async def test_a_refused_resend_says_the_seconds_and_waits_for_the_code(chat: Chat, backend, clock):
    await chat.say("nie dziala mi poczta, tel 601 234 567", "email_not_working")
    clock.now += 20
    said = await chat.say("wyslij nowy kod", "resend_code")
    assert said == ["resend_wait", "ask_code"] and len(backend.codes) == 1
    clock.now += 45
    assert await chat.say("wyslij nowy kod", "resend_code") == ["code_sent"] and len(backend.codes) == 2


async def test_an_address_given_with_the_dead_mailbox_problem_is_used_after_the_code(chat: Chat, backend):
    await chat.say("chce zmienic maila w panelu na jan.nowy@gmail.com bo stara domena wygasla, tel 601 234 567",
                   "email_not_working")
    said = await chat.say(backend.latest_code(PHONE), "inform_code")
    assert said == ["phone_confirmed", "email_change_sent"] and backend.changes == ["jan.nowy@gmail.com"]


async def test_a_number_in_the_message_outranks_words_read_as_no_phone(chat: Chat, backend):
    said = await chat.say("wygasla mi domena i nie mam maila do panelu, numer 601234567", "email_not_working")
    assert said[-1] == "code_sent" and chat.state.has_phone is True


async def test_i_still_have_the_phone_is_not_asked_again(chat: Chat):
    said = await chat.say("nie pamietam ani maila ani hasla, telefon mam ten sam", "no_login_data")
    assert said == ["no_login_intro", "ask_phone"]


async def test_what_next_after_the_login_was_shown_and_closing_words_after_the_goal(chat: Chat, backend):
    await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    assert (await chat.say("co mam teraz zrobic z haslem?", "ask_next_steps"))[0] == "next_no_login_shown"
    await chat.say("nie", "deny")
    assert await chat.say("no wreszcie", "nlu_fallback", 0.3) == ["anything_else"] and chat.outcomes[-1] == "answered"


async def test_a_person_asked_for_out_of_hours_hears_when_someone_will_look(chat: Chat, backend):
    backend.now = backend.now.replace(hour=21)
    said = await chat.say("chce rozmawiac z czlowiekiem", "request_human")
    assert said == ["handoff_office_closed", "ask_contact_email"] and "17:00" in chat.replies[0].text


async def test_a_person_asked_for_in_office_hours_may_call_or_leave_only_the_contact(chat: Chat):
    assert await chat.say("konsultant prosze", "request_human") == ["handoff_call_us", "ask_contact_email"]


async def test_an_english_conversation_stays_english_until_the_customer_writes_polish(chat: Chat):
    await chat.say("hello, my mailbox is dead and I can't log in to the client panel", "email_not_working")
    await chat.say("oh wait, I had a different SIM back then. try 601 234 567", "inform_phone")
    assert chat.state.language == "en"
    await chat.say("nie dostałem kodu", "code_not_received")
    assert chat.state.language == "pl"


async def test_a_number_given_at_the_hand_over_step_goes_into_the_case(chat: Chat, backend):
    await chat.say("chce rozmawiac z konsultantem", "request_human")
    await chat.say("moj numer to 601 234 567, a mail ala@example.pl", "inform_email")
    assert backend.cases[0].phones_tried == ["+48 *** *** 567"] and backend.cases[0].contact_email == "ala@example.pl"
    assert not backend.codes, "no code unasked for"


async def test_english_answers_give_the_office_hours_in_english(chat: Chat, backend):
    backend.now = backend.now.replace(hour=21)
    await chat.say("I want to talk to a person please", "request_human")
    assert "Monday to Friday, 9:00–17:00" in chat.replies[0].text and "poniedziałku" not in chat.replies[0].text


# The voice step (issue 21): a landline proves itself by a call that reads the code.
LANDLINE = "+48227314015"


async def test_an_office_landline_gets_a_call_and_its_code_changes_the_address(chat: Chat, backend):
    backend.accounts[LANDLINE] = "sekretariat@kancelaria.pl"
    said = await chat.say("domena kancelarii wygasla, poczta nie dziala", "email_not_working")
    assert said == ["dead_email_intro", "ask_phone"]
    said = await chat.say("w panelu jest numer stacjonarny 22 731 40 15", "inform_phone")
    assert said == ["code_called"] and backend.deliveries() == [(LANDLINE, "call")]
    assert "stacjonarny" in chat.replies[0].text and {b["payload"] for b in chat.replies[0].buttons} == {
        "/call_missed", "/use_sms"}
    assert await chat.say(backend.latest_code(LANDLINE), "inform_code") == ["phone_confirmed", "ask_new_email"]
    assert await chat.say("ewa.mazur@gmail.com", "inform_email") == ["email_change_sent"]
    assert backend.changes == ["ewa.mazur@gmail.com"] and chat.state.failure is None


async def test_an_english_call_is_read_in_english(chat: Chat, backend):
    await chat.say("hello, our company mailbox is dead, the panel has our office landline +48 22 731 40 15",
                   "email_not_working")
    assert backend.codes["v1"]["delivery"] == "call" and backend.codes["v1"]["language"] == "en"
    assert "landline" in chat.replies[-1].text


async def test_an_unregistered_landline_gets_the_same_answers(chat: Chat, backend):
    backend.accounts[LANDLINE] = "sekretariat@kancelaria.pl"
    other = Chat(backend)
    said_registered = await chat.say("poczta nie dziala, tel stacjonarny 22 731 40 15", "email_not_working")
    said_unregistered = await other.say("poczta nie dziala, tel stacjonarny 22 731 40 99", "email_not_working")
    assert said_registered == said_unregistered == ["dead_email_intro", "code_called"]
    strip = lambda replies: [r.text.replace("015", "").replace("099", "") for r in replies]   # noqa: E731
    assert strip(chat.replies) == strip(other.replies)


async def test_a_missed_call_says_the_provider_s_status_and_calls_again_after_the_wait(chat: Chat, backend, clock):
    backend.accounts[LANDLINE] = "sekretariat@kancelaria.pl"
    backend.call_outcome = "no_answer"
    await chat.say("poczta nie dziala, tel stacjonarny 22 731 40 15", "email_not_working")
    said = await chat.say("nie odebralem", "call_missed")
    assert said == ["call_not_through"] and chat.state.step == "recall"
    assert chat.outcomes[-1] == "answered"
    said = await chat.say("tak", "affirm")
    assert said == ["resend_wait", "ask_code"] and len(backend.codes) == 1, "the backend's wait between codes"
    clock.now += 61
    said = await chat.say("zadzwoncie jeszcze raz", "request_call")
    assert said == ["code_called"] and backend.deliveries() == [(LANDLINE, "call")] * 2
    assert await chat.say(backend.latest_code(LANDLINE), "inform_code") == ["phone_confirmed", "ask_new_email"]


async def test_a_finished_call_is_said_alike_whatever_its_status_and_no_more_calls_asks_the_code(chat: Chat, backend):
    await chat.say("poczta nie dziala, tel stacjonarny 22 731 40 15", "email_not_working")
    # answered, busy and failed come only from a real call: said like no_answer, they reveal no registration
    for outcome, key in [("busy", "call_not_through"), ("failed", "call_not_through"), ("answered", "call_not_through"),
                         ("no_answer", "call_not_through"), ("calling", "call_ringing")]:
        backend.call_outcome = outcome
        assert await chat.say("nikt nie dzwonil", "call_missed") == [key]
        if chat.state.step == "recall":
            assert await chat.say("nie", "deny") == ["ask_code"]
    assert len(backend.codes) == 1


async def test_prefer_sms_on_a_landline_is_answered_honestly_and_a_mobile_then_gets_the_sms(chat: Chat, backend):
    await chat.say("poczta nie dziala, tel stacjonarny 22 731 40 15", "email_not_working")
    said = await chat.say("wole sms", "use_sms")
    assert said == ["sms_landline"] and len(backend.codes) == 1 and chat.state.path == "dead_email"
    said = await chat.say("to komorka 601 234 567", "inform_phone")
    assert said == ["code_sent"] and backend.deliveries()[-1] == (PHONE, "sms")


async def test_a_mobile_whose_sms_does_not_come_gets_a_call_on_request_then_an_sms_again(chat: Chat, backend, clock):
    await chat.say("nie dziala mi poczta, tel 601 234 567", "email_not_working")
    clock.now += 70
    said = await chat.say("sms nie przyszedl", "code_not_received")
    assert said == ["code_not_received_now"]
    assert "/request_call" in {b["payload"] for b in chat.replies[-1].buttons}
    said = await chat.say("a mozecie zadzwonic z kodem?", "request_call")
    assert said == ["code_called"] and backend.deliveries() == [(PHONE, "sms"), (PHONE, "call")]
    clock.now += 70
    assert await chat.say("wole jednak sms", "use_sms") == ["code_sent"]
    assert backend.deliveries()[-1] == (PHONE, "sms")
    assert await chat.say(backend.latest_code(PHONE), "inform_code") == ["phone_confirmed", "ask_new_email"]


async def test_a_number_never_called_offers_the_other_ways(chat: Chat, backend):
    await chat.say("nie dziala mi poczta", "email_not_working")
    said = await chat.say("+49 30 1234567", "inform_phone")
    assert said == ["alternatives"] and not backend.codes
    assert chat.state.failure == "not_callable" and chat.state.step == "phone"


async def test_a_call_asked_for_before_the_number_goes_to_the_number_given_next(chat: Chat, backend):
    await chat.say("nie dziala mi poczta", "email_not_working")
    assert await chat.say("wolalbym zeby zadzwonil automat z kodem", "request_call") == ["call_needs_number",
                                                                                       "ask_phone"]
    assert await chat.say("601 234 567", "inform_phone") == ["code_called"]
    assert backend.deliveries() == [(PHONE, "call")]


async def test_a_call_asked_for_with_no_phone_path_places_no_call(chat: Chat, backend):
    await chat.say("chce rozmawiac z konsultantem", "request_human")
    said = await chat.say("a czy ktos moze do mnie zadzwonic?", "request_call")
    assert said[0] == "call_only_code" and not backend.codes


async def test_a_call_asked_for_first_is_explained_and_the_problem_asked(chat: Chat, backend):
    assert await chat.say("zadzwoncie do mnie z kodem", "request_call") == ["call_only_code", "ask_problem"]
    assert not backend.codes and chat.state.step == "problem"


async def test_after_a_call_the_code_not_received_reads_the_call_and_a_resend_is_a_call(chat: Chat, backend, clock):
    await chat.say("poczta nie dziala, tel stacjonarny 22 731 40 15", "email_not_working")
    backend.call_outcome = "busy"
    assert await chat.say("kod nie przyszedl", "code_not_received") == ["call_not_through"]
    clock.now += 61
    assert await chat.say("wyslij jeszcze raz", "resend_code") == ["code_called"]
    assert backend.deliveries() == [(LANDLINE, "call")] * 2


async def test_an_expired_call_code_is_renewed_by_a_call_not_an_sms(chat: Chat, backend, clock):
    backend.accounts[LANDLINE] = "sekretariat@kancelaria.pl"
    await chat.say("poczta nie dziala, tel stacjonarny 22 731 40 15", "email_not_working")
    clock.now += 11 * 60
    assert await chat.say(backend.latest_code(LANDLINE), "inform_code") == ["code_expired"]
    assert await chat.say("tak", "affirm") == ["code_called"]
    assert backend.deliveries() == [(LANDLINE, "call")] * 2


async def test_a_dead_mailbox_with_the_phone_gone_promises_no_sms_and_goes_to_documents(engine: Engine, backend):
    engine.state.has_phone = False
    await engine.turn("dead_email")
    assert engine.said == ["phone_gone_documents", "ask_account_type"]
    assert not any(call[0] == "start_verification" for call in backend.calls)


async def test_a_password_asked_after_the_email_change_goes_to_the_new_mailbox(engine: Engine, backend):
    engine.state.email_change = "sent"
    await engine.turn("password")
    assert engine.said == ["password_after_email_change"] and engine.state.finished == "password"


async def test_the_parts_paths_play_are_data_a_lost_phone_follows_the_copy(procedure_copy, backend):
    """The engine names no path: which path a lost phone leads to is `paths:` in patterns.yml."""
    chat = Chat(backend, checked(procedure_copy))
    await chat.say("nie mam telefonu z panelu, konto prywatne", "no_phone_access")
    assert chat.state.path == "documents"
    patterns = procedure_copy / "patterns.yml"
    patterns.write_text(patterns.read_text().replace("    without_phone: documents", "    without_phone: handoff"))
    chat = Chat(backend, checked(procedure_copy))
    await chat.say("nie mam telefonu z panelu, konto prywatne", "no_phone_access")
    assert chat.state.path == "handoff" and ("documents", "private") not in backend.calls[1:]


async def test_a_jump_retargeted_in_a_copy_takes_the_wish_elsewhere(procedure_copy, backend, clock):
    """"Send me the reset link" once the login is shown goes where `jumps:` says."""
    async def wish_after_hint(chat: Chat) -> list[str]:
        await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
        await chat.say(backend.latest_code(PHONE), "inform_code")
        await chat.say("nie, dziekuje", "deny")
        return await chat.say("jednak wyslij link do resetu", "request_reset_link")

    assert await wish_after_hint(Chat(backend, checked(procedure_copy))) == ["reset_sent"]
    patterns = procedure_copy / "patterns.yml"
    patterns.write_text(patterns.read_text().replace("reset_wanted: no_login:send_reset",
                                                     "reset_wanted: no_login:declined"))
    clock.now += 10 * 60     # the backend's wait between codes to one number
    said = await wish_after_hint(Chat(backend, checked(procedure_copy)))
    assert said == ["reset_declined"] and len(backend.resets) == 1


async def test_what_an_address_means_on_a_path_is_data(procedure_copy, backend, clock):
    """An address written after the login was shown is checked as a guess (no_login `addresses`); with the
    entry gone it is only kept, and nothing is checked."""
    chat = Chat(backend, checked(procedure_copy))
    await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    assert "email_check_no" in await chat.say("czy to bylo jan.k@onet.pl?", "inform_email")
    no_login = procedure_copy / "no_login.yml"
    text = no_login.read_text()
    start = text.index("  addresses:")
    no_login.write_text(text[:start] + text[text.index("  steps:"):])
    clock.now += 10 * 60
    chat = Chat(backend, checked(procedure_copy))
    await chat.say("nie pamietam ani maila ani hasla, tel 601 234 567", "no_login_data")
    await chat.say(backend.latest_code(PHONE), "inform_code")
    assert "email_check_no" not in await chat.say("czy to bylo jan.k@onet.pl?", "inform_email")
