"""Path "no_login": the customer knows neither the login address nor the password but holds the
registered phone. Goal: the masked login address shown (and the reset link sent when asked)."""
from __future__ import annotations

from tests.conversations.harness import Conversation


def test_step_by_step(talk: Conversation):
    talk.say("nie znam danych do logowania")
    talk.say("tak mam telefon")
    talk.say("512 100 142")
    talk.say(talk.code("+48512100142"))
    talk.assert_masked_hint("ro***@e***.pl", "robert.o@example.pl")
    talk.reached("no_login")
