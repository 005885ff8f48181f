"""The Slack channel (channels/slack.py) against a running Rasa: events signed as Slack
documents, replies caught by a fake Web API that refuses what Slack refuses
(tests/channels/fake_slack.py): whole recoveries, redeliveries, threads, outages."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import sqlite3
import time
import types
import urllib.error
import urllib.parse
import urllib.request

import pytest

from channels import inbound
from channels.limits import EDITED
from channels.slack import SlackInput
from devstack import Stack
from tests.channels.fake_slack import FakeSlackApi

TOKEN, SECRET = "xoxb-test-token", "slack-signing-secret-0123456789"
BOT = "U0BOT"
DM, GENERAL = "D0SLACK1", "C0GENERAL"
stamps = itertools.count(1)

# From Slack's "Verifying requests from Slack" documentation.
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def signed(body: str, timestamp: str, signature: str):
    return types.SimpleNamespace(body=body.encode(), headers={"X-Slack-Request-Timestamp": timestamp,
                                                              "X-Slack-Signature": signature})


def test_signature_check_with_slacks_documented_example(monkeypatch):
    channel = SlackInput.from_credentials({"slack_token": TOKEN, "slack_signing_secret": DOC_SECRET})
    monkeypatch.setattr(time, "time", lambda: int(DOC_TIMESTAMP) + 30)
    assert channel.is_request_from_slack_authentic(signed(DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE))
    assert not channel.is_request_from_slack_authentic(signed(DOC_BODY + "x", DOC_TIMESTAMP, DOC_SIGNATURE))
    monkeypatch.setattr(time, "time", lambda: int(DOC_TIMESTAMP) + 301)
    assert not channel.is_request_from_slack_authentic(signed(DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE))


def test_an_unconfigured_channel_accepts_nothing():
    channel = SlackInput.from_credentials({"slack_token": "", "slack_signing_secret": ""})
    timestamp = str(int(time.time()))
    empty_key = "v0=" + hmac.new(b"", f"v0:{timestamp}:{DOC_BODY}".encode(), hashlib.sha256).hexdigest()
    assert not channel.is_request_from_slack_authentic(signed(DOC_BODY, timestamp, empty_key))


def test_slack_markup_is_read_as_typed():
    assert inbound.slack("<mailto:ala@nowa.pl|ala@nowa.pl>") == "ala@nowa.pl"
    assert inbound.slack("mój numer <tel:+48601234567|601 234 567>") == "mój numer 601 234 567"
    assert inbound.slack("<@U0BOT> pomocy, strona <https://kylos.pl/x|kylos.pl>", ["U0BOT"]) == \
        "pomocy, strona https://kylos.pl/x"
    assert inbound.slack("a &amp; b &lt;3 <!here>") == "a & b <3"


@pytest.fixture(scope="module")
def slack(tmp_path_factory):
    fake = FakeSlackApi(TOKEN, {DM, GENERAL})
    stack = Stack(tmp_path_factory.mktemp("slack"), extra_env={
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_BASE": fake.url})
    try:
        stack.start_all()
        yield stack, fake
    finally:
        stack.stop()
        fake.stop()


def deliver(stack, body: str, content_type: str, retry: str | None = None, secret: str = SECRET) -> int:
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    if retry:
        headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": retry})
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/slack/webhook", data=body.encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def event(text: str, user: str = "U0CUSTOMER", channel: str = DM, kind: str = "message", thread_ts: str | None = None,
          ts: str | None = None, event_id: str | None = None) -> dict:
    ts = ts or f"1795485{next(stamps):03d}.000200"
    inner = {"type": kind, "channel": channel, "user": user, "text": text, "ts": ts, "team": "T1"}
    if kind == "message":
        inner["channel_type"] = "im" if channel.startswith("D") else "channel"
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id or f"Ev{next(stamps):06d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": BOT, "is_bot": True}], "event": inner}


def send(stack, body: dict, **kwargs) -> int:
    return deliver(stack, json.dumps(body), "application/json", **kwargs)


def click(stack, user: str, channel: str, value: str, message_ts: str) -> int:
    payload = {"type": "block_actions", "trigger_id": f"tr{next(stamps)}", "team": {"id": "T1"},
               "user": {"id": user, "team_id": "T1"}, "channel": {"id": channel},
               "message": {"ts": message_ts, "type": "message"},
               "actions": [{"type": "button", "action_id": "choice-0", "value": value, "action_ts": "1"}]}
    return deliver(stack, urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def user_turns(stack, conversation: str) -> int:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (conversation,)).fetchone()[0]


def wait_for(condition, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def posted_text(posts: list[dict]) -> str:
    return "\n".join(post.get("text", "") for post in posts)


def test_whole_recovery_in_a_direct_message(slack):
    """Phone (Slack's tel: markup) → SMS code → new e-mail (mailto: markup) → confirmation link e-mailed;
    nothing Slack would refuse is ever posted (the Telegram-only hint included)."""
    stack, fake = slack
    user, phone = "U0PATH", "+48601234567"
    start = len(fake.to(DM))
    assert send(stack, event("nie działa mi skrzynka mailowa, domena wygasła", user=user)) == 200
    assert wait_for(lambda: len(fake.to(DM)) > start)
    time.sleep(1)
    asked = len(fake.to(DM))
    send(stack, event("<tel:+48601234567|601 234 567>", user=user))
    assert wait_for(lambda: stack.sms_messages(phone)), "the SMS is sent after Slack's phone markup"
    assert wait_for(lambda: len(fake.to(DM)) > asked)
    time.sleep(1)
    send(stack, event(stack.latest_code(phone), user=user))
    assert wait_for(lambda: "numer potwierdzony" in posted_text(fake.to(DM)))
    send(stack, event("<mailto:marek.slack@example.org|marek.slack@example.org>", user=user))
    assert wait_for(lambda: stack.emails("marek.slack@example.org"))
    assert "/email-change/confirm?t=" in stack.emails("marek.slack@example.org")[-1]["body"]
    # Masked addresses (`ma***@e***.org`) must show as typed, not as bold: no post is read as mrkdwn.
    for post in fake.to(DM):
        sections = [block["text"]["type"] for block in post.get("blocks", []) if block["type"] == "section"]
        assert post.get("mrkdwn") is False or (sections and set(sections) == {"plain_text"})
    assert fake.refused == [] and all(post.get("thread_ts") is None for post in fake.to(DM))


def test_buttons_are_block_kit_and_clicks_continue(slack):
    stack, fake = slack
    user = "U0BUTTONS"
    start = len(fake.to(DM))
    send(stack, event("dzień dobry", user=user))
    assert wait_for(lambda: any(post.get("blocks") for post in fake.to(DM)[start:]))
    post = [post for post in fake.to(DM)[start:] if post.get("blocks")][-1]
    values = [element["value"] for block in post["blocks"] if block["type"] == "actions" for element in block["elements"]]
    assert "/forgot_password" in values and post["text"]
    before = len(fake.to(DM))
    assert click(stack, user, DM, "/forgot_password", "1795485999.000100") == 200
    assert wait_for(lambda: "password/reset" in posted_text(fake.to(DM)[before:]))


def test_a_redelivered_event_is_answered_once(slack):
    stack, fake = slack
    body = event("w jakich godzinach pracujecie?", user="U0RETRY")
    start = len(fake.to(DM))
    assert send(stack, body) == 200
    assert wait_for(lambda: len(fake.to(DM)) > start)
    time.sleep(1)
    answered = len(fake.to(DM))
    assert send(stack, body, retry="http_timeout") == 200
    assert send(stack, body, retry="http_error") == 200
    time.sleep(1.5)
    assert len(fake.to(DM)) == answered
    # A retry of an event whose first delivery never arrived is handled.
    lost = event("jakie są godziny pracy?", user="U0RETRY")
    assert send(stack, lost, retry="connection_failed") == 200
    assert wait_for(lambda: len(fake.to(DM)) > answered)


def test_in_a_channel_a_mention_moves_the_recovery_to_a_direct_message(slack):
    # Issue 17, finding 8: the recovery was answered in the channel's thread ("numer potwierdzony",
    # the masked login), for the channel's members to read.
    stack, fake = slack
    user, ts, phone = "U0THREAD", "1795486100.000100", "+48602345678"
    start = len(fake.to(GENERAL))
    mention = f"<@{BOT}> nie znam danych logowania"
    # Slack sends one mention twice: as app_mention and as message.channels.
    send(stack, event(mention, user=user, channel=GENERAL, kind="app_mention", ts=ts))
    send(stack, event(mention, user=user, channel=GENERAL, ts=ts))
    assert wait_for(lambda: fake.direct.get(user) and fake.to(fake.direct[user]))
    time.sleep(1.5)
    notes = fake.to(GENERAL)[start:]
    assert [post.get("thread_ts") for post in notes] == [ts], "the thread is told once, in the thread"
    assert "prywatnej" in notes[0]["text"]
    assert user_turns(stack, f"slack:T1:{user}") == 1
    direct = fake.direct[user]
    # Replies in the bot's thread need no mention; they are answered in the direct messages.
    send(stack, event("tak, mam ten telefon", user=user, channel=GENERAL, thread_ts=ts))
    send(stack, event("602 345 678", user=user, channel=GENERAL, thread_ts=ts))
    assert wait_for(lambda: stack.sms_messages(phone))
    send(stack, event(stack.latest_code(phone), user=user, channel=GENERAL, thread_ts=ts))
    assert wait_for(lambda: "potwierdzony" in posted_text(fake.to(direct)))
    time.sleep(1)
    in_channel = posted_text(fake.to(GENERAL)[start:])
    assert len(fake.to(GENERAL)) == start + 1 and "potwierdzony" not in in_channel and "***" not in in_channel
    assert all(post.get("thread_ts") is None for post in fake.to(direct))
    # Chatter elsewhere in the channel is not for the bot.
    quiet = len(fake.posts)
    send(stack, event("ktoś wie, kiedy obiad?", user="U0OTHER", channel=GENERAL))
    send(stack, event("a w innym wątku?", user=user, channel=GENERAL, thread_ts="1795486000.000100"))
    time.sleep(1.5)
    assert len(fake.posts) == quiet


def test_without_a_direct_channel_nothing_about_the_account_is_said_in_the_channel(slack):
    stack, fake = slack
    fake.scopes.discard("im:write")  # as if the app were installed without it
    try:
        ts, start = "1795486200.000100", len(fake.to(GENERAL))
        send(stack, event(f"<@{BOT}> mój numer 602 345 678, nie działa mi poczta", user="U0NOSCOPE", channel=GENERAL,
                          kind="app_mention", ts=ts))
        assert wait_for(lambda: len(fake.to(GENERAL)) > start)
        time.sleep(1.5)
        notes = fake.to(GENERAL)[start:]
        assert [post.get("thread_ts") for post in notes] == [ts] and "bezpośrednio" in notes[0]["text"]
        assert user_turns(stack, "slack:T1:U0NOSCOPE") == 0
    finally:
        fake.scopes.add("im:write")


def test_an_outage_at_the_phone_step_neither_loses_the_answer_nor_repeats_the_turn(slack):
    stack, fake = slack
    user, phone = "U0OUTAGE", "+48605222333"
    start = len(fake.to(DM))
    send(stack, event("nie działa mi skrzynka mailowa", user=user))
    assert wait_for(lambda: len(fake.to(DM)) > start)
    time.sleep(1)
    asked = len(fake.to(DM))
    fake.fail_next(2, "http_503")
    body = event("605 222 333", user=user)
    send(stack, body)
    assert wait_for(lambda: stack.sms_messages(phone)), "the SMS is sent"
    assert wait_for(lambda: len(fake.to(DM)) > asked), "the answer arrives once Slack is back"
    send(stack, body, retry="http_error")
    time.sleep(1.5)
    assert len(stack.sms_messages(phone)) == 1


def test_forged_requests_are_refused(slack):
    stack, fake = slack
    before = len(fake.posts)
    assert send(stack, event("dzień dobry", user="U0FORGED"), secret="forged-secret") == 401
    time.sleep(1)
    assert len(fake.posts) == before


def test_fake_refuses_what_slack_refuses():
    fake = FakeSlackApi(TOKEN, {DM}, users={"U0CUSTOMER", BOT}, bots={BOT})

    def open_direct(body, api=None):
        request = urllib.request.Request(f"{(api or fake).url}conversations.open", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    def post(body, token=TOKEN):
        request = urllib.request.Request(f"{fake.url}chat.postMessage", data=json.dumps(body).encode(), headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    try:
        assert post({"channel": DM}) == (200, {"ok": False, "error": "no_text"})
        assert post({"channel": DM, "custom": {"data": {"request_contact": True}}})[1]["error"] == "no_text"
        assert post({"channel": "C0NOWHERE", "text": "x"})[1]["error"] == "channel_not_found"
        assert post({"channel": DM, "text": "x" * 40_001})[1]["error"] == "msg_too_long"
        assert post({"channel": DM, "text": "x"}, token="xoxb-wrong")[1]["error"] == "invalid_auth"
        status, answer = post({"channel": DM, "text": "x", "blocks": [{"type": "section", "text": {"type": "plain_text",
                                                                                                  "text": ""}}]})
        assert status == 200 and answer["error"] == "invalid_blocks" and answer["response_metadata"]["messages"]
        long_button = {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x" * 76},
                                                        "value": "v"}]}
        assert post({"channel": DM, "text": "x", "blocks": [long_button]})[1]["error"] == "invalid_blocks"
        assert post({"channel": DM, "text": "pa***@e***.com"})[1]["ok"] is True
        assert open_direct({}) == {"ok": False, "error": "users_list_not_supplied"}
        assert open_direct({"users": "U0BOT"}) == {"ok": False, "error": "cannot_dm_bot"}
        assert open_direct({"users": "U0NOBODY"}) == {"ok": False, "error": "user_not_found"}
        opened = open_direct({"users": "U0CUSTOMER"})
        assert opened["ok"] and opened == open_direct({"users": "U0CUSTOMER"})
        assert post({"channel": opened["channel"]["id"], "text": "x"})[1]["ok"] is True
        assert post({"channel": "D0NEVEROPENED", "text": "x"})[1]["error"] == "channel_not_found"
        scoped = FakeSlackApi(TOKEN, {DM}, scopes={"chat:write"})
        try:
            assert open_direct({"users": "U0CUSTOMER"}, scoped)["error"] == "missing_scope"
        finally:
            scoped.stop()
    finally:
        fake.stop()


def edited(original: dict, new_text: str, channel: str = DM) -> dict:
    """Slack's `message_changed` event for an edit of `original` (an `event()` body)."""
    before = {key: original["event"][key] for key in ("type", "user", "text", "ts") if key in original["event"]}
    if original["event"].get("thread_ts"):
        before["thread_ts"] = original["event"]["thread_ts"]
    body = event("", channel=channel)
    after = {**before, "text": new_text, "edited": {"user": before["user"], "ts": body["event"]["ts"]}}
    body["event"] = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
                     "channel_type": "im" if channel.startswith("D") else "channel", "ts": body["event"]["ts"],
                     "message": after, "previous_message": before}
    return body


def test_an_edited_message_is_answered_and_changes_nothing(slack):
    """Issue 19 #8: edits were ignored silently. The customer is asked to send the corrected text
    as a new message, where they talk to the bot; the edit runs no turn (no code to the edited
    number), and Slack's own edits (a link preview added: same text) are not answered."""
    stack, fake = slack
    user, old_phone, new_phone = "U0EDITOR", "+48609666777", "+48606333444"
    send(stack, event("nie działa mi skrzynka mailowa", user=user))
    assert wait_for(lambda: user_turns(stack, f"slack:T1:{user}") == 1)
    sent = event("609 666 777", user=user)
    send(stack, sent)
    assert wait_for(lambda: stack.sms_messages(old_phone))
    time.sleep(1)
    before = len(fake.to(DM))
    send(stack, edited(sent, "606 333 444"))
    assert wait_for(lambda: len(fake.to(DM)) > before)
    time.sleep(1)
    assert [post["text"] for post in fake.to(DM)[before:]] == [EDITED]
    assert stack.sms_messages(new_phone) == [] and user_turns(stack, f"slack:T1:{user}") == 2
    send(stack, edited(sent, "609 666 777"))  # Slack unfurled a link: the text is unchanged
    # In a thread the bot answers, the edit is answered in the direct messages; elsewhere not at all.
    ts = "1795486300.000100"
    send(stack, event(f"<@{BOT}> nie działa mi poczta", user=user, channel=GENERAL, kind="app_mention", ts=ts))
    assert wait_for(lambda: fake.direct.get(user) and fake.to(fake.direct[user]))
    time.sleep(1.5)
    direct, in_general = len(fake.to(fake.direct[user])), len(fake.to(GENERAL))
    in_thread = event("mój numer 609 666 777", user=user, channel=GENERAL, thread_ts=ts)
    send(stack, edited(in_thread, "mój numer 606 333 444", channel=GENERAL))
    assert wait_for(lambda: len(fake.to(fake.direct[user])) > direct)
    chatter = event("obiad o 13?", user="U0OTHER", channel=GENERAL)
    send(stack, edited(chatter, "obiad o 14?", channel=GENERAL))
    time.sleep(1.5)
    assert [post["text"] for post in fake.to(fake.direct[user])[direct:]] == [EDITED]
    assert len(fake.to(GENERAL)) == in_general and len(fake.to(DM)) == before + 1
    assert stack.sms_messages(new_phone) == [] and fake.refused == []
