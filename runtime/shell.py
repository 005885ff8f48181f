"""`make shell`: a conversation in the terminal with the assistant `make run` is running, through
its protected REST channel (channels/rest.py: bearer token, conversation `rest:shell-…`).

`rasa shell` would start Rasa's stock REST channel — no token, on all interfaces — into the same
conversation store, where any local client could continue any `rest:` conversation. This client
starts no server: it posts each line with `REST_API_TOKEN` (and an Idempotency-Key, so a lost
answer can be asked for again) and prints the answer; a number picks a button.
"""
from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Optional

PROMPT = "Ty: "


def _post(url: str, token: str, body: dict, key: str) -> list:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def converse(url: str, token: str, read: Callable[[str], str] = input, write: Callable[[str], None] = print,
             sender: Optional[str] = None) -> int:
    sender = sender or f"shell-{secrets.token_hex(6)}"
    write(f"Rozmowa rest:{sender} (Ctrl-D kończy).")
    buttons: list = []
    while True:
        try:
            line = read(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            return 0
        if line.isdigit() and 0 < int(line) <= len(buttons):
            line = buttons[int(line) - 1]["payload"]
        key = secrets.token_hex(12)
        for attempt in range(3):
            try:
                answer = _post(url, token, {"sender": sender, "message": line}, key)
                break
            except urllib.error.HTTPError as error:
                if error.code in (502, 503, 504) and attempt < 2:
                    continue  # the same key: never a second turn
                write(f"[{error.code}] {error.read().decode(errors='replace')[:300]}")
                return 1
            except urllib.error.URLError as error:
                write(f"Asystent nie odpowiada pod {url} ({error.reason}); czy działa `make run`?")
                return 1
        buttons = []
        for message in answer:
            if message.get("text"):
                write(f"Asystent: {message['text']}")
            for button in message.get("buttons") or []:
                buttons.append(button)
                write(f"  {len(buttons)}. {button.get('title')}")


def main() -> int:
    token = os.environ.get("REST_API_TOKEN", "")
    if not token:
        print("REST_API_TOKEN is not set: `make shell` talks to the protected REST channel of `make run`.",
              file=sys.stderr)
        return 2
    base = f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:{os.environ.get('RASA_PORT', '5005')}"
    return converse(base + "/webhooks/rest/webhook", token)


if __name__ == "__main__":
    sys.exit(main())
