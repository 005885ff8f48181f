"""Path "dead_email": the login mailbox no longer works. Goal: the backend was asked to change
the login address (the confirmation link went to the new address)."""
from __future__ import annotations

from tests.conversations.harness import Conversation


def test_step_by_step(talk: Conversation):
    talk.say("nie dziala mi mail od panelu")
    talk.say("512-100-112")
    talk.assert_code_sent_to("+48512100112")
    talk.say(talk.code("+48512100112"))
    talk.say("nowy adres to monika.w@onet.pl")
    talk.assert_email_change_requested("monika.w@onet.pl")
    talk.reached("dead_email")


def test_typos_and_a_code_typed_in_two_groups(talk: Conversation):
    talk.say("niedziala skrzynka pocztowa bo domenka wygasla")
    talk.say("+48 512 100 113")
    code = talk.code("+48512100113")
    talk.say(f"kod: {code[:3]} {code[3:]}")
    talk.say("prosze zmienic na tadeusz.l@interia.pl")
    talk.assert_email_change_requested("tadeusz.l@interia.pl")
    talk.reached("dead_email")
