"""Small, documented patches to Rasa 3.6.21, applied when the server starts.

`runtime/rasa_server.py` (how scripts/run.sh and devstack/ start Rasa)
calls `apply()` before anything imports Rasa; Rasa's own command line then runs
unchanged. Each patch but `message_once` replaces one Rasa function with one that
behaves the same and costs less; each is written against Rasa 3.6.21's source.
On any other version the speed-ups are left out (a warning says so) and Rasa runs
as shipped, but the server refuses to start without `message_once`: without it a
resent message is a second turn (a second SMS code). `ORIGINALS` below holds a
fingerprint of each Rasa function a patch replaces or relies on;
`tests/patches/test_fingerprints.py` fails, naming the function to re-read, when an
upgrade changes one.

What each buys now that every message is one rule and one custom action (measured
on this machine, 2 cores, busy; `make bench` measures all together):
Patches (one module each):
- `deferred_imports`: Rasa modules that pull in TensorFlow run their code only
  when something uses them, so a model without TensorFlow components starts
  without TensorFlow: loading the model 38 s instead of 82–108 s on the busy
  machine, 225 MB instead of 619 MB.
- `action_validation`: action-server responses are validated with a
  pre-compiled jsonschema validator instead of `jsonschema.validate`, which
  re-checks the schema against its meta-schema on every call: per message (one
  action response) 5 ms instead of 44 ms on the busy machine; and each event is
  checked against its own type's schema rather than all 23 of the schema's `oneOf`
  (the same verdict: `event` is required and each type's constant differs), 0.2 ms
  instead of 2.1 ms on a quiet one.
- `event_types`: event classes are looked up by type name in a table instead of
  a walk over every `Event` subclass for each event deserialised: 0.1 µs instead
  of 150 µs a lookup, some 20 lookups a message (the recent turns read from the
  store, the events an action returns).
- `action_keepalive`: the connection to the action server stays open between
  calls instead of a new session and TCP connection per message: an action
  call 5.5 ms instead of 12.6 ms on the busy machine (client and server in one
  process).
- `message_once` (the one that changes behaviour): a message whose id is already
  in the conversation — a client's retry with the same `Idempotency-Key` — is
  answered with what the bot said then, not handled a second time.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import logging
from importlib import metadata

# Under Rasa's logger, so that Rasa's LOG_LEVEL governs these lines too.
logger = logging.getLogger("rasa.patches")

RASA_VERSION = "3.6.21"
SPEED_UPS = ("deferred_imports", "action_validation", "event_types", "action_keepalive")

# What each patch replaces or relies on in Rasa RASA_VERSION: "module:qualified.name" (a function or
# class) or "module" (its whole file), with the first 16 hex digits of the sha256 of its source.
ORIGINALS = {
    "message_once": {
        "rasa.core.processor:MessageProcessor._handle_message_with_tracker": "f42e1ae303933d9f",
        "rasa.core.processor:MessageProcessor.handle_message": "0c41d4780d2d4676",
        "rasa.core.channels.channel:UserMessage.__init__": "1a09604afc04796e",
    },
    "action_validation": {
        "rasa.core.actions.action:RemoteAction._validate_action_result": "f8cdb4be68123961",
        "rasa.core.actions.action:RemoteAction.action_response_format_spec": "091b74aa3738d126",
    },
    "event_types": {
        "rasa.shared.core.events:Event.resolve_by_type": "b5cf570fa7f286c7",
        "rasa.shared.utils.common:all_subclasses": "28c2e6df9c15daea",
    },
    "action_keepalive": {
        "rasa.utils.endpoints:EndpointConfig.session": "e55aa13d9d4fb4bc",
        "rasa.utils.endpoints:EndpointConfig.request": "ccdb778aed8208e2",
    },
    "deferred_imports": {
        "rasa.engine.storage.storage:ModelMetadata": "964bc980541c3a9f",
        "rasa.utils.train_utils": "7ae337d7a78d2c16",
    },
}


class UnsupportedRasa(SystemExit):
    pass


def installed_rasa_version() -> str:
    # Read from the package metadata: importing `rasa` itself would pull in half of Rasa.
    return metadata.version("rasa")


def fingerprint(target: str) -> str:
    """The first 16 hex digits of the sha256 of a Rasa function's, class's or module's source."""
    module, _, name = target.partition(":")
    if not name:  # a whole module, read without running it (rasa.utils.train_utils imports TensorFlow)
        spec = importlib.util.find_spec(module)
        with open(spec.origin, encoding="utf-8") as source:
            text = source.read()
    else:
        found = importlib.import_module(module)
        for part in name.split("."):
            found = inspect.unwrap(getattr(found, part)) if not isinstance(found, type) else found.__dict__[part]
        found = getattr(found, "__func__", found)  # classmethod / staticmethod
        text = inspect.getsource(found)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def apply(version: str | None = None) -> bool:
    """Applies every patch if Rasa is the version they were written for; returns whether it did.
    On another version the server refuses to start: a resent message would be a second turn."""
    version = version or installed_rasa_version()
    if version != RASA_VERSION:
        logger.warning("rasa_patches: written for Rasa %s, found %s: nothing patched (%s left out)",
                       RASA_VERSION, version, ", ".join(SPEED_UPS))
        raise UnsupportedRasa(
            f"rasa_patches.message_once was written for Rasa {RASA_VERSION}, found {version}: refusing to start, "
            "since without it a resent message is handled twice. Re-read the functions named in "
            "rasa_patches.ORIGINALS against the new version, then update RASA_VERSION and the fingerprints "
            "(tests/patches/test_fingerprints.py).")
    from rasa_patches import deferred_imports

    deferred_imports.apply()  # first: before anything imports Rasa
    from rasa_patches import action_keepalive, action_validation, event_types, message_once

    action_validation.apply()
    event_types.apply()
    action_keepalive.apply()
    message_once.apply()
    return True
