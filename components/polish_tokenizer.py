"""A whitespace tokenizer that lower-cases and folds Polish diacritics, so
that "Hasło", "hasło" and "haslo" become the same feature. Customers type
without Polish letters as often as with them.

Folding maps one character to one character, so token offsets still point
into the original text and regex entity extraction is unaffected.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def fold(text: str) -> str:
    return text.translate(_FOLD).lower()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class PolishFoldingTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "intent_tokenization_flag": False}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            # Count vectors read the lemma (which defaults to the original text), so fold both.
            token.text = fold(token.text)
            token.lemma = fold(token.lemma or token.text)
        return tokens
