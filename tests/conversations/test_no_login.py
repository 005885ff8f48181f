"""Path "no_login": the customer knows neither the login address nor the password but holds the
registered phone. Goal: the masked login address shown (and the reset link sent when asked)."""
from __future__ import annotations

from tests.conversations.harness import Conversation


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


def test_why_my_number_before_giving_it(talk: Conversation):
    talk.say("nie znam loginu do panelu")
    talk.say("a po co wam moj numer? to bezpieczne?")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    talk.say("ok, 512 100 146")
    talk.say(talk.code("+48512100146"))
    talk.assert_masked_hint("be***@e***.net", "beata.m@example.net")
    talk.reached("no_login")


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
