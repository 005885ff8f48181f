"""One structured line per message in Rasa, the action server and the backend, joined by one request id
and the conversation's pseudonym (runtime/message_log.py), through the whole stack; and nothing the
customer typed, nor the conversation's id, in those lines."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from runtime.pseudonym import pseudonym

PHONE_TYPED = "609 871 233"          # no account has it: the backend answers alike and no other test uses it


def structured(log: Path, event: str) -> list[dict]:
    found = []
    for text in log.read_text(errors="replace").splitlines():
        start = text.find('{"')
        if start < 0:
            continue
        try:
            entry = json.loads(text[start:])
        except ValueError:
            continue
        if entry.get("event") == event:
            found.append(entry | {"_line": text})
    return found


def test_a_message_is_one_line_in_each_process_with_one_request_id(stack):
    sender = f"logs-{uuid.uuid4().hex[:8]}"
    conversation = pseudonym(f"rest:{sender}", stack.action_token)
    stack.say(sender, f"nie dziala mi poczta od panelu, tel {PHONE_TYPED}")
    deadline = time.monotonic() + 10
    while True:
        messages = [entry for entry in structured(stack.workdir / "rasa.log", "message")
                    if entry.get("conversation") == conversation]
        turns = [entry for entry in structured(stack.workdir / "actions.log", "turn")
                 if entry.get("conversation") == conversation]
        if (messages and turns) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(messages) == 1 and len(turns) == 1, (messages, turns)
    request_id = messages[0]["request_id"]
    assert request_id.startswith("r-") and turns[0]["request_id"] == request_id
    assert messages[0]["channel"] == "rest" and messages[0]["outcome"] == "ok" and messages[0]["replies"] >= 1
    assert turns[0]["path"] == "dead_email" and "proof_started" in turns[0]["stages"]
    requests = [entry for entry in structured(stack.workdir / "backend.log", "request")
                if entry.get("request_id") == request_id]
    assert requests and all(entry["conversation"] == conversation for entry in requests)
    assert {entry["route"] for entry in requests} >= {"/api/v1/phone-verifications"}
    for entry in (*messages, *turns, *requests):
        for secret in (sender, "871", "nie dziala"):
            assert secret not in entry["_line"], entry["_line"]
