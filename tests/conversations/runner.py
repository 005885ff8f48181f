"""Plays one conversation file against the whole stack and checks it: each turn's `expect:`,
the file's `goal:`, and every reply (replies.py). Keeps going after a failed check so the record
(for docs/conversations.md) covers the whole conversation; fails at the end with every problem.
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any, Optional

from contact_rules import mask_email
from devstack import CODE_IN_SMS, spoken_code
from tests.conversations import replies
from tests.conversations.harness import (
    CASE_NUMBER,
    DELIVERY_WAIT,
    DOCUMENTS,
    EMAIL_CHANGE_LINK,
    MINIMUM_TURNS,
    POLISH_MARKERS,
    RESET_PAGE,
    Conversation,
    _fold,
    assert_masked_phone,
    assert_phones_tried_masked,
    wrong_codes,
)
from tests.conversations.spec import Spec, Turn

_PLACEHOLDER = re.compile(r"\{(code|code_short|code_split|wrong_code)(?::(\+\d{6,15}))?\}")


class Stop(Exception):
    """The conversation cannot go on (a placeholder without a code)."""


class Run:
    def __init__(self, spec: Spec, stack):
        self.spec, self.stack = spec, stack
        self.talk = Conversation(stack, f"qa-{uuid.uuid4().hex[:16]}", spec.relative)
        self.problems: list[str] = []
        self.after_turn: list[dict] = []   # outbox sizes right after each reply
        self.wrong_used: list[str] = []

    # --- the customer's message -----------------------------------------------------------------
    def _code(self, phone: Optional[str]) -> str:
        sms = [m for m in self.talk.sms() if phone is None or m["to"] == phone]
        if not sms:
            self.talk._settle(lambda: any(phone is None or m["to"] == phone for m in self.talk.sms()), DELIVERY_WAIT)
            sms = [m for m in self.talk.sms() if phone is None or m["to"] == phone]
        if not sms:
            raise Stop(f"{{code}} used but no code was sent{' to ' + phone if phone else ''}")
        return self.stack.latest_code(sms[-1]["to"])

    def _fill(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            kind, phone = match.group(1), match.group(2)
            if kind == "wrong_code":
                latest = self._code(phone) if self.talk.sms() else "000000"
                wrong = wrong_codes(latest, len(self.wrong_used) + 1)[-1]
                self.wrong_used.append(wrong)
                return wrong
            code = self._code(phone)
            return {"code": code, "code_short": code[:5], "code_split": f"{code[:3]} {code[3:]}"}[kind]
        return _PLACEHOLDER.sub(replace, text)

    def _say(self, turn: Turn, following: Optional[Turn]):
        """The message; `backend_down` turns run with the backend stopped, started again before
        the next turn that does not say so."""
        if turn.clock_minutes is not None:
            moved = datetime.fromisoformat(self.spec.clock) + timedelta(minutes=turn.clock_minutes)
            self.stack.restart_backend(recovery_now=moved.isoformat())
        text = self._fill(turn.customer) * turn.repeat
        if turn.backend_down and "backend" in self.stack.services:
            self.stack.services.pop("backend").stop()
        try:
            return self.talk.say(text)
        finally:
            if "backend" not in self.stack.services and not (following and following.backend_down):
                self.stack.start_backend()

    # --- expectations ----------------------------------------------------------------------------
    def _check(self, number: int, key: str, value: Any, reply) -> None:
        talk, text = self.talk, reply.text
        account = self.spec.account or {}
        if key == "path":
            got = talk.turn_states()[number - 1].get("recovery_path")
            assert got == value, f"path is {got!r}, expected {value!r}"
        elif key == "code_sent_to":
            talk.assert_code_sent_to(value)
        elif key == "codes_sent":
            talk._settle(lambda: len(talk.sms()) >= int(value), DELIVERY_WAIT)
            assert len(talk.sms()) == int(value), f"{len(talk.sms())} codes sent so far, expected {value}"
        elif key == "no_code_sent":
            talk.assert_no_sms()
        elif key == "email_change_requested":
            talk.assert_email_change_requested(value)
        elif key == "no_email_change_to":
            talk.assert_no_email_change_to(value)
        elif key == "no_email_sent":
            talk._settle(lambda: bool(talk.emails()), 1.0)
            assert not talk.emails(), f"e-mails went to {[m['to'] for m in talk.emails()]}"
        elif key == "no_email_to":
            talk._settle(lambda: bool(talk.emails(value)), 1.0)
            assert not talk.emails(value), f"an e-mail went to {value}"
        elif key == "reset_sent":
            assert account, "reset_sent needs the file's account:"
            talk.assert_reset_sent(account["email"])
        elif key == "reset_steps_shown":
            assert RESET_PAGE in text, f"the reset page {RESET_PAGE} not shown"
        elif key == "login_hint_shown":
            assert account, "login_hint_shown needs the file's account:"
            masked = mask_email(account["email"])
            assert masked in text, f"the masked login {masked} not shown"
            assert account["email"].lower() not in talk.shown.lower(), "the full login address was shown"
        elif key == "documents_listed":
            self._documents(value, text)
        elif key == "case":
            self._case(value)
        elif key == "no_case":
            talk.assert_no_case()
        elif key in ("answered", "not_fallback"):
            state = talk.turn_states()[number - 1]
            assert not state.get("fallback"), f"answered by a fallback ({state.get('turn_outcome')})"
        elif key == "turn_outcome":
            got = talk.outcome_of(number)
            assert got == value, f"turn_outcome is {got!r}, expected {value!r}"
        elif key == "english":
            talk.assert_english(reply)
        elif key == "sms_language":
            talk._settle(lambda: bool(talk.sms()), DELIVERY_WAIT)
            texts = [message["text"] for message in talk.sms()]
            assert texts, "no SMS went out"
            wrong = [text for text in texts if _language_of(text) != value]
            assert not wrong, f"SMS not in {value}: {wrong}"
        elif key == "emails_language":
            talk._settle(lambda: bool(talk.emails()), DELIVERY_WAIT)
            mails = talk.emails()
            assert mails, "no e-mail went out"
            wrong = [mail["subject"] for mail in mails if _language_of(mail["subject"] + "\n" + mail["body"]) != value]
            assert not wrong, f"e-mails not in {value}: {wrong}"
        elif key in ("shown", "not_shown"):
            for fact in value if isinstance(value, list) else [value]:
                present = _fold(str(fact)) in _fold(text)
                assert present == (key == "shown"), f"{fact!r} {'not ' if key == 'shown' else ''}shown"
        elif key in ("shown_matching", "not_shown_matching"):
            found = re.search(value, text, re.S | re.I)
            assert bool(found) == (key == "shown_matching"), f"/{value}/ {'not ' if not found else ''}matched"
        elif key == "masked_phone":
            assert_masked_phone(talk, reply, value)
        elif key == "buttons_offered":
            offered = {button.get("payload") for button in reply.buttons}
            missing = [payload for payload in value if payload not in offered]
            assert not missing, f"buttons {missing} not offered (offered: {sorted(filter(None, offered))})"
        elif key == "differs_from_turn":
            other = talk.turns[int(value) - 1][1].text
            assert other != text, f"the same reply as turn {value}"
        else:  # spec.py lets no other key through
            raise AssertionError(f"unknown expect key {key}")

    def _documents(self, account_type: str, text: str) -> None:
        listed = DOCUMENTS[account_type]["en"] if self.spec.language == "en" else DOCUMENTS[account_type]
        wanted = [*listed["documents"], DOCUMENTS["send_to"]]
        missing = [item for item in wanted if _fold(item) not in _fold(text)]
        assert not missing, f"documents for {account_type} not listed (missing {missing[0][:60]!r})"

    def _case(self, fields: dict) -> None:
        case = self.talk.case()
        # Staff see the call-back number in full (sealed at rest); nothing else may hold one.
        digits = re.sub(r"\D", "", json.dumps({k: v for k, v in case.items() if k != "callback_phone"}))
        numbers = set((self.spec.account or {}).get("phones") or []) | {m["to"] for m in self.talk.sms()}
        full = [number for number in numbers if number[-9:] in digits]
        assert not full, f"the case holds full phone numbers {[n[:-3] + '***' for n in full]}"
        for name, wanted in fields.items():
            if name == "any_of":
                assert any(all(_matches(case.get(k), v) for k, v in option.items()) for option in wanted), \
                    f"the case matches none of {wanted}: {json.dumps(case, ensure_ascii=False)}"
            elif name == "phones_tried_masked":
                assert_phones_tried_masked(case, wanted)
            else:
                assert _matches(case.get(name), wanted), \
                    f"case {name} is {case.get(name)!r}, expected {wanted!r}: {json.dumps(case, ensure_ascii=False)}"

    # --- the goal ----------------------------------------------------------------------------------
    def _goal_turn(self) -> Optional[int]:
        """The first turn after which the goal's own outcome held (None: never)."""
        goal, talk = self.spec.goal, self.talk
        texts = [reply.text for _, reply in talk.turns]

        def first(held) -> Optional[int]:
            return next((n for n, text in enumerate(texts, 1) if held(text)), None)
        if goal == "password":
            return first(lambda text: RESET_PAGE in text)
        if goal == "no_login":
            masked = mask_email((self.spec.account or {}).get("email", ""))
            return first(lambda text: masked in text)
        if goal == "dead_email":
            talk._settle(lambda: any(EMAIL_CHANGE_LINK in m["body"] for m in talk.emails()), DELIVERY_WAIT)
            sent = [n for n, m in enumerate(talk.emails()) if EMAIL_CHANGE_LINK in m["body"]]
            if not sent:
                return None
            return next((n for n, marks in enumerate(self.after_turn, 1) if marks["emails"] > sent[0]),
                        len(self.after_turn))
        case_turn = first(lambda text: bool(CASE_NUMBER.search(text)))
        if goal == "handoff" or case_turn is None:
            return case_turn
        # documents: the list shown and a documents case opened
        listed = first(lambda text: _fold(DOCUMENTS["send_to"]) in _fold(text))
        try:
            reason = talk.case().get("reason")
        except AssertionError:
            return None
        return max(case_turn, listed) if listed and reason == "documents" else None

    # --- every reply -------------------------------------------------------------------------------
    def _reply_checks(self, states: list[dict]) -> list[dict]:
        account = self.spec.account or {}
        phones = set(account.get("phones") or []) | {m["to"] for m in self.talk.sms()}
        sms = self.talk.sms()
        customer_text = ""
        findings, mailbox_dead = [], False
        for number, (text, reply) in enumerate(self.talk.turns, 1):
            customer_text += " " + text.lower()
            state = states[number - 1] if number <= len(states) else {}
            # the engine's own path, not the intent: the model may be wrong where the engine was right
            mailbox_dead = mailbox_dead or state.get("recovery_path") == "dead_email"
            sent = sms[:self.after_turn[number - 1]["sms"]] if number <= len(self.after_turn) else sms
            facts = {"code_sent"} if sent else set()
            if mailbox_dead:
                facts.add("mailbox_dead")
            body = reply.text
            hidden = [account["email"]] if account.get("email") and account["email"].lower() not in customer_text \
                else []
            codes = [code for code in map(_code_in, sent) if code and code not in customer_text]
            findings.append({
                "empty": not body.strip(),
                "two_questions": len(replies.questions(body)) > 1,
                "questions": replies.questions(body),
                "contradictions": replies.contradictions(body, facts),
                "leaks": replies.leaks(body, phones, codes, hidden),
            })
        return findings

    # --- the whole conversation --------------------------------------------------------------------
    def play(self) -> dict:
        stopped = None
        try:
            for number, turn in enumerate(self.spec.turns, 1):
                reply = self._say(turn, self.spec.turns[number] if number < len(self.spec.turns) else None)
                self.after_turn.append({"sms": len(self.talk.sms()), "emails": len(self.talk.emails())})
                for key, value in turn.expect.items():
                    try:
                        self._check(number, key, value, reply)
                    except AssertionError as error:
                        self.problems.append(f"turn {number} {key}: {str(error).splitlines()[0]}")
        except Stop as error:
            stopped = str(error)
            self.problems.append(f"turn {len(self.talk.turns) + 1}: {stopped}")
        if self.stack.recovery_now != self.spec.clock:  # a turn moved the clock on
            self.stack.restart_backend(recovery_now=self.spec.clock)
        goal_turn = self._goal_turn() if self.spec.goal and not stopped else None
        if self.spec.goal and goal_turn is None and not stopped:
            self.problems.append(f"goal {self.spec.goal} not reached")
        try:
            states = self.talk.turn_states()
        except Exception as error:  # the report must not hide the conversation's own result
            states, _ = [], self.problems.append(f"tracker not readable: {error!r}")
        findings = self._reply_checks(states)
        if self.spec.language == "en":
            for number, (_, reply) in enumerate(self.talk.turns, 1):
                if not _english(reply.text):
                    self.problems.append(f"turn {number}: the reply is not English")
        for number, finding in enumerate(findings, 1):
            kinds = {"empty": finding["empty"], "two_questions": finding["two_questions"],
                     "contradiction": finding["contradictions"], "leak": finding["leaks"]}
            for kind, found in kinds.items():
                if found and kind in replies.FAILING:
                    detail = found if isinstance(found, list) else finding["questions"] if kind == "two_questions" else ""
                    self.problems.append(f"turn {number}: {kind.replace('_', ' ')} {detail or ''}".rstrip())
        return self._record(goal_turn, states, findings)

    def _record(self, goal_turn: Optional[int], states: list[dict], findings: list[dict]) -> dict:
        goal = None
        if self.spec.goal and goal_turn:
            goal = {"path": self.spec.goal, "turns": goal_turn, "minimum": MINIMUM_TURNS[self.spec.goal],
                    "tracker_path": (states[goal_turn - 1].get("recovery_path")
                                     if goal_turn <= len(states) else None)}
        turns = []
        for number, (text, _) in enumerate(self.talk.turns, 1):
            state = states[number - 1] if number <= len(states) else {}
            turns.append({"text": text[:200], **state, **findings[number - 1]})
        spec = self.spec
        return {"name": spec.relative, "title": spec.name, "group": spec.group, "written": spec.written,
                "language": spec.language, "office": spec.office, "wanted_goal": spec.goal,
                "known_defect": spec.known_defect, "goal": goal, "customer_turns": len(self.talk.turns),
                "tracker_turns": len(states), "problems": list(self.problems), "turns": turns}


def _english(text: str) -> bool:
    """English prose, the documents list included (backend/config/documents.yml has it in English)."""
    prose = _fold(text)
    return bool(prose.strip()) and not POLISH_MARKERS.search(re.sub(r"https?://\S+", "", prose))


def _language_of(text: str) -> str:
    """The language of an SMS or e-mail the backend sent: Polish when it has Polish prose."""
    return "pl" if POLISH_MARKERS.search(re.sub(r"https?://\S+", "", text or "")) else "en"


def _code_in(message: dict) -> Optional[str]:
    """The code an SMS holds, or a call read aloud."""
    found = CODE_IN_SMS.search(message.get("text") or "")
    return found.group(1) if found else (spoken_code(message.get("text") or "") or None)


def _matches(value: Any, wanted: Any) -> bool:
    """A case field against the file: equal, or {contains: x}, {not_contains: x}, {present: bool}."""
    if isinstance(wanted, dict):
        text = json.dumps(value, ensure_ascii=False).lower() if not isinstance(value, str) else value.lower()
        checks = {"contains": lambda x: str(x).lower() in text, "not_contains": lambda x: str(x).lower() not in text,
                  "present": lambda x: bool(value) == bool(x)}
        return all(checks[op](argument) for op, argument in wanted.items())
    return value == wanted
