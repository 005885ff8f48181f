"""A local stand-in for Telegram's Bot API: checks each call's shape as
Telegram documents it and answers like Telegram ({"ok": true, "result": …})."""
from __future__ import annotations

import threading

from tests.channels.fake_http import FakeJsonApi, Request

REQUIRED = {"sendMessage": {"chat_id", "text"}, "answerCallbackQuery": {"callback_query_id"}}


class FakeBotApi:
    def __init__(self, token: str):
        self.token, self.calls, self.lock = token, [], threading.Lock()
        self.api = FakeJsonApi(self.respond)
        self.url = self.api.base

    def respond(self, request: Request) -> tuple[int, dict]:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method, body = request.path[len(prefix):], request.json()
        missing = REQUIRED.get(method, set()) - set(body)
        if method not in REQUIRED or missing:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {method} missing {sorted(missing)}"}
        with self.lock:
            self.calls.append((method, body))
            return 200, {"ok": True, "result": {"message_id": len(self.calls), **body}}

    def messages(self, chat_id) -> list[dict]:
        with self.lock:
            return [body for method, body in self.calls if method == "sendMessage" and str(body["chat_id"]) == str(chat_id)]

    def stop(self):
        self.api.stop()
