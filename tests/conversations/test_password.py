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


def test_greeting_first(talk: Conversation):
    talk.say("dzien dobry")
    talk.say("mam problem z haslem, nie pamietam go, maila odbieram normalnie")
    talk.assert_reset_steps()
    talk.reached("password")
