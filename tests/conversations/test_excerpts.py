"""The one conversation of issue 8's "What customers did" that the conversation files cannot say
yet: an expired code needs the backend's clock moved on while the action server's resend
minute passes for real. The other nine are files in tests/conversations/*/excerpt_*.yml.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conversations.harness import Conversation



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
