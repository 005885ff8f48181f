"""Path "password": the mailbox works, the customer forgot the password. Goal: the reset steps.
Also the switches that start from here."""
from __future__ import annotations

from tests.conversations.harness import Conversation


def test_forgot_password_mail_works(talk: Conversation):
    talk.say("zapomnialem hasla do panelu, ale maila mam i dziala normalnie")
    talk.assert_reset_steps()
    talk.reached("password")
    talk.assert_no_sms()
    talk.assert_no_case()


def test_typo_in_the_password(talk: Conversation):
    talk.say("Dzien dobry, nie moge sie zalogowac bo zapomnialam hsala. Poczta dziala")
    talk.assert_reset_steps()
    talk.reached("password")


def test_english_forgotten_password(talk: Conversation):
    reply = talk.say("Hi, I forgot my password for the client panel, my email works fine")
    talk.assert_reset_steps()
    talk.assert_english(reply)
    talk.reached("password")


def test_greeting_first(talk: Conversation):
    talk.say("dzien dobry")
    talk.say("mam problem z haslem, nie pamietam go, maila odbieram normalnie")
    talk.assert_reset_steps()
    talk.reached("password")


def test_the_reset_mail_never_came_and_the_login_is_unknown(talk: Conversation):
    talk.say("zapomnialem hasla")
    talk.say("zresetowalem haslo ale mail z linkiem nie przychodzi")
    talk.say("nie wiem na jaki mail jest konto, mam telefon 512 100 171")
    talk.assert_code_sent_to("+48512100171")
    talk.say(talk.code("+48512100171"))
    talk.assert_masked_hint("wo***@e***.org", "wojtek.szulc@example.org")
    talk.reached("no_login")


def test_start_again_then_another_path(talk: Conversation):
    talk.say("zapomnialam hasla")
    talk.say("zacznijmy od nowa")
    talk.say("nie dziala mi poczta, tel 512 100 172")
    talk.assert_code_sent_to("+48512100172")
    talk.say(talk.code("+48512100172"))
    talk.say("patrycja.lewicka@gmail.com")
    talk.assert_email_change_requested("patrycja.lewicka@gmail.com")
    talk.reached("dead_email")
