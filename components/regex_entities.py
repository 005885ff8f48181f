"""Rasa's RegexEntityExtractor, minus one condition: it keeps every regex of the
training data, not only those whose name an annotated example uses.

Rasa's extractor drops a regex unless some training example annotates that
entity. This project annotates nothing (phone, e-mail and code come only from
regexes, so annotations would teach nothing and go stale), which would leave
Rasa's extractor with no patterns and every form without its entities.
Regexes in data/nlu are written for extraction only, so all of them count.
"""
from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.regex_entity_extractor import RegexEntityExtractor
from rasa.nlu.utils import pattern_utils
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class UnannotatedRegexEntityExtractor(RegexEntityExtractor):
    def train(self, training_data: TrainingData) -> Resource:
        self.patterns = pattern_utils.extract_patterns(
            training_data,
            use_lookup_tables=self._config["use_lookup_tables"],
            use_regexes=self._config["use_regexes"],
            use_only_entities=False,
            use_word_boundaries=self._config["use_word_boundaries"],
        )
        # Rasa only warns when there is nothing to extract; a model that can never
        # fill the phone, e-mail or code slots must not be trained at all.
        if not self.patterns:
            raise InvalidConfigException("No regexes in the NLU data: phone, email and code cannot be extracted.")
        self.persist()
        return self._resource
