"""Rasa's Slack channel as configured here: request signing (Slack's own
documented example), replies in the thread through a fake Slack Web API,
buttons as blocks, retries not processed twice, forged requests refused."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import types
import urllib.error
import urllib.request

import pytest

from channels.slack import SlackInput
from tests.channels.fake_http import FakeJsonApi, Request
from tests.stack import Stack

TOKEN, SECRET = "xoxb-test-token", "slack-signing-secret-0123456789"

# From Slack's "Verifying requests from Slack" documentation.
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def request(body: str, timestamp: str, signature: str):
    return types.SimpleNamespace(body=body.encode(), headers={"X-Slack-Request-Timestamp": timestamp,
                                                              "X-Slack-Signature": signature})


def test_signature_check_with_slacks_documented_example(monkeypatch):
    channel = SlackInput.from_credentials({"slack_token": TOKEN, "slack_signing_secret": DOC_SECRET})
    monkeypatch.setattr(time, "time", lambda: int(DOC_TIMESTAMP) + 30)
    assert channel.is_request_from_slack_authentic(request(DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE))
    assert not channel.is_request_from_slack_authentic(request(DOC_BODY + "x", DOC_TIMESTAMP, DOC_SIGNATURE))
    monkeypatch.setattr(time, "time", lambda: int(DOC_TIMESTAMP) + 301)
    assert not channel.is_request_from_slack_authentic(request(DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE))


def test_an_unconfigured_channel_accepts_nothing(monkeypatch):
    channel = SlackInput.from_credentials({"slack_token": "", "slack_signing_secret": ""})
    timestamp = str(int(time.time()))
    empty_key = "v0=" + hmac.new(b"", f"v0:{timestamp}:{DOC_BODY}".encode(), hashlib.sha256).hexdigest()
    assert not channel.is_request_from_slack_authentic(request(DOC_BODY, timestamp, empty_key))


class FakeSlackApi:
    """Slack's Web API as far as the bot uses it: chat.postMessage with a Bearer token."""

    def __init__(self):
        self.posts = []
        self.api = FakeJsonApi(self.respond)
        self.url = f"{self.api.base}/api/"

    def respond(self, request: Request) -> tuple[int, dict]:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return 200, {"ok": False, "error": "invalid_auth"}
        if not request.path.rstrip("/").endswith("chat.postMessage"):
            return 200, {"ok": False, "error": "unknown_method"}
        body = request.json() if "json" in request.headers.get("Content-Type", "") else {}
        if "channel" not in body:
            return 200, {"ok": False, "error": "channel_not_found"}
        self.posts.append(body)
        return 200, {"ok": True, "channel": body["channel"], "ts": f"1795485{len(self.posts)}.0001"}


@pytest.fixture(scope="module")
def slack(tmp_path_factory):
    fake = FakeSlackApi()
    stack = Stack(tmp_path_factory.mktemp("slack"), extra_env={
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_BASE": fake.url})
    try:
        stack.start_all()
        yield stack, fake
    finally:
        stack.stop()
        fake.api.stop()


def post_event(stack, text: str, ts: str, retry: str | None = None, secret: str = SECRET) -> int:
    body = json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": f"Ev{ts}", "event_time": int(time.time()),
                       "event": {"type": "message", "channel": "D0SLACK1", "channel_type": "im", "user": "U0CUSTOMER",
                                 "text": text, "ts": ts}})
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    if retry:
        headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": retry})
    http_request = urllib.request.Request(f"{stack.rasa_url}/webhooks/slack/webhook", data=body.encode(), headers=headers)
    try:
        with urllib.request.urlopen(http_request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for_posts(fake, count: int, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(fake.posts) < count:
        time.sleep(0.1)
    return fake.posts


def test_replies_go_into_the_thread_with_buttons_as_blocks(slack):
    stack, fake = slack
    assert post_event(stack, "dzień dobry", "1795485000.000100") == 200
    posts = wait_for_posts(fake, 1)
    assert posts and posts[-1]["channel"] == "D0SLACK1" and posts[-1]["thread_ts"] == "1795485000.000100"
    blocks = json.dumps(posts[-1].get("blocks", []))
    assert "/email_not_working" in blocks and "actions" in blocks


def test_retries_are_not_processed_twice_and_forgeries_are_refused(slack):
    stack, fake = slack
    before = len(fake.posts)
    assert post_event(stack, "jakie są godziny pracy?", "1795485000.000200", retry="http_error") in (200, 201)
    assert post_event(stack, "dzień dobry", "1795485000.000300", secret="forged-secret") != 200
    time.sleep(1)
    assert len(fake.posts) == before
