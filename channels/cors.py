"""Rasa's CORS set-up (`rasa run --cors ORIGINS`) also answers
`Access-Control-Allow-Credentials: true`. Nothing here uses cookies or HTTP auth
from a browser, so that header only widens what a page of an allowed origin
could do; it is switched off once the app has configured CORS."""
from __future__ import annotations

from typing import Any


def without_credentials(app: Any, _loop: Any = None) -> None:
    context = getattr(app.ctx, "sanic_cors", None)
    if context is None:
        return
    context.options["supports_credentials"] = False
    for _pattern, options in context.resources:
        options["supports_credentials"] = False
