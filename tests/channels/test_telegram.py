"""The Telegram connector with updates shaped as the Bot API documents them,
posted to the webhook of a running Rasa; replies caught by a fake Bot API."""
from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request

import pytest

from tests.channels.fake_telegram import FakeBotApi
from tests.stack import Stack

TOKEN, SECRET = "123456:TEST-token", "webhook-secret-0123456789"
update_ids = itertools.count(1000)


@pytest.fixture(scope="module")
def telegram(tmp_path_factory):
    fake = FakeBotApi(TOKEN)
    stack = Stack(tmp_path_factory.mktemp("telegram"),
                  extra_env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                             "TELEGRAM_API_BASE": fake.url})
    try:
        stack.start_all()
        yield stack, fake
    finally:
        stack.stop()
        fake.stop()


def post(stack, update: dict, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/telegram/webhook",
                                     data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def message(user_id: int, **content) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": "Klient", "language_code": "pl"}
    return {"update_id": next(update_ids), "message": {"message_id": next(update_ids), "date": 1795485000,
                                                        "chat": {"id": user_id, "type": "private", "first_name": "Klient"},
                                                        "from": user, **content}}


def test_updates_without_the_secret_are_refused(telegram):
    stack, fake = telegram
    assert post(stack, message(501, text="dzień dobry"), secret=None) == 403
    assert post(stack, message(501, text="dzień dobry"), secret="wrong") == 403
    assert fake.messages(501) == []


def test_buttons_become_an_inline_keyboard_and_callbacks_work(telegram):
    stack, fake = telegram
    assert post(stack, message(502, text="dzień dobry")) == 200
    keyboard = fake.messages(502)[-1]["reply_markup"]["inline_keyboard"]
    assert ["/email_not_working"] in [[button["callback_data"] for button in row] for row in keyboard]
    callback = {"update_id": next(update_ids), "callback_query": {
        "id": "cb-1", "from": {"id": 502, "is_bot": False, "first_name": "Klient"}, "chat_instance": "1",
        "data": "/forgot_password", "message": {"message_id": 1, "date": 1795485000, "chat": {"id": 502, "type": "private"}}}}
    assert post(stack, callback) == 200
    assert ("answerCallbackQuery", {"callback_query_id": "cb-1"}) in fake.calls
    assert "password/reset" in fake.messages(502)[-1]["text"]


def test_own_contact_proves_the_phone_without_sms(telegram):
    stack, fake = telegram
    user = 503
    post(stack, message(user, text="nie działa mi skrzynka mailowa"))
    share = [m for m in fake.messages(user) if "keyboard" in m.get("reply_markup", {})]
    assert share and share[-1]["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    post(stack, message(user, contact={"phone_number": "48692888999", "first_name": "Barbara", "user_id": user}))
    texts = " ".join(m["text"] for m in fake.messages(user))
    assert "numer potwierdzony" in texts and "adres e-mail" in texts
    assert stack.sms_messages("+48692888999") == []


def test_someone_elses_contact_or_a_typed_claim_proves_nothing(telegram):
    stack, fake = telegram
    user = 504
    post(stack, message(user, text="nie znam danych logowania"))
    post(stack, message(user, contact={"phone_number": "+48692888999", "first_name": "Obcy", "user_id": 999}))
    assert "własny numer" in fake.messages(user)[-1]["text"]
    post(stack, message(user, text="/share_contact"))
    assert "numer potwierdzony" not in " ".join(m["text"] for m in fake.messages(user))


def test_forged_attestation_over_rest_proves_nothing(telegram):
    stack, _ = telegram
    forged = {"phone_attestation": {"kind": "telegram_contact", "sender_id": "rest-1", "phone": "+48692888999",
                                    "signature": "0" * 64}}
    stack.say("rest-1", "nie działa mi skrzynka")
    replies = stack.say("rest-1", "/share_contact", metadata=forged)
    assert "numer potwierdzony" not in " ".join(r.get("text") or "" for r in replies)


def test_photos_get_a_polite_text_only_answer(telegram):
    stack, fake = telegram
    post(stack, message(505, photo=[{"file_id": "x", "file_unique_id": "y", "width": 90, "height": 90}]))
    assert "tylko wiadomości tekstowe" in fake.messages(505)[-1]["text"]


def test_rest_cannot_take_over_a_telegram_conversation(telegram):
    """Issue 9 C1: a REST post naming a Telegram user's id reaches a rest: conversation only."""
    stack, fake = telegram
    user = 506
    post(stack, message(user, text="nie działa mi skrzynka mailowa"))
    post(stack, message(user, contact={"phone_number": "+48604111222", "first_name": "Tomasz", "user_id": user}))
    assert "numer potwierdzony" in " ".join(m["text"] for m in fake.messages(user))
    for sender in (str(user), f"tg:{user}"):
        replies = stack.say(sender, "attacker@evil.example")
        assert "numer potwierdzony" not in " ".join(r.get("text") or "" for r in replies)
    assert stack.emails("attacker@evil.example") == []
    post(stack, message(user, text="tomasz.telegram@example.org"))
    mails = stack.emails("tomasz.telegram@example.org")
    assert mails and "/email-change/confirm?t=" in mails[-1]["body"]
