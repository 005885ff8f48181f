"""Customers' questions (questions.yml, never trained on) asked in the middle of a step through the
running stack, in Polish and in English: each gets its own answer — the intent is recorded in the
`turn_answers` slot — and the pending step stays. Closing words and small talk get a short answer,
keep the step and are never a fallback."""
from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from components.polish_tokenizer import fold

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = yaml.safe_load(Path(__file__).with_name("questions.yml").read_text(encoding="utf-8"))
ANSWERS = yaml.safe_load((REPO / "domain" / "answers.yml").read_text(encoding="utf-8"))
START = {"pl": "nie dziala mi skrzynka mailowa z konta, numer w panelu {phone}",
         "en": "the mailbox on my account is dead, my phone in the panel is {phone}"}
_numbers = random.Random(18)


def _same_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w@.]+", " ", fold(text)).split())


def _phone() -> str:
    """A mobile number no account has: the backend answers it like any other (uniform answers)."""
    return "79" + "".join(str(_numbers.randrange(10)) for _ in range(7))


class Conversation:
    def __init__(self, stack, language: str):
        self.stack, self.sender = stack, f"questions-{uuid.uuid4().hex[:16]}"
        self.say(START[language].format(phone=_phone()))
        assert self.slots()["recovery"]["step"] == "code", "the code step is pending"

    def say(self, text: str) -> list[dict]:
        return self.stack.say(self.sender, text)

    def slots(self) -> dict:
        return self.stack.tracker(f"rest:{self.sender}").get("slots") or {}


def test_there_are_forty_questions_answered_from_data():
    answered_from_data = set(ANSWERS["intents"]) - {"check_presence"}
    assert len(answered_from_data) >= 35
    assert {f"utter_{intent}" for intent in ANSWERS["intents"]} == set(ANSWERS["responses"])
    assert len(QUESTIONS["questions"]) >= 40
    assert answered_from_data <= {question["intent"] for question in QUESTIONS["questions"]}


def test_no_question_is_trained_on():
    trained = {_same_text(example.get("text")) for example in load_data(str(REPO / "data" / "nlu")).intent_examples}
    asked = [text for question in QUESTIONS["questions"] for text in (question["pl"], question["en"])]
    assert [text for text in asked if _same_text(text) in trained] == []


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_question_gets_its_own_answer_and_the_step_stays(stack, language):
    missed = []
    for question in QUESTIONS["questions"]:
        talk = Conversation(stack, language)
        replies = talk.say(question[language])
        slots = talk.slots()
        if (question["intent"] not in (slots.get("turn_answers") or []) or slots["recovery"]["step"] != "code"
                or not any(reply.get("text") for reply in replies)):
            missed.append((question["intent"], question[language], slots.get("turn_answers"),
                           slots["recovery"]["step"]))
    assert missed == []


def test_answers_come_in_the_conversation_s_language(stack):
    for language, other in (("pl", "en"), ("en", "pl")):
        talk = Conversation(stack, language)
        question = next(q for q in QUESTIONS["questions"] if q["intent"] == "ask_cover_id")
        text = " ".join(reply.get("text") or "" for reply in talk.say(question[language]))
        variants = ANSWERS["responses"]["utter_ask_cover_id"]
        expected = next(v["text"] for v in variants if bool(v.get("condition")) == (language == "en"))
        unexpected = next(v["text"] for v in variants if bool(v.get("condition")) == (other == "en"))
        assert expected in text and unexpected not in text


@pytest.mark.parametrize("text", QUESTIONS["small_talk"])
def test_closing_words_and_small_talk_keep_the_step(stack, text):
    talk = Conversation(stack, "en" if re.search(r"[a-z]+", text) and not re.search(
        r"dzi|dobrze|halo|jeste|jest|widzenia", text) else "pl")
    replies = talk.say(text)
    slots = talk.slots()
    assert slots["turn_outcome"] != "fallback" and slots["recovery"]["step"] == "code"
    assert any(reply.get("text") for reply in replies)
