"""A whitespace tokenizer that lower-cases and folds Polish diacritics, so that
"Hasło", "hasło" and "haslo" become the same feature. Customers type without
Polish letters as often as with them.

Digits are folded too (every digit reads as 0): the model should learn that a
message is "a nine-digit number" or "a six-digit number", not remember the
particular numbers in the training examples.

Folding maps one character to one character, so token offsets still point into
the original text; entities are extracted from the original text anyway.
"""
from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

_DIACRITICS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
_DIGIT = re.compile(r"\d")


def fold(text: str) -> str:
    """Lower case without Polish diacritics: "Zażółć" -> "zazolc"."""
    return text.translate(_DIACRITICS).lower()


def fold_digits(text: str) -> str:
    return _DIGIT.sub("0", text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class PolishFoldingTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "intent_tokenization_flag": False, "fold_digits": True}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            folded = fold(token.text)
            if self._config["fold_digits"]:
                folded = fold_digits(folded)
            # Count vectors read the lemma (which WhitespaceTokenizer sets to the text), so fold both.
            token.text = folded
            token.lemma = folded
        return tokens
