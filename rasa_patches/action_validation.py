"""Validate action-server responses with a pre-compiled validator.

Rasa 3.6.21's `RemoteAction._validate_action_result` calls
`jsonschema.validate(result, schema)` for every custom action it runs. That
function first checks the schema itself against the JSON Schema meta-schema
and builds a new validator, every time: about a third of the Rasa server's CPU
under load (docs/benchmarks-profile.txt). Here the validator is built and the
schema checked once per action class; a valid response is accepted by it. An
invalid one is handed to Rasa's own method, which validates again and raises
the very error (same schema, same best-matching error, same message) it always
did — the rare path keeps Rasa's code, the common path gets cheap.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

# Under Rasa's logger, so that Rasa's LOG_LEVEL governs these lines too.
logger = logging.getLogger("rasa.patches")

_validators: dict[type, Any] = {}
_original: Callable[[RemoteAction, Any], bool] = RemoteAction._validate_action_result
_announced = False


def compiled_validator(action_class: type) -> Any:
    validator = _validators.get(action_class)
    if validator is None:
        schema = action_class.action_response_format_spec()
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        validator = _validators[action_class] = validator_class(schema)
    return validator


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _announced
    if not _announced:
        _announced = True
        # The proof that the patch is in effect in a running server (tests/patches).
        logger.info("rasa_patches: action responses are validated with a pre-compiled validator")
    if compiled_validator(type(self)).is_valid(result):
        return True
    return _original(self, result)


def is_applied() -> bool:
    return RemoteAction._validate_action_result is validate_action_result


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result
