"""The project's intent classifier gives exactly what Rasa's LogisticRegressionClassifier
gives (rankings and confidences), from features laid out as Rasa's featurizers lay them."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import random as sparse_random

from components.intent_classifier import FastLogisticRegressionClassifier

INTENTS = ["forgot_password", "email_not_working", "no_login_data", "ask_hours"]


def featurized(rng: np.random.Generator, intent: str | None = None) -> Message:
    """A message as the pipeline leaves it: two sparse featurizers and a dense one,
    each with sequence and sentence features, the intent leaving a trace in them."""
    message = Message(data={TEXT: "x", **({INTENT: intent} if intent else {})})
    tokens = int(rng.integers(1, 6))
    for origin, width in (("words", 40), ("chars", 90)):
        for kind, rows in ((FEATURE_TYPE_SEQUENCE, tokens), (FEATURE_TYPE_SENTENCE, 1)):
            matrix = sparse_random(rows, width, density=0.15, format="lil", random_state=rng)
            if intent and kind == FEATURE_TYPE_SENTENCE:
                matrix[0, INTENTS.index(intent) * 3] = 2.0
            matrix = matrix.tocoo()
            message.add_features(Features(matrix, kind, TEXT, origin))
    message.add_features(Features(rng.normal(size=(1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return message


@pytest.fixture
def trained(tmp_path):
    rng = np.random.default_rng(7)
    training = TrainingData([featurized(rng, INTENTS[i % len(INTENTS)]) for i in range(80)])
    config = {**LogisticRegressionClassifier.get_default_config(), "solver": "newton-cg", "random_state": 42}
    context = ExecutionContext(GraphSchema({}), "test")
    classifiers = []
    for kind in (LogisticRegressionClassifier, FastLogisticRegressionClassifier):
        (tmp_path / kind.__name__).mkdir()
        storage = LocalModelStorage(tmp_path / kind.__name__)
        resource = Resource(kind.__name__)
        kind.create(config, storage, resource, context).train(training)
        classifiers.append(kind.load(config, storage, resource, context))
    return classifiers, rng


def test_rankings_and_confidences_equal_rasas(trained):
    (rasa, project), rng = trained
    messages = [featurized(rng) for _ in range(30)]
    expected = rasa.process([Message(data=dict(m.data), features=list(m.features)) for m in messages])
    got = project.process(messages)
    assert project.clf.coef_.flags.f_contiguous
    for want, have in zip(expected, got, strict=True):
        assert have.get(INTENT)["name"] == want.get(INTENT)["name"]
        assert [r["name"] for r in have.get("intent_ranking")] == [r["name"] for r in want.get("intent_ranking")]
        np.testing.assert_allclose([r["confidence"] for r in have.get("intent_ranking")],
                                   [r["confidence"] for r in want.get("intent_ranking")], rtol=1e-12)


def test_the_training_matrix_is_rasas(trained):
    (rasa, project), rng = trained
    messages = [featurized(rng) for _ in range(5)]
    assert (rasa._create_X(messages) != project._create_X(messages)).nnz == 0
