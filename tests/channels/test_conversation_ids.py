"""A conversation belongs to one channel (issue 9 C1, L2, L6, L13, L15): the REST
channel needs its token and can only name `rest:` conversations, web chat
sessions are issued and signed by the server, clients set neither the channel
nor metadata, long messages get a quick Polish answer, CORS allows the help page only."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import urllib.error
import urllib.request

import pytest
import socketio

from channels.limits import MAX_MESSAGE_CHARS
from tests.channels.socketio_client import ChatClient


def stored_events(stack, conversation: str) -> list[dict]:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (conversation,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def conversations(stack) -> set[str]:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}


def post_rest(stack, body, token: str | None = "default", headers: dict | None = None) -> tuple[int, object]:
    token = stack.rest_token if token == "default" else token
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/rest/webhook", data=data, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_rest_needs_the_token(stack, sender_id):
    assert post_rest(stack, {"sender": sender_id, "message": "dzień dobry"}, token=None)[0] == 401
    assert post_rest(stack, {"sender": sender_id, "message": "dzień dobry"}, token="wrong")[0] == 401
    status, replies = post_rest(stack, {"sender": sender_id, "message": "dzień dobry"})
    assert status == 200 and replies and all(reply["recipient_id"] == f"rest:{sender_id}" for reply in replies)
    assert f"rest:{sender_id}" in conversations(stack) and sender_id not in conversations(stack)


def test_rest_without_a_sender_is_refused_not_shared(stack):
    before = conversations(stack)
    for body in ({"message": "dzień dobry"}, {"sender": "", "message": "dzień dobry"}, {"sender": 5, "message": "x"}):
        status, answer = post_rest(stack, body)
        assert status == 400 and "sender" in answer["error"]
    assert conversations(stack) == before and "default" not in conversations(stack)


def test_rest_client_sets_neither_channel_nor_metadata(stack, sender_id):
    forged = {"phone_attestation": {"kind": "telegram_contact", "sender_id": f"rest:{sender_id}",
                                    "phone": "+48604111222", "signature": "0" * 64}}
    post_rest(stack, {"sender": sender_id, "message": "dzień dobry", "input_channel": "telegram", "metadata": forged})
    users = [event for event in stored_events(stack, f"rest:{sender_id}") if event["event"] == "user"]
    assert users and all(event["input_channel"] == "rest" for event in users)
    assert all("phone_attestation" not in json.dumps(event.get("metadata") or {}) for event in users)


def test_a_rest_sender_cannot_name_another_channels_conversation(stack):
    # Whatever the sender, the conversation is rest:…, so tg:/slack:/sio: conversations are out of reach.
    for sender in ("tg:501", "slack:T1:U0CUSTOMER", "sio:abc"):
        status, replies = post_rest(stack, {"sender": sender, "message": "dzień dobry"})
        assert status == 200 and all(reply["recipient_id"].startswith("rest:") for reply in replies)
        assert sender not in conversations(stack)


def test_an_overlong_rest_message_gets_a_quick_polish_answer_and_no_turn(stack, sender_id):
    started = time.monotonic()
    status, replies = post_rest(stack, {"sender": sender_id, "message": "a" * 400_000})
    assert status == 413  # the whole body is over the cap
    status, replies = post_rest(stack, {"sender": sender_id, "message": "nie działa mi poczta " * 200})
    assert status == 200 and str(MAX_MESSAGE_CHARS) in replies[0]["text"]
    assert time.monotonic() - started < 2
    assert not [event for event in stored_events(stack, f"rest:{sender_id}") if event["event"] == "user"]
    status, replies = post_rest(stack, {"sender": sender_id, "message": "a" * MAX_MESSAGE_CHARS})
    assert status == 200 and replies  # at the cap: an ordinary turn


def chat(stack, origin: str | None = None) -> ChatClient:
    return ChatClient(stack.rasa_url, origin=origin or f"http://127.0.0.1:{stack.web_port}")


def test_socketio_sessions_are_issued_by_the_server(stack):
    async def scenario():
        first = chat(stack)
        await first.connect()
        # A client-chosen id (another channel's conversation) is not honoured: a new session is issued.
        token = await first.session("tg:501")
        assert token != "tg:501" and "." in token
        ack = await first.say("dzień dobry", session_id="slack:T1:U0CUSTOMER")
        assert ack["ok"] is True
        await first.wait(lambda: first.bot)
        conversation = "sio:" + token.split(".")[0]
        assert conversation in conversations(stack)
        assert "tg:501" not in conversations(stack) and "slack:T1:U0CUSTOMER" not in conversations(stack)
        users = [event for event in stored_events(stack, conversation) if event["event"] == "user"]
        assert users and all(event["input_channel"] == "socketio" for event in users)
        await first.close()

        # The signed token re-joins the same conversation (a reload); a tampered one does not.
        again = chat(stack)
        await again.connect()
        rejoined = await again.session(token)
        assert rejoined != token and rejoined.split(".")[0] == token.split(".")[0], "a fresh token, same session"
        session, issued, nonce, signature = rejoined.split(".")
        forged = f"{session}.{issued}.{nonce}.{'0' * len(signature)}"
        assert (await again.session(forged)).split(".")[0] != session
        assert (await again.session(session)).split(".")[0] != session
        await again.close()

        # A message before any session is refused (the client keeps it), not attributed to anyone.
        early = chat(stack)
        await early.connect()
        assert await early.say("dzień dobry", session_id=session) == {"ok": False, "reason": "session"}
        await early.close()

    asyncio.run(scenario())


def test_socketio_overlong_message_and_resends(stack):
    async def scenario():
        client = chat(stack)
        await client.connect()
        token = await client.session()
        conversation = "sio:" + token.split(".")[0]
        started = time.monotonic()
        assert (await client.say("x" * (MAX_MESSAGE_CHARS + 1)))["ok"] is True
        await client.wait(lambda: client.bot)
        assert time.monotonic() - started < 2 and str(MAX_MESSAGE_CHARS) in client.texts()
        # The same message re-sent after a lost acknowledgement is handled once.
        assert await client.say("dzień dobry", message_id="m-1") == {"ok": True, "kept": "dzień dobry"}
        assert await client.say("dzień dobry", message_id="m-1") == {"ok": True, "kept": "dzień dobry"}
        users = [event for event in stored_events(stack, conversation) if event["event"] == "user"]
        assert len(users) == 1
        await client.close()

    asyncio.run(scenario())


def test_only_the_help_page_origin_may_call_rasa_from_a_browser(stack):
    async def foreign():
        client = chat(stack, origin="https://evil.example")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect()

    asyncio.run(foreign())
    allowed = f"http://127.0.0.1:{stack.web_port}"
    for origin, expected in (("https://evil.example", None), (allowed, allowed)):
        request = urllib.request.Request(f"{stack.rasa_url}/webhooks/rest/webhook", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.headers.get("Access-Control-Allow-Origin") == expected
            assert answer.headers.get("Access-Control-Allow-Credentials") is None


def test_rest_senders_that_clean_alike_keep_their_own_conversations(stack):
    # Issue 17, finding 7: ids were cleaned and cut at 128 characters, so these pairs shared one conversation.
    long_a, long_b = "k" * 128 + "-first", "k" * 128 + "-second"
    pairs = [("Żaneta.K-ff22", "_aneta.K-ff22"), (long_a, long_b), ("ab:cd", "ab_cd")]
    for first, second in pairs:
        ids = set()
        for sender in (first, second):
            status, replies = post_rest(stack, {"sender": sender, "message": "dzień dobry"})
            assert status == 200 and replies
            ids.add(replies[0]["recipient_id"])
        assert len(ids) == 2, ids
        for conversation in ids:
            assert len(conversation) <= len("rest:") + 128
            assert sum(event["event"] == "user" for event in stored_events(stack, conversation)) == 1


def test_socketio_tokens_expire_and_a_rejoin_spends_them(stack):
    # Issue 17, finding 9: tokens never expired on the server, and a token reused from another client
    # re-joined the conversation.
    from channels.socketio import SESSION_LIFETIME_SECONDS, SessionSigner

    async def scenario():
        owner = chat(stack)
        await owner.connect()
        token = await owner.session()
        session = token.split(".")[0]
        assert await owner.say("dzień dobry") == {"ok": True, "kept": "dzień dobry"}
        await owner.close()

        reload = chat(stack)
        await reload.connect()
        fresh = await reload.session(token)
        assert fresh != token and fresh.split(".")[0] == session, "the owner's reload re-joins"
        other = chat(stack)
        await other.connect()
        assert (await other.session(token)).split(".")[0] != session, "a spent token opens nothing"
        await other.close()
        assert (await reload.session(fresh)).split(".")[0] == session, "the fresh one works (once)"
        signer = SessionSigner(stack.env()["CHAT_SESSION_SECRET"])
        signer.clock = lambda: time.time() - SESSION_LIFETIME_SECONDS - 5
        old = signer.issue(session)
        assert (await reload.session(old)).split(".")[0] != session, "an expired token opens nothing"
        await reload.close()

    asyncio.run(scenario())


def test_socketio_keeps_only_redacted_text_for_the_widget(stack):
    async def scenario():
        client = chat(stack)
        kept: list = []
        client.client.on("bot_kept", lambda message: kept.append(message["kept"]))
        await client.connect()
        await client.session()
        ack = await client.say("mój numer 604.111.222, adres jan%kowalski@example.pl")
        assert ack == {"ok": True, "kept": "mój numer [numer], adres [e-mail]"}
        await client.wait(lambda: client.bot and len(kept) == len(client.bot))
        assert all(set(message) <= {"text", "quick_replies"} for message in client.bot), "rasa-webchat's shapes"
        assert kept and "604" not in " ".join(kept) and "kowalski" not in " ".join(kept)
        await client.close()

    asyncio.run(scenario())
