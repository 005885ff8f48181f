"""A local stand-in for Slack's Web API `chat.postMessage` and `conversations.open`: checks each
call as Slack documents it and refuses what Slack refuses, with Slack's error shape (HTTP 200,
{"ok": false, "error": "no_text"}; invalid_blocks with response_metadata.messages;
HTTP 429 + Retry-After for `ratelimited`; `missing_scope` without `im:write`, `user_not_found`,
`users_list_not_supplied`, `cannot_dm_bot`). `fail_next` simulates an outage."""
from __future__ import annotations

import json
import threading
import urllib.parse

from devstack.fake_http import FakeHttpServer, Request

TEXT_LIMIT = 40_000
SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BLOCKS_LIMIT = 50
ELEMENTS_LIMIT = 25


def _text_object(value, pointer: str, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(value, dict) or value.get("type") not in (("plain_text",) if plain_only else ("plain_text", "mrkdwn")):
        return [f"[ERROR] must be a valid text object [json-pointer:{pointer}]"]
    text = value.get("text")
    if not isinstance(text, str) or not text:
        return [f"[ERROR] must be more than 0 characters [json-pointer:{pointer}/text]"]
    if len(text) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}/text]"]
    return []


def block_errors(blocks) -> list[str]:
    if not isinstance(blocks, list) or not blocks:
        return ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"] if isinstance(blocks, list) else \
            ["[ERROR] must be an array [json-pointer:/blocks]"]
    if len(blocks) > BLOCKS_LIMIT:
        return ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
    errors = []
    for index, block in enumerate(blocks):
        pointer = f"/blocks/{index}"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section":
            errors += _text_object(block.get("text"), f"{pointer}/text", SECTION_LIMIT)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 0 < len(elements) <= ELEMENTS_LIMIT:
                errors.append(f"[ERROR] must provide 1 to 25 items [json-pointer:{pointer}/elements]")
                continue
            action_ids = [element.get("action_id") for element in elements if element.get("action_id")]
            if len(action_ids) != len(set(action_ids)):
                errors.append(f"[ERROR] action_id must be unique [json-pointer:{pointer}/elements]")
            for number, element in enumerate(elements):
                where = f"{pointer}/elements/{number}"
                if element.get("type") != "button":
                    errors.append(f"[ERROR] unsupported type [json-pointer:{where}/type]")
                    continue
                errors += _text_object(element.get("text"), f"{where}/text", BUTTON_TEXT_LIMIT, plain_only=True)
                value = element.get("value")
                if value is not None and not 0 < len(str(value)) <= BUTTON_VALUE_LIMIT:
                    errors.append(f"[ERROR] must be less than 2001 characters [json-pointer:{where}/value]")
        else:
            errors.append(f"[ERROR] unsupported type `{kind}` [json-pointer:{pointer}/type]")
    return errors


class FakeSlackApi:
    def __init__(self, token: str, channels: set[str], users: set[str] | None = None, bots: set[str] = frozenset(),
                 scopes: set[str] = frozenset({"chat:write", "im:write"})):
        self.token, self.channels = token, channels
        self.users, self.bots, self.scopes = users, set(bots), set(scopes)  # users None: any U… id is a user
        self.direct: dict[str, str] = {}  # user -> the direct-message channel conversations.open gave
        self.posts: list[dict] = []
        self.refused: list[tuple[dict, str]] = []
        self.failures: list[tuple[int, dict, dict]] = []
        self.lock = threading.Lock()
        self.api = FakeHttpServer(self.respond, methods=("POST",))
        self.url = f"{self.api.url}/api/"

    def fail_next(self, count: int, kind: str = "http_503") -> None:
        answer = (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}) if kind == "ratelimited" \
            else (503, {"ok": False, "error": "service_unavailable"}, {})
        with self.lock:
            self.failures.extend([answer] * count)

    def body(self, request: Request) -> dict:
        content_type = request.headers.get("Content-Type", "")
        if "json" in content_type:
            return request.json()
        form = dict(urllib.parse.parse_qsl(request.body.decode()))
        if "blocks" in form:
            form["blocks"] = json.loads(form["blocks"])
        return form

    def open_direct(self, body: dict) -> tuple[int, dict]:
        """conversations.open for one user: the same D… channel every time, as Slack gives."""
        if "im:write" not in self.scopes:
            return 200, {"ok": False, "error": "missing_scope", "needed": "im:write",
                         "provided": ",".join(sorted(self.scopes))}
        users = [user for user in str(body.get("users") or "").split(",") if user]
        if not users:
            return 200, {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:
            return 200, {"ok": False, "error": "not_implemented_in_this_fake"}  # group DMs: not used here
        user = users[0]
        if user in self.bots:
            return 200, {"ok": False, "error": "cannot_dm_bot"}
        if not user.startswith(("U", "W")) or (self.users is not None and user not in self.users):
            return 200, {"ok": False, "error": "user_not_found"}
        channel = self.direct.setdefault(user, "D" + user[1:])
        self.channels.add(channel)
        return 200, {"ok": True, "channel": {"id": channel}}

    def check(self, request: Request, body: dict) -> str | tuple[str, list[str]] | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return "invalid_auth" if request.headers.get("Authorization") else "not_authed"
        if not request.path.rstrip("/").endswith("/chat.postMessage"):
            return "unknown_method"
        if body.get("channel") not in self.channels:
            return "channel_not_found"
        text, blocks = body.get("text"), body.get("blocks")
        if not (isinstance(text, str) and text.strip()) and not blocks and not body.get("attachments"):
            return "no_text"
        if isinstance(text, str) and len(text) > TEXT_LIMIT:
            return "msg_too_long"
        if blocks is not None:
            errors = block_errors(blocks)
            if errors:
                return "invalid_blocks", errors
        return None

    def respond(self, request: Request):
        with self.lock:
            if self.failures:
                return self.failures.pop(0)
            body = self.body(request)
            if request.path.rstrip("/").endswith("/conversations.open") and \
                    request.headers.get("Authorization") == f"Bearer {self.token}":
                return self.open_direct(body)
            problem = self.check(request, body)
            if isinstance(problem, tuple):
                self.refused.append((body, problem[0]))
                return 200, {"ok": False, "error": problem[0], "errors": problem[1],
                             "response_metadata": {"messages": problem[1]}}
            if problem:
                self.refused.append((body, problem))
                return 200, {"ok": False, "error": problem}
            self.posts.append(body)
            return 200, {"ok": True, "channel": body["channel"], "ts": f"1795485{len(self.posts):03d}.000100",
                         "message": {"text": body.get("text", ""), "type": "message"}}

    def to(self, channel: str) -> list[dict]:
        with self.lock:
            return [post for post in self.posts if post["channel"] == channel]

    def stop(self) -> None:
        self.api.close()
