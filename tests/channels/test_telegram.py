"""The Telegram connector with updates shaped as the Bot API documents them,
posted to the webhook of a running Rasa; replies caught by a fake Bot API that
refuses what Telegram refuses (tests/channels/fake_telegram.py)."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import sqlite3
import time
import urllib.error
import urllib.request

import pytest

from channels.attestation import attest
from channels.limits import EDITED
from devstack import Stack
from tests.channels.fake_telegram import FakeBotApi

TOKEN, SECRET = "123456:TEST-token", "webhook-secret-0123456789"
update_ids = itertools.count(1000)
GROUP = -1001234567890


@pytest.fixture(scope="module")
def telegram(tmp_path_factory):
    fake = FakeBotApi(TOKEN, groups={GROUP})
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


def has_share_button(sent: dict) -> bool:
    rows = (sent.get("reply_markup") or {}).get("keyboard") or []
    return any(button.get("request_contact") for row in rows for button in row)


def test_someone_elses_contact_or_a_typed_claim_proves_nothing(telegram):
    stack, fake = telegram
    user = 504
    post(stack, message(user, text="nie znam danych logowania"))
    post(stack, message(user, contact={"phone_number": "+48692888999", "first_name": "Obcy", "user_id": 999}))
    assert "własny numer" in fake.messages(user)[-1]["text"]
    assert has_share_button(fake.messages(user)[-1]), "the rejection keeps the button it tells the customer to press"
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


def test_a_forwarded_own_contact_card_proves_nothing(telegram):
    """Only the request_contact button is documented to send the sender's current number; a
    forwarded card carries the sender's user_id with whatever number it had when sent."""
    stack, fake = telegram
    user = 507
    post(stack, message(user, text="nie działa mi skrzynka mailowa"))
    forwarded = {"forward_origin": {"type": "user", "date": 1700000000,
                                    "sender_user": {"id": user, "is_bot": False, "first_name": "Klient"}},
                 "forward_date": 1700000000}
    post(stack, message(user, contact={"phone_number": "+48692888999", "first_name": "Klient", "user_id": user},
                        **forwarded))
    assert "numer potwierdzony" not in " ".join(m["text"] for m in fake.messages(user))
    assert has_share_button(fake.messages(user)[-1])


def test_the_contact_proof_is_signed_for_the_backend_as_documented():
    """docs/backend-api.md, "Connector attestation format"."""
    claim = attest("s" * 32, "telegram_contact", "tg:42", "telegram", "+48692888999", now=1795485000)["phone_attestation"]
    proof = claim["proof"]
    message = "\n".join(["v1", "telegram_contact", "tg:42", "telegram", "+48692888999", "1795485000", proof["nonce"]])
    assert proof["signature"] == hmac.new(b"s" * 32, message.encode(), hashlib.sha256).hexdigest()
    assert proof["issued_at"] == 1795485000 and 16 <= len(proof["nonce"]) <= 64
    again = attest("s" * 32, "telegram_contact", "tg:42", "telegram", "+48692888999", now=1795485000)
    assert again["phone_attestation"]["proof"]["nonce"] != proof["nonce"]


def wait_for(condition, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_whole_recovery_over_telegram(telegram):
    """Phone → SMS code from the outbox → new e-mail → confirmation link e-mailed."""
    stack, fake = telegram
    user, phone = 508, "+48607444555"
    post(stack, message(user, text="/start"))
    assert fake.messages(user), "/start is answered"
    post(stack, message(user, text="nie działa mi skrzynka mailowa, domena wygasła"))
    post(stack, message(user, text="607 444 555"))
    post(stack, message(user, text=stack.latest_code(phone)))
    post(stack, message(user, text="zofia.telegram@example.org"))
    mails = stack.emails("zofia.telegram@example.org")
    assert mails and "/email-change/confirm?t=" in mails[-1]["body"]
    assert fake.refused == []


def test_redelivered_updates_are_answered_once_even_after_an_outage(telegram):
    """Issue 10: the Bot API was down at the phone step; the turn runs once, its answer is sent when
    the API is back, and Telegram's redelivery of the same update is not a second SMS."""
    stack, fake = telegram
    user, phone = 509, "+48608555666"
    post(stack, message(user, text="nie działa mi skrzynka mailowa"))
    before = len(fake.messages(user))
    fake.fail_next(2, status=502)
    update = message(user, text="608 555 666")
    assert post(stack, update) == 200
    assert wait_for(lambda: stack.sms_messages(phone)), "the SMS is sent (beside the request)"
    assert wait_for(lambda: len(fake.messages(user)) > before), "the answer is delivered once the API is back"
    answered = len(fake.messages(user))
    assert post(stack, update) == 200 and post(stack, update) == 200
    time.sleep(1)
    assert len(stack.sms_messages(phone)) == 1 and len(fake.messages(user)) == answered
    # The customer goes on with the code from that one SMS.
    post(stack, message(user, text=stack.latest_code(phone)))
    assert "numer potwierdzony" in fake.messages(user)[-1]["text"] or \
        "numer potwierdzony" in " ".join(m["text"] for m in fake.messages(user)[answered:])


def test_rate_limited_sends_wait_as_told(telegram):
    stack, fake = telegram
    user = 510
    fake.fail_next(1, status=429, retry_after=1)
    post(stack, message(user, text="w jakich godzinach pracujecie?"))
    assert wait_for(lambda: fake.messages(user)), "sent after retry_after"


def test_fake_refuses_what_telegram_refuses():
    fake = FakeBotApi("1:T", known_chats={5})
    try:
        def call(body):
            request = urllib.request.Request(f"{fake.url}/bot1:T/sendMessage", data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        assert call({"chat_id": 6, "text": "x"})[1]["description"] == "Bad Request: chat not found"
        assert call({"chat_id": 5, "text": ""})[1]["description"] == "Bad Request: message text is empty"
        assert call({"chat_id": 5, "text": "x" * 4097})[1]["description"] == "Bad Request: message is too long"
        status, answer = call({"chat_id": 5, "text": "x", "reply_markup": {"inline_keyboard": [[
            {"text": "a", "callback_data": "x" * 65}]]}})
        assert status == 400 and answer == {"ok": False, "error_code": 400, "description": "Bad Request: BUTTON_DATA_INVALID"}
        assert call({"chat_id": 5, "text": "x"}) [1]["ok"] is True
    finally:
        fake.stop()


def test_nothing_empty_is_ever_sent(telegram):
    stack, fake = telegram
    assert all(body.get("text", "").strip() for method, body in fake.calls if method == "sendMessage")


def test_the_contact_proof_is_not_stored_and_cannot_be_replayed_over_rest(telegram):
    """Issue 9 H3: the proof never reaches the tracker store, and one signed with the right secret
    sent over REST (which takes no client metadata) proves nothing."""
    stack, fake = telegram
    user = 511
    post(stack, message(user, text="nie działa mi skrzynka mailowa"))
    post(stack, message(user, contact={"phone_number": "+48692888999", "first_name": "Ewa", "user_id": user}))
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        stored = " ".join(row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (f"tg:{user}",)))
    assert stored and "phone_attestation" not in stored and '"nonce"' not in stored and '"proof"' not in stored
    secret = stack.env()["CONNECTOR_ATTESTATION_SECRET"]
    for conversation in ("rest:replay-1", f"tg:{user}"):
        proof = attest(secret, "telegram_contact", conversation, "telegram", "+48692888999")
        stack.say("replay-1", "nie działa mi skrzynka mailowa")
        replies = stack.say("replay-1", "/share_contact", metadata=proof)
        assert "numer potwierdzony" not in " ".join(r.get("text") or "" for r in replies)


def stored_events(stack, sender: str) -> list[str]:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]


def test_a_group_is_sent_to_the_private_chat_and_nothing_is_recovered_there(telegram):
    """Issue 19 #8: a message in a group was answered in the user's private chat (which Telegram
    refuses until the user has opened one). The group is told that recovery happens in a private
    chat, with a link that opens it; no turn runs, nothing is stored, no code is sent."""
    stack, fake = telegram
    user, phone = 512, "+48609777888"
    group = {"id": GROUP, "type": "supergroup", "title": "Klienci Kylos"}
    update = message(user, text="/start@kylos_pomoc_bot nie działa mi poczta, mój numer 609 777 888",
                     entities=[{"type": "bot_command", "offset": 0, "length": 22}])
    update["message"]["chat"] = group
    assert post(stack, update) == 200
    (notice,) = fake.messages(GROUP)
    link = "https://t.me/kylos_pomoc_bot?start=pomoc"
    assert link in notice["text"]
    assert notice["reply_markup"]["inline_keyboard"] == [[{"text": notice["reply_markup"]["inline_keyboard"][0][0]["text"],
                                                          "url": link}]]
    assert notice["reply_parameters"]["message_id"] == update["message"]["message_id"]
    button = {"update_id": next(update_ids), "callback_query": {
        "id": "cb-group", "from": {"id": user, "is_bot": False, "first_name": "Klient"}, "chat_instance": "2",
        "data": "/email_not_working", "message": {"message_id": 7, "date": 1795485000, "chat": group}}}
    assert post(stack, button) == 200
    assert len(fake.messages(GROUP)) == 2 and "?start=pomoc" in fake.messages(GROUP)[-1]["text"]
    joined = message(user, new_chat_members=[{"id": 77, "is_bot": False, "first_name": "Nowy"}])
    joined["message"]["chat"] = group
    post(stack, joined)
    assert len(fake.messages(GROUP)) == 2, "a service message is not answered"
    assert fake.messages(user) == [] and stack.sms_messages(phone) == []
    assert stored_events(stack, f"tg:{user}") == []
    # The link opens the private chat with "/start pomoc": a greeting that offers the problems.
    post(stack, message(user, text="/start pomoc", entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
    keyboard = fake.messages(user)[-1]["reply_markup"]["inline_keyboard"]
    assert ["/email_not_working"] in [[b["callback_data"] for b in row] for row in keyboard]
    assert fake.refused == []


def test_an_edited_message_is_answered_and_changes_nothing(telegram):
    """Issue 19 #8: edits were ignored silently. The customer is asked to send the corrected
    text as a new message; the edit runs no turn (no code to the edited number)."""
    stack, fake = telegram
    user, old_phone, new_phone = 513, "+48609666777", "+48606333444"
    post(stack, message(user, text="nie działa mi skrzynka mailowa"))
    sent = message(user, text="609 666 777")
    post(stack, sent)
    assert wait_for(lambda: stack.sms_messages(old_phone))
    before = len(fake.messages(user))
    edit = {"update_id": next(update_ids),
            "edited_message": {**sent["message"], "text": "606 333 444", "edit_date": 1795485100}}
    assert post(stack, edit) == 200
    answers = fake.messages(user)[before:]
    assert len(answers) == 1 and answers[0]["text"] == EDITED
    assert stack.sms_messages(new_phone) == [] and len(stack.sms_messages(old_phone)) == 1
    assert "606 333 444" not in " ".join(stored_events(stack, f"tg:{user}"))
