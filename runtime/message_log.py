"""One structured line per customer message in each process that handles it (docs/operations.md):

    rasa:     {"event":"message","conversation":"c-…","channel":"telegram","request_id":"r-…",
               "replies":2,"ms":184,"outcome":"ok"}                                (rasa.messages)
    actions:  {"event":"turn","conversation":"c-…","request_id":"r-…","intent":"inform_code",
               "outcome":"progress","path":"dead_email","stages":["proof_passed"],"ms":95}  (actions.turn)
    backend:  {…"message":"request","event":"request","conversation":"c-…","request_id":"r-…",
               "route":"/api/v1/…","status":200,"ms":12}                         (recovery.requests)

Rasa gives each message a request id (or keeps a well-formed one the channel put in the message's
metadata) and puts it in the metadata, which reaches the action server with the tracker; the action
server sends it to the backend as `X-Request-ID`, with the conversation's pseudonym
(runtime/pseudonym.py) as `X-Conversation-Ref`. No text, phone, address or conversation id is in any
of these lines.
"""
from __future__ import annotations

import contextvars
import json
import logging
import time
from typing import Any, Optional

from runtime.pseudonym import new_request_id, pseudonym, request_id_or_none

REQUEST_ID_KEY = "request_id"
# Under Rasa's logger, so that Rasa's LOG_LEVEL governs these lines (as rasa_patches' own).
log = logging.getLogger("rasa.messages")
# The message Rasa is handling (request id, conversation pseudonym): a channel's sends, and the retries
# they leave in the background (tasks copy the context), log them (channels/delivery.py).
_CURRENT: contextvars.ContextVar[tuple[Optional[str], Optional[str]]] = contextvars.ContextVar(
    "message", default=(None, None))


def current() -> tuple[Optional[str], Optional[str]]:
    return _CURRENT.get()


def line(**fields: Any) -> str:
    return json.dumps({key: value for key, value in fields.items() if value is not None}, ensure_ascii=False,
                      separators=(",", ":"))


def with_request_id(metadata: Any) -> tuple[dict, str]:
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    request_id = request_id_or_none(metadata.get(REQUEST_ID_KEY)) or new_request_id()
    metadata[REQUEST_ID_KEY] = request_id
    return metadata, request_id


def install(secret: str) -> None:
    """Rasa's MessageProcessor.handle_message (every channel's messages pass through it) gives each
    message its request id and writes its line."""
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor.handle_message
    if getattr(original, "logs_messages", False):
        return

    async def handle_message(self, message):
        message.metadata, request_id = with_request_id(message.metadata)
        conversation = pseudonym(str(message.sender_id), secret)
        reset = _CURRENT.set((request_id, conversation))
        started, outcome, replies = time.perf_counter(), "error", None
        try:
            answer = await original(self, message)
            outcome = "ok"
            replies = len(answer) if isinstance(answer, list) else None
            return answer
        except Exception as error:
            outcome = type(error).__name__
            raise
        finally:
            _CURRENT.reset(reset)
            log.info(line(event="message", conversation=conversation, channel=message.input_channel,
                          request_id=request_id, replies=replies, ms=round((time.perf_counter() - started) * 1000),
                          outcome=outcome))

    handle_message.logs_messages = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message
