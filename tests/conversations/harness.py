"""One customer conversation through Rasa's REST channel against the whole stack, and the
outcomes the conversation tests check: SMS and e-mails in the outboxes, cases in the backend's
staff API, what the customer was shown (masked forms in, full addresses out).

Every check is about an outcome, never about wording. For the report (docs/conversations.md)
each conversation also records the turns it took to reach its goal and, per turn, what Rasa's
tracker says: the `turn_outcome` and `recovery_path` slots the dialogue sets (docs/dialogue.md).
"""
from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

# Minimum customer turns to each path's goal, from the dialogue contract (docs/dialogue.md).
MINIMUM_TURNS = {"password": 1, "dead_email": 3, "no_login": 3, "documents": 3, "handoff": 2}
PATHS = tuple(MINIMUM_TURNS)

# The backend answers before it delivers (to a local outbox, within milliseconds): how long to
# wait for a message that should come, and how long to watch for one that should not. Only a
# conversation whose message never comes waits the whole time.
DELIVERY_WAIT, NO_DELIVERY_WAIT = 5.0, 1.0
CASE_NUMBER = re.compile(r"ODZ-\d{8}-\d{4}")
RESET_PAGE = "index.php?rp=/password/reset"
EMAIL_CHANGE_LINK = "/email-change/confirm?t="
DOCUMENTS = yaml.safe_load((Path(__file__).resolve().parents[2] / "backend" / "config" / "documents.yml")
                           .read_text(encoding="utf-8"))
# What Rasa runs when it did not understand, for dialogues that do not set `turn_outcome`.
FALLBACK_ACTIONS = {"action_default_fallback", "utter_default", "utter_please_rephrase"}
POLISH_MARKERS = re.compile(r"[ąćęłńóśźż]|\b(nie|się|prosz\w*|Pan|Pani|Państw\w*|jest|oraz|numer)\b", re.I)


def _fold(text: str) -> str:
    """Whitespace-insensitive comparison: lists may be rendered with other line breaks."""
    return " ".join((text or "").split())


@dataclass
class Reply:
    messages: list[dict]

    @property
    def text(self) -> str:
        return "\n".join(message.get("text") or "" for message in self.messages)

    @property
    def buttons(self) -> list[dict]:
        return [button for message in self.messages for button in message.get("buttons") or []]


class Conversation:
    def __init__(self, stack, sender: str, name: str):
        self.stack, self.sender, self.name = stack, sender, name
        self.turns: list[tuple[str, Reply]] = []
        self.goal: Optional[dict] = None
        # The outboxes are shared by the whole test session; tests run one at a time.
        self._sms_mark = len(stack.sms_messages())
        self._call_mark = len(stack.calls())
        self._email_mark = len(stack.emails())

    # --- talking -----------------------------------------------------------------------------
    def say(self, text: str) -> Reply:
        reply = Reply(self.stack.say(self.sender, text))
        self.turns.append((text, reply))
        return reply

    def reached(self, path: str) -> None:
        """The conversation's goal was reached with the last message (checked by the caller)."""
        assert path in PATHS, path
        self.goal = {"path": path, "turns": len(self.turns), "minimum": MINIMUM_TURNS[path]}

    @property
    def shown(self) -> str:
        return "\n".join(reply.text for _, reply in self.turns)

    def transcript(self) -> str:
        lines = []
        for number, (text, reply) in enumerate(self.turns, 1):
            lines.append(f"[{number}] customer: {text}")
            for message in reply.messages:
                if message.get("text"):
                    lines.append("      bot: " + message["text"].replace("\n", "\n           "))
                if message.get("buttons"):
                    lines.append("      buttons: " + ", ".join(f"{b.get('title')} -> {b.get('payload')}"
                                                            for b in message["buttons"]))
                if message.get("custom"):
                    lines.append("      custom: " + json.dumps(message["custom"], ensure_ascii=False)[:200])
        return "\n".join(lines)

    # --- SMS ---------------------------------------------------------------------------------
    def sms(self) -> list[dict]:
        """Codes sent in this conversation: SMS, then voice calls (a landline hears its code)."""
        return self.stack.sms_messages()[self._sms_mark:] + self.stack.calls()[self._call_mark:]

    def code(self, phone: str) -> str:
        """The latest code texted to `phone` in this conversation."""
        self.assert_code_sent_to(phone)
        return self.stack.latest_code(phone)

    def _settle(self, ready, timeout: float) -> None:
        """The backend may deliver after it answered (uniform timing): poll a little."""
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)

    def assert_code_sent_to(self, phone: str, times: Optional[int] = None) -> None:
        """A code went to `phone` — and no SMS went to any other number."""
        self._settle(lambda: [m["to"] for m in self.sms()].count(phone) >= (times or 1), DELIVERY_WAIT)
        numbers = [message["to"] for message in self.sms()]
        assert phone in numbers, f"no SMS to {phone} (SMS sent: {numbers})\n{self.transcript()}"
        assert set(numbers) == {phone}, f"SMS to a wrong number: {numbers}\n{self.transcript()}"
        if times is not None:
            assert numbers.count(phone) == times, f"{numbers.count(phone)} SMS to {phone}, expected {times}\n" \
                                                  f"{self.transcript()}"

    def assert_no_sms(self) -> None:
        self._settle(lambda: bool(self.sms()), NO_DELIVERY_WAIT)
        numbers = [message["to"] for message in self.sms()]
        assert not numbers, f"SMS sent to {numbers}\n{self.transcript()}"

    # --- e-mail ------------------------------------------------------------------------------
    def emails(self, to: Optional[str] = None) -> list[dict]:
        return [mail for mail in self.stack.emails()[self._email_mark:] if to is None or mail["to"] == to]

    def assert_email_change_requested(self, new_email: str) -> None:
        """The backend was asked to change the login address: the confirmation link went to it."""
        self._settle(lambda: any(EMAIL_CHANGE_LINK in m["body"] for m in self.emails(new_email)), DELIVERY_WAIT)
        mails = [mail for mail in self.emails(new_email) if EMAIL_CHANGE_LINK in mail["body"]]
        assert mails, f"no confirmation e-mail to {new_email}\n{self.transcript()}"

    def assert_no_email_change_to(self, address: str) -> None:
        """No confirmation link went to `address` (the old address does get a notice of the change)."""
        self._settle(lambda: any(EMAIL_CHANGE_LINK in m["body"] for m in self.emails(address)), NO_DELIVERY_WAIT)
        mails = [mail for mail in self.emails(address) if EMAIL_CHANGE_LINK in mail["body"]]
        assert not mails, f"a confirmation e-mail went to {address}\n{self.transcript()}"

    def assert_reset_sent(self, account_email: str) -> None:
        """The panel's password-reset link went to the account's (real) address."""
        self._settle(lambda: any(RESET_PAGE in m["body"] for m in self.emails(account_email)), DELIVERY_WAIT)
        mails = [mail for mail in self.emails(account_email) if RESET_PAGE in mail["body"]]
        assert mails, f"no password-reset e-mail to {account_email}\n{self.transcript()}"

    # --- what the customer was shown ------------------------------------------------------------
    def assert_shown(self, fragment: str) -> None:
        assert _fold(fragment) in _fold(self.shown), f"{fragment!r} never shown\n{self.transcript()}"

    def assert_masked_hint(self, masked: str, full: str) -> None:
        self.assert_shown(masked)
        assert full.lower() not in self.shown.lower(), f"the full address {full} was shown\n{self.transcript()}"

    def assert_reset_steps(self) -> None:
        self.assert_shown(RESET_PAGE)

    def assert_documents_listed(self, account_type: str) -> None:
        """The backend's documents texts for this account type were shown."""
        for document in DOCUMENTS[account_type]["documents"]:
            self.assert_shown(document)
        self.assert_shown(DOCUMENTS["send_to"])

    def assert_english_documents(self, account_type: str) -> None:
        """In English the texts may be translated: the address to send to and the register names stay."""
        self.assert_shown(DOCUMENTS["send_to"])
        for name in {"company": ("KRS", "CEIDG"), "private": ("VAT",)}[account_type]:
            self.assert_shown(name)

    def assert_english(self, reply: Reply) -> None:
        """An English answer: not a Polish one (no Polish letters or common Polish words)."""
        text = reply.text
        # Texts quoted from configuration (document names, URLs) may stay Polish; prose may not.
        prose = re.sub(r"https?://\S+", "", text)
        assert prose.strip() and not POLISH_MARKERS.search(prose), f"not an English answer: {text!r}\n" \
                                                                   f"{self.transcript()}"

    # --- cases -------------------------------------------------------------------------------
    def cases(self) -> list[dict]:
        request = urllib.request.Request(f"{self.stack.backend_url}/api/v1/cases",
                                         headers={"X-API-Key": self.stack.staff_key})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["cases"]

    def case(self) -> dict:
        """The one case of this conversation: its number was shown to the customer, and no other case
        carries the conversation's id (a second request brings the one case up to date)."""
        numbers = set(CASE_NUMBER.findall(self.shown))
        conversation = self.conversation_id()
        mine = [case for case in self.cases()
                if case["case_number"] in numbers or case.get("conversation_id") in (conversation, self.sender)]
        assert len(mine) == 1, f"expected one case, found {len(mine)} (numbers shown: {numbers})\n{self.transcript()}"
        return mine[0]

    def explain(self, case: dict) -> str:
        """A failed check on a case: the whole case and the conversation."""
        return json.dumps(case, ensure_ascii=False) + "\n" + self.transcript()

    def assert_no_case(self) -> None:
        numbers = set(CASE_NUMBER.findall(self.shown))
        assert not numbers, f"a case was opened: {numbers}\n{self.transcript()}"

    # --- the tracker, for the report ------------------------------------------------------------
    def conversation_id(self) -> str:
        """The REST sender, possibly prefixed by the channel (rest:<sender>): ask the tracker store."""
        store = self.stack.workdir / "rasa-tracker.sqlite3"
        if store.exists():
            with sqlite3.connect(store) as db:
                ids = [row[0] for row in db.execute(
                    "SELECT DISTINCT sender_id FROM events WHERE sender_id = ? OR sender_id LIKE ?",
                    (self.sender, f"%{self.sender}"))]
            if ids:
                return self.sender if self.sender in ids else sorted(ids, key=len)[0]
        return self.sender

    def turn_states(self) -> list[dict]:
        """Per customer turn: intent, `turn_outcome`, `recovery_path`, and whether it was a fallback."""
        events = self.stack.tracker(self.conversation_id()).get("events") or []
        turns: list[dict] = []
        path = None
        for event in events:
            kind = event.get("event")
            if kind == "user":
                intent = (event.get("parse_data") or {}).get("intent") or {}
                turns.append({"intent": intent.get("name"), "confidence": intent.get("confidence"),
                              "turn_outcome": None, "recovery_path": path, "actions": []})
            elif not turns:
                continue
            elif kind == "slot" and event.get("name") == "turn_outcome":
                turns[-1]["turn_outcome"] = event.get("value")
            elif kind == "slot" and event.get("name") == "recovery_path":
                path = turns[-1]["recovery_path"] = event.get("value")
            elif kind == "action" and event.get("name") not in ("action_listen", None):
                turns[-1]["actions"].append(event["name"])
        slot_based = any(turn["turn_outcome"] for turn in turns)
        for turn in turns:
            if slot_based:
                turn["fallback"] = turn["turn_outcome"] == "fallback"
            else:
                turn["fallback"] = turn["intent"] == "nlu_fallback" or bool(FALLBACK_ACTIONS & set(turn["actions"]))
            turn["fallback_source"] = "turn_outcome" if slot_based else "actions"
        return turns

    def outcome_of(self, turn: int) -> Optional[str]:
        """`turn_outcome` of a customer turn (1-based)."""
        states = self.turn_states()
        return states[turn - 1]["turn_outcome"] if len(states) >= turn else None

    def record(self, passed: bool) -> dict:
        try:
            states = self.turn_states()
        except Exception as error:  # the report must not hide the test's own result
            states = [{"error": repr(error)}]
        goal = dict(self.goal) if self.goal else None
        if goal and 0 < goal["turns"] <= len(states):
            goal["tracker_path"] = states[goal["turns"] - 1].get("recovery_path")
        return {
            "name": self.name, "passed": passed, "goal": goal, "customer_turns": len(self.turns),
            "tracker_turns": len(states),
            "turns": [{"text": text[:200], **state} for (text, _), state in zip(self.turns, states, strict=False)],
        }



def wrong_codes(code: str, count: int) -> list[str]:
    """Six-digit codes that are not `code`."""
    return [f"{(int(code) + 111111 * step) % 1_000_000:06d}" for step in range(1, count + 1)]


def assert_masked_phone(talk: Conversation, reply: Reply, e164: str) -> None:
    """The number is named in a masked form: its last digits, never all nine."""
    digits = re.sub(r"\D", "", reply.text)
    assert e164[-3:] in reply.text and e164[-9:] not in digits, f"masked {e164} not named\n{talk.transcript()}"


def assert_phones_tried_masked(case: dict, e164: str) -> None:
    """The case names the number tried, masked (+48 51* *** *61): its last digits, never all of it."""
    tried = [re.sub(r"\s", "", phone) for phone in case.get("phones_tried") or []]
    assert any(phone.endswith(e164[-2:]) and "*" in phone for phone in tried), json.dumps(case)
    assert not any(e164[-9:] in re.sub(r"\D", "", phone) for phone in tried), json.dumps(case)
