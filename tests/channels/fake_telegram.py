"""A local stand-in for Telegram's Bot API: checks each call as Telegram documents it,
refuses what Telegram refuses with Telegram's error shape
({"ok": false, "error_code": 400, "description": "Bad Request: …"}) and answers
like Telegram ({"ok": true, "result": …}). `fail_next` simulates an outage."""
from __future__ import annotations

import threading

from devstack.fake_http import FakeHttpServer, Request

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64


def bad_request(description: str) -> tuple[int, dict]:
    return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


def check_reply_markup(markup) -> str | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        return "can't parse reply keyboard markup JSON object"
    if "inline_keyboard" in markup:
        for row in markup["inline_keyboard"]:
            for button in row:
                if not button.get("text"):
                    return "text buttons are unallowed in the inline keyboard"
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                    return "BUTTON_DATA_INVALID"
                if data is None and "url" not in button:
                    return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not rows or any(not row for row in rows):
            return "keyboard must be non-empty"
        for row in rows:
            for button in row:
                if not (button if isinstance(button, str) else button.get("text")):
                    return "keyboard button text is empty"
    return None


class FakeBotApi:
    def __init__(self, token: str, known_chats: set[int] | None = None, groups: set[int] = frozenset(),
                 username: str = "kylos_pomoc_bot"):
        self.token, self.calls, self.lock = token, [], threading.Lock()
        self.known_chats = known_chats  # None: any private chat id that is a positive number
        self.groups, self.username = set(groups), username  # groups (negative ids) the bot is in
        self.failures: list[tuple[int, dict]] = []
        self.refused: list[tuple[str, dict, str]] = []
        self.api = FakeHttpServer(self.respond, methods=("POST",))
        self.url = self.api.url

    def fail_next(self, count: int, status: int = 502, retry_after: int | None = None) -> None:
        """The next `count` calls fail as Telegram does when down (502) or rate-limiting (429)."""
        if status == 429:
            answer = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after or 1}",
                      "parameters": {"retry_after": retry_after or 1}}
        else:
            answer = {"ok": False, "error_code": status, "description": "Bad Gateway"}
        with self.lock:
            self.failures.extend([(status, answer)] * count)

    def check(self, method: str, body: dict) -> str | None:
        if method == "answerCallbackQuery":
            return None if body.get("callback_query_id") else "query is too old and response timeout expired"
        if method != "sendMessage":
            return None
        chat = body.get("chat_id")
        try:
            known = int(chat) > 0 if self.known_chats is None else int(chat) in self.known_chats
            known = known or int(chat) in self.groups
        except (TypeError, ValueError):
            known = False
        if not known:
            return "chat not found"
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return "message text is empty"
        if len(text) > MESSAGE_LIMIT:
            return "message is too long"
        return check_reply_markup(body.get("reply_markup"))

    def respond(self, request: Request) -> tuple[int, dict]:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method, body = request.path[len(prefix):], request.json()
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": int(self.token.split(":")[0]), "is_bot": True,
                                                "first_name": "Kylos", "username": self.username}}
        if method not in ("sendMessage", "answerCallbackQuery"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        with self.lock:
            if self.failures:
                return self.failures.pop(0)
            problem = self.check(method, body)
            if problem:
                self.refused.append((method, body, problem))
                return bad_request(problem)
            self.calls.append((method, body))
            return 200, {"ok": True, "result": {"message_id": len(self.calls), **body}}

    def messages(self, chat_id) -> list[dict]:
        with self.lock:
            return [body for method, body in self.calls if method == "sendMessage" and str(body["chat_id"]) == str(chat_id)]

    def stop(self):
        self.api.close()
