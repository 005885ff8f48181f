"""The HTTP API (see docs/backend-api.md): one router per resource in `routes/`, request and
answer models in `schemas.py`, keys, tokens and services as dependencies in `deps.py`."""
