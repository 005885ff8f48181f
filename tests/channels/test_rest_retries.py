"""The REST channel's Idempotency-Key: a message sent again with its key is answered with
the first answer and is not a second turn; a new key is a new message."""
from __future__ import annotations

import uuid

from channels.idempotency import message_id
from tests.channels.test_conversation_ids import post_rest, stored_events


def test_a_message_sent_again_with_its_key_is_answered_once(stack, sender_id):
    key = uuid.uuid4().hex
    body = {"sender": sender_id, "message": "zapomniałem hasła do panelu"}
    first = post_rest(stack, body, headers={"Idempotency-Key": key})
    again = post_rest(stack, body, headers={"Idempotency-Key": key})
    assert first[0] == again[0] == 200 and first[1] and first == again
    users = [event for event in stored_events(stack, f"rest:{sender_id}") if event["event"] == "user"]
    assert [event["message_id"] for event in users] == [message_id(f"rest:{sender_id}", key)]

    status, _ = post_rest(stack, {"sender": sender_id, "message": "dziękuję"}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert status == 200
    assert sum(event["event"] == "user" for event in stored_events(stack, f"rest:{sender_id}")) == 2


def test_a_key_is_per_conversation(stack):
    key = uuid.uuid4().hex
    for sender in (f"a-{uuid.uuid4().hex}", f"b-{uuid.uuid4().hex}"):
        assert post_rest(stack, {"sender": sender, "message": "dzień dobry"}, headers={"Idempotency-Key": key})[0] == 200
        assert sum(event["event"] == "user" for event in stored_events(stack, f"rest:{sender}")) == 1


def test_an_unusable_key_is_refused(stack, sender_id):
    status, _ = post_rest(stack, {"sender": sender_id, "message": "dzień dobry"}, headers={"Idempotency-Key": "k" * 201})
    assert status == 400
    assert not stored_events(stack, f"rest:{sender_id}")


def test_a_key_sent_again_with_another_message_is_refused(stack, sender_id):
    # Issue 17, finding 12: the first answer was returned silently for a different message.
    key = uuid.uuid4().hex
    assert post_rest(stack, {"sender": sender_id, "message": "zapomniałem hasła"}, headers={"Idempotency-Key": key})[0] == 200
    status, answer = post_rest(stack, {"sender": sender_id, "message": "nie działa mi poczta"},
                               headers={"Idempotency-Key": key})
    assert status == 422 and "Idempotency-Key" in answer["error"]
    assert sum(event["event"] == "user" for event in stored_events(stack, f"rest:{sender_id}")) == 1
    assert post_rest(stack, {"sender": sender_id, "message": "zapomniałem hasła"}, headers={"Idempotency-Key": key})[0] == 200
