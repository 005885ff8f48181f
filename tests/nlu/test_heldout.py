"""The model on messages it never trained on: accuracy, out-of-scope safety,
and diacritics that make no difference."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from components.polish_tokenizer import fold
from devstack import latest_model

HELDOUT = Path(__file__).with_name("heldout.yml")
TRAINING = Path(__file__).parents[2] / "data" / "nlu"
RECOVERY_STARTERS = {"forgot_password", "email_not_working", "no_login_data", "lost_access", "request_human",
                     "account_private", "account_company", "no_phone_access", "code_not_received",
                     "reset_mail_missing", "use_sms", "resend_code", "outside_procedure"}
# Fallbacks count as misses. Measured 0.930 on 2026-11-25 (228 messages, 36 intents); the aim is 0.95.
MIN_ACCURACY = 0.90


@pytest.fixture(scope="module")
def parse():
    agent = Agent.load(str(latest_model()))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


@pytest.fixture(scope="module")
def results(parse):
    examples = load_data(str(HELDOUT)).intent_examples
    return [(example.get("text"), example.get("intent"), parse(example.get("text"))["intent"]["name"])
            for example in examples]


def test_intent_accuracy_on_unseen_phrasings(results):
    wrong = [(text, expected, got) for text, expected, got in results if expected != got]
    accuracy = 1 - len(wrong) / len(results)
    assert accuracy >= MIN_ACCURACY, f"accuracy {accuracy:.3f}; misses: {wrong}"


def test_out_of_scope_never_starts_a_recovery(results):
    started = [(text, got) for text, expected, got in results if expected == "out_of_scope" and got in RECOVERY_STARTERS]
    assert started == []


def test_diacritics_make_no_difference(parse):
    for with_marks in ("zapomniałem hasła", "nie działa mi skrzynka", "chcę rozmawiać z człowiekiem",
                       "jakie dokumenty są potrzebne", "nie mam już tego telefonu"):
        plain = parse(fold(with_marks))["intent"]
        marked = parse(with_marks)["intent"]
        assert plain["name"] == marked["name"] and plain["confidence"] == pytest.approx(marked["confidence"])


def _same_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w@.]+", " ", fold(text)).split())


def test_no_heldout_message_is_trained_on():
    trained = {_same_text(example.get("text")) for example in load_data(str(TRAINING)).intent_examples}
    leaked = [example.get("text") for example in load_data(str(HELDOUT)).intent_examples
              if _same_text(example.get("text")) in trained]
    assert leaked == []
