"""The one rule routes every message to the turn: an intent of the domain missing from it is a
message Rasa answers with nothing (the rule is what the policy learns; there is no fallback story)."""
from __future__ import annotations

from pathlib import Path

import yaml

from actions.engine.validation import domain_intents

RULES = Path(__file__).resolve().parents[2] / "data" / "rules.yml"


def test_every_intent_of_the_domain_is_a_turn():
    rule = yaml.safe_load(RULES.read_text())["rules"][0]
    routed = {step["intent"] for step in rule["steps"][0]["or"]}
    assert domain_intents() - routed == set(), "add them to data/rules.yml"
    assert routed - domain_intents() == {"nlu_fallback"}, "not intents of the domain (Rasa adds nlu_fallback)"
