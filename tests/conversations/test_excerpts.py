"""The ten conversations of issue 8's "What customers did", with the customers' own words.

Each is played to its goal; the excerpt's message is sent verbatim where the customer wrote it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conversations.harness import Conversation



def test_1_company_dead_mailbox_and_phone_in_the_first_message(talk: Conversation):
    talk.say("Dzien dobry, pisze w imieniu firmy Sklep Michalska. Nasza skrzynka sklep@michalska-wygasla.pl "
             "przestala dzialac. Tel. w panelu: 0048 692 888 999")
    talk.assert_code_sent_to("+48692888999")
    talk.say(talk.code("+48692888999"))
    talk.say("nowy adres: biuro@sklep-michalska.com.pl")
    talk.assert_email_change_requested("biuro@sklep-michalska.com.pl")
    talk.reached("dead_email")
    talk.assert_no_email_change_to("sklep@michalska-wygasla.pl")


def test_2_how_long_in_the_code_step_does_not_end_it(talk: Conversation):
    talk.say("nie dziala mi skrzynka mailowa, domena wygasla. tel 512 100 102")
    talk.assert_code_sent_to("+48512100102")
    talk.say("a ile to wszystko potrwa?")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    talk.say(talk.code("+48512100102"))
    talk.say("grzegorz.kaczmarek@gmail.com")
    talk.assert_email_change_requested("grzegorz.kaczmarek@gmail.com")
    talk.reached("dead_email")
    talk.assert_code_sent_to("+48512100102", times=1)


def test_3_landline_first_then_the_mobile(talk: Conversation):
    talk.say("nie pamietam ani loginu ani hasla do panelu")
    talk.say("tak, w panelu powinien byc nr stacjonarny do biura 22 555 66 77")
    talk.assert_no_sms()
    assert talk.outcome_of(2) != "fallback", talk.transcript()
    talk.say("ok to komorka 603-456-789")
    talk.assert_code_sent_to("+48603456789")
    talk.say(talk.code("+48603456789"))
    talk.assert_masked_hint("pi***@e***.com", "piotr.w@example.com")
    talk.reached("no_login")


def test_4_the_bosses_phone_is_in_the_panel_and_i_have_it(talk: Conversation):
    talk.say("nie znam loginu ani hasla do panelu klienta")
    talk.say("telefon szefowej jest w panelu, mam go")
    talk.assert_no_case()
    talk.say("512 100 104")
    talk.assert_code_sent_to("+48512100104")
    talk.say(talk.code("+48512100104"))
    talk.assert_masked_hint("sz***@b***.pl", "szefowa@biuro-sowa.pl")
    talk.reached("no_login")


def test_5_asking_for_the_whole_address_keeps_the_proof(talk: Conversation):
    talk.say("nie pamietam na jaki mail jest konto ani hasla, telefon mam: 512 100 105")
    talk.say(talk.code("+48512100105"))
    talk.assert_masked_hint("pi***@e***.com", "piotrw@example.com")
    talk.reached("no_login")
    talk.say("a nie mozesz mi podac calego adresu? nie wiem co to jest ja***@e***.pl")
    talk.say("mam piotr.w@example.com i piotrw@example.com, ktory to?")
    assert talk.outcome_of(3) != "fallback" and talk.outcome_of(4) != "fallback", talk.transcript()
    talk.say("to wyslij mi link do resetu hasla")
    talk.assert_reset_sent("piotrw@example.com")
    talk.assert_code_sent_to("+48512100105", times=1)


@pytest.fixture
def pinned_clock(stack):
    """The backend's clock pinned, so a code can be 11 minutes old without waiting 11 minutes."""
    start = datetime.now(timezone.utc).replace(microsecond=0)
    stack.restart_backend(recovery_now=start.isoformat())
    try:
        yield lambda minutes: stack.restart_backend(recovery_now=(start + timedelta(minutes=minutes)).isoformat())
    finally:
        stack.restart_backend(recovery_now=None)


def test_6_an_expired_code_is_said_and_a_new_one_sent_to_the_same_number(talk: Conversation, pinned_clock):
    talk.say("nie dziala mi skrzynka, domena wygasla, tel 512 100 106")
    old_code = talk.code("+48512100106")
    # The backend's clock jumps 11 minutes; whether a new code may go is the backend's to say.
    pinned_clock(11)
    talk.say(old_code)
    talk.say("to wyslij mi nowy kod")
    talk.assert_code_sent_to("+48512100106", times=2)
    new_code = talk.code("+48512100106")
    talk.say(new_code)
    talk.say("nowy mail: r.pawlak@gmail.com")
    talk.assert_email_change_requested("r.pawlak@gmail.com")
    talk.reached("dead_email")


def test_7_the_reset_mail_does_not_arrive_bridges_to_the_dead_mailbox(talk: Conversation):
    talk.say("zresetowalem haslo ale mail z linkiem nie przychodzi")
    assert talk.outcome_of(1) != "fallback", talk.transcript()
    talk.say("chyba ta skrzynka w ogole nie dziala, domena wygasla. tel 512 100 107")
    talk.assert_code_sent_to("+48512100107")
    talk.say(talk.code("+48512100107"))
    talk.say("nowy mail ela.krol@wp.pl")
    talk.assert_email_change_requested("ela.krol@wp.pl")
    talk.reached("dead_email")


def test_8_sms_instead_of_documents(talk: Conversation):
    talk.say("nie znam ani loginu ani hasla, telefonu chyba nie mam, konto prywatne")
    talk.assert_documents_listed("private")
    talk.say("chce sprobowac kod sms zamiast dokumentow")
    talk.say("512 100 108")
    talk.assert_code_sent_to("+48512100108")
    talk.say(talk.code("+48512100108"))
    talk.assert_masked_hint("do***@e***.net", "dorota.sikora@example.net")
    talk.reached("no_login")
    talk.assert_no_case()


def test_9_english_human_please(talk: Conversation):
    reply = talk.say("Sorry I don't understand Polish… human please")
    talk.assert_english(reply)
    reply = talk.say("my email is tom.baker@example.co.uk")
    talk.assert_english(reply)
    case = talk.case()
    assert case["reason"] == "human_handoff" and case["contact_email"] == "tom.baker@example.co.uk", talk.explain(case)
    assert case.get("language") == "en", talk.explain(case)
    talk.reached("handoff")


def test_10_the_preferred_address_and_the_insistence(talk: Conversation):
    talk.say("nie moge sie zalogowac, nie pamietam maila, a telefonu z panelu juz nie mam. konto prywatne")
    talk.assert_documents_listed("private")
    talk.say("anna.nowak@example.pl ale tam rzadko zagladam, lepiej anowak1970@gmail.com")
    case = talk.case()
    assert case["contact_email"] == "anowak1970@gmail.com" and case["reason"] == "documents", talk.explain(case)
    assert case["account_type"] == "private", talk.explain(case)
    talk.reached("documents")
    talk.say("nie nie, napisalam ze lepiej na anowak1970@gmail.com!")
    assert talk.outcome_of(3) != "fallback", talk.transcript()
    assert talk.case()["contact_email"] == "anowak1970@gmail.com"
