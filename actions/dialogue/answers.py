"""Answers to customers' questions, kept as data: the domain's responses `utter_<intent>`
(domain/answers.yml). Rasa sends the domain with every call to the action server, so the
answers come from the trained model's own domain, never from a second copy.

A response's variant without a condition is the Polish one; a variant with the condition
`language: en` is the English one. `[[one|many]]` and `{company fields}` are filled like every
other text (texts.py).
"""
from __future__ import annotations

from typing import Any, Optional

from . import texts

PREFIX = "utter_"


class Answers:
    def __init__(self, responses: Optional[dict[str, list[dict]]] = None):
        self._responses = responses or {}

    @classmethod
    def from_domain(cls, domain: Optional[dict]) -> Answers:
        """The responses that answer an intent: `utter_<intent>` with a text (not a custom payload)."""
        responses = (domain or {}).get("responses") or {}
        return cls({name[len(PREFIX):]: variants for name, variants in responses.items()
                    if name.startswith(PREFIX) and any(variant.get("text") for variant in variants or [])})

    def __contains__(self, intent: object) -> bool:
        return intent in self._responses

    @property
    def intents(self) -> set[str]:
        return set(self._responses)

    def render(self, intent: str, language: str, plural: bool, **fields: Any) -> str:
        chosen = None
        for variant in self._responses[intent]:
            languages = {condition.get("value") for condition in variant.get("condition") or []
                         if condition.get("name") == "language"}
            if languages == {language} or (not languages and chosen is None):
                chosen = variant
        return texts.fill((chosen or self._responses[intent][0])["text"], plural, **fields)
