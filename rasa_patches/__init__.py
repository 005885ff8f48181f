"""Small, documented patches to Rasa 3.6.21, applied when the server starts.

`runtime/rasa_server.py` (how scripts/run.sh and tests/stack.py start Rasa)
calls `apply()` before anything imports Rasa; Rasa's own command line then runs
unchanged. Each patch but `message_once` replaces one Rasa function with one that
behaves the same and costs less; each is written against Rasa 3.6.21's source, so on any other
version nothing is patched and a warning says so.

Patches (one module each):
- `deferred_imports`: Rasa modules that pull in TensorFlow run their code only
  when something uses them, so a model without TensorFlow components starts
  without TensorFlow.
- `action_validation`: action-server responses are validated with a
  pre-compiled jsonschema validator instead of `jsonschema.validate`, which
  re-checks the schema against its meta-schema on every call.
- `event_types`: event classes are looked up by type name in a table instead of
  a walk over every `Event` subclass for each event deserialised.
- `action_keepalive`: the connection to the action server stays open between
  calls instead of a new session and TCP connection per message.
- `message_once` (the one that changes behaviour): a message whose id is already
  in the conversation — a client's retry with the same `Idempotency-Key` — is
  answered with what the bot said then, not handled a second time.
"""
from __future__ import annotations

import logging
from importlib import metadata

# Under Rasa's logger, so that Rasa's LOG_LEVEL governs these lines too.
logger = logging.getLogger("rasa.patches")

RASA_VERSION = "3.6.21"


def installed_rasa_version() -> str:
    # Read from the package metadata: importing `rasa` itself would pull in half of Rasa.
    return metadata.version("rasa")


def apply(version: str | None = None) -> bool:
    """Applies every patch if Rasa is the version they were written for; returns whether it did."""
    version = version or installed_rasa_version()
    if version != RASA_VERSION:
        logger.warning("rasa_patches: written for Rasa %s, found %s: nothing patched, Rasa runs unpatched",
                       RASA_VERSION, version)
        return False
    from rasa_patches import deferred_imports

    deferred_imports.apply()  # first: before anything imports Rasa
    from rasa_patches import action_keepalive, action_validation, event_types, message_once

    action_validation.apply()
    event_types.apply()
    action_keepalive.apply()
    message_once.apply()
    return True
