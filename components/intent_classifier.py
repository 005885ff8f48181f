"""Rasa's LogisticRegressionClassifier with the same training, the same model
file and the same probabilities, predicting a message in a fifth of the time.

Why it exists: in Rasa 3.6.21 classifying one message cost about 6 of the
7 ms that understanding takes (docs/benchmarks.md), for two reasons that grow
with the vocabulary and not with the message:
- scikit-learn multiplies the message's sparse row by ``coef_.T``, a transposed
  view that scipy copies whole (intents × n-grams) on every call; stored in
  Fortran order the transpose is already contiguous and nothing is copied;
- the row was built from ``Message.get_sparse_features``, which deep-copies and
  joins the sequence features too (this classifier reads only the sentence
  ones), one hstack per featurizer.
Both replacements give bit-for-bit the same numbers (tests/nlu/test_intent_classifier.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack


def sentence_row(message: Message) -> csr_matrix:
    """The message's sentence features as one row, in the order Rasa joins them
    (sparse featurizers in pipeline order, then the dense ones)."""
    sparse, dense = [], []
    for features in message.features:
        if features.attribute == TEXT and features.type == FEATURE_TYPE_SENTENCE:
            (sparse if features.is_sparse() else dense).append(features.features)
    if dense:
        sparse.append(csr_matrix(np.concatenate(dense, axis=-1)))
    if not sparse:
        return csr_matrix((1, 0))
    return hstack(sparse, format="csr")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    def _create_X(self, messages: list[Message]) -> csr_matrix:  # noqa: N802 (Rasa's name)
        return vstack([sentence_row(message) for message in messages], format="csr")

    def process(self, messages: list[Message]) -> list[Message]:
        coefficients: Any = getattr(self.clf, "coef_", None)
        if coefficients is not None and not coefficients.flags.f_contiguous:
            self.clf.coef_ = np.asfortranarray(coefficients)
        return super().process(messages)
