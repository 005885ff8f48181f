"""Path "no_login": the customer knows neither the login address nor the password but holds the
registered phone. Goal: the masked login address shown (and the reset link sent when asked)."""
from __future__ import annotations

from tests.conversations.harness import Conversation, assert_masked_phone


def test_everything_in_the_first_message_and_the_reset_link(talk: Conversation):
    talk.say("nie pamietam ani maila ani hasla, mam telefon 512 100 141")
    talk.assert_code_sent_to("+48512100141")
    talk.say(talk.code("+48512100141"))
    talk.assert_masked_hint("el***@e***.pl", "elzbieta.m@example.pl")
    talk.reached("no_login")
    talk.say("tak, wyslij link")
    talk.assert_reset_sent("elzbieta.m@example.pl")
    talk.assert_masked_hint("el***@e***.pl", "elzbieta.m@example.pl")


def test_step_by_step(talk: Conversation):
    talk.say("nie znam danych do logowania")
    talk.say("tak mam telefon")
    talk.say("512 100 142")
    talk.say(talk.code("+48512100142"))
    talk.assert_masked_hint("ro***@e***.pl", "robert.o@example.pl")
    talk.reached("no_login")


def test_yes_and_the_number_in_one_answer(talk: Conversation):
    talk.say("nie moge sie zalogowac, nie wiem jaki mam login")
    talk.say("tak, 512 100 143")
    talk.assert_code_sent_to("+48512100143")
    talk.say(talk.code("+48512100143"))
    talk.assert_masked_hint("gr***@e***.org", "grazyna.j@example.org")
    talk.reached("no_login")


def test_is_it_this_address_gets_a_yes_or_no(talk: Conversation):
    talk.say("zapomnialem loginu i hasla, telefon 512 100 144")
    talk.say(talk.code("+48512100144"))
    talk.assert_masked_hint("ma***@e***.org", "mateusz.kr@example.org")
    talk.reached("no_login")
    wrong = talk.say("czy to jest mateusz.k@example.org?")
    right = talk.say("a czy mateusz.kr@example.org?")
    assert talk.outcome_of(3) == "answered" and talk.outcome_of(4) == "answered", talk.transcript()
    assert wrong.text != right.text, "an exact match and a near miss got the same answer\n" + talk.transcript()
    talk.assert_code_sent_to("+48512100144", times=1)


def test_english_no_login(talk: Conversation):
    reply = talk.say("I don't remember my login email or password. I still have my phone: +48 512 100 145")
    talk.assert_code_sent_to("+48512100145")
    talk.assert_english(reply)
    reply = talk.say(talk.code("+48512100145"))
    talk.assert_masked_hint("em***@e***.com", "emily.clark@example.com")
    talk.assert_english(reply)
    talk.reached("no_login")


def test_why_my_number_before_giving_it(talk: Conversation):
    talk.say("nie znam loginu do panelu")
    talk.say("a po co wam moj numer? to bezpieczne?")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    talk.say("ok, 512 100 146")
    talk.say(talk.code("+48512100146"))
    talk.assert_masked_hint("be***@e***.net", "beata.m@example.net")
    talk.reached("no_login")


def test_code_not_received_then_typed(talk: Conversation):
    talk.say("zapomnialem maila i hasla, tel 512 100 147")
    code = talk.code("+48512100147")
    talk.say("nie dostalem zadnego sms")
    assert talk.outcome_of(2) != "fallback", talk.transcript()
    talk.say(f"dobra jest, kod {code}")
    talk.assert_masked_hint("da***@e***.pl", "darek.w@example.pl")
    talk.reached("no_login")


def test_thanks_then_the_reset_link_after_all(talk: Conversation):
    talk.say("nie pamietam jaki mail podalam przy rejestracji, telefon 512 100 148")
    talk.say(talk.code("+48512100148"))
    talk.assert_masked_hint("ul***@e***.com", "ula.walczak@example.com")
    talk.reached("no_login")
    talk.say("nie, dziekuje")
    talk.say("a jednak wyslij mi link do resetu hasla")
    talk.assert_reset_sent("ula.walczak@example.com")
    talk.assert_code_sent_to("+48512100148", times=1)


def test_when_will_i_have_access_in_the_code_step(talk: Conversation):
    talk.say("nie znam loginu, tel 512 100 149")
    talk.say("kiedy bede mial dostep?")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    talk.say(talk.code("+48512100149"))
    talk.assert_masked_hint("ma***@e***.org", "marcin.s@example.org")
    talk.reached("no_login")


def test_several_facts_in_one_message(talk: Conversation):
    talk.say("Dzien dobry, nie pamietam loginu. Konto prywatne, telefon 512 100 150, a maila chyba juz nie uzywam")
    talk.assert_code_sent_to("+48512100150")
    talk.say(talk.code("+48512100150"))
    talk.assert_masked_hint("jo***@e***.pl", "joanna.g@example.pl")
    talk.reached("no_login")
    talk.assert_no_case()


def test_typos_everywhere(talk: Conversation):
    talk.say("niepamietam hasla ani loginu do pnelu klijenta")
    talk.say("mam telefn 512100151")
    talk.assert_code_sent_to("+48512100151")
    talk.say(talk.code("+48512100151"))
    talk.assert_masked_hint("zb***@e***.net", "zbyszek.r@example.net")
    talk.reached("no_login")


def test_why_a_code_and_which_number(talk: Conversation):
    talk.say("nie wiem jaki mam login, tel 512 100 152")
    talk.say("dlaczego kod sms?")
    reply = talk.say("na ktory numer poszedl sms?")
    assert talk.outcome_of(2) == "answered" and talk.outcome_of(3) == "answered", talk.transcript()
    assert_masked_phone(talk, reply, "+48512100152")
    talk.say(talk.code("+48512100152"))
    talk.assert_masked_hint("ol***@e***.com", "ola.sadowska@example.com")
    talk.reached("no_login")
