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

The schema makes each event `oneOf` 23 event schemas, each fixing `event` to a
constant of its own. Checked as written, every event is tried against all 23: a
tenth of the server's CPU under load (issue 16's bench). `event` is required and
the constants differ, so an event can only ever match the schema of its own type;
checking it against that one schema gives the same verdict. `dispatching_validator`
builds such a validator where the schema has that shape and returns None
otherwise (the `oneOf` is then checked as written).
"""
from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any, Optional

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

# Under Rasa's logger, so that Rasa's LOG_LEVEL governs these lines too.
logger = logging.getLogger("rasa.patches")

_validators: dict[type, Any] = {}
_original: Callable[[RemoteAction, Any], bool] = RemoteAction._validate_action_result
_announced = False


class DispatchingValidator:
    """`is_valid` as the whole schema's, with each event checked against its own type's schema only."""

    def __init__(self, outer: Any, by_type: dict[str, Any]) -> None:
        self.outer, self.by_type = outer, by_type

    def is_valid(self, result: Any) -> bool:
        if not self.outer.is_valid(result):
            return False
        # The outer schema has checked that events, where present, are objects with a string `event`.
        for event in result.get("events") or ():
            branch = self.by_type.get(event["event"])
            if branch is None or not branch.is_valid(event):
                return False
        return True


def dispatching_validator(schema: dict, validator_class: Any) -> Optional[DispatchingValidator]:
    items = schema.get("properties", {}).get("events", {}).get("items", {})
    branches = items.get("oneOf")
    if (schema.get("type") != "object" or not isinstance(branches, list) or not branches
            or items.get("type") != "object" or "event" not in items.get("required", ())
            or items.get("properties", {}).get("event") != {"type": "string"} or "$ref" in repr(schema)):
        return None
    constants = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
    if not all(isinstance(constant, str) for constant in constants) or len(set(constants)) != len(constants):
        return None
    outer = copy.deepcopy(schema)
    del outer["properties"]["events"]["items"]["oneOf"]
    return DispatchingValidator(validator_class(outer), {constant: validator_class(branch)
                                                         for constant, branch in zip(constants, branches, strict=True)})


def compiled_validator(action_class: type) -> Any:
    validator = _validators.get(action_class)
    if validator is None:
        schema = action_class.action_response_format_spec()
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        validator = dispatching_validator(schema, validator_class) or validator_class(schema)
        _validators[action_class] = validator
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
