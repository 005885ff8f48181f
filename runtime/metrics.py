"""Prometheus metrics of the assistant's processes, served at `/metrics`.

One process = one registry: the servers run a single Sanic worker each and scale by
replicas, so no multi-process collection is needed.
"""
from __future__ import annotations

import json
import time
import zlib

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sanic import Sanic, response
from sanic.request import Request

ACTION_SECONDS = Histogram(
    "assistant_action_seconds", "Time the action server took to run one action call",
    ["action", "status"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
MESSAGES = Counter("assistant_messages_total", "Customer messages stored, by channel", ["channel"])


def add_metrics_route(app: Sanic) -> None:
    async def metrics(_request):
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    app.add_route(metrics, "/metrics", methods=["GET"])


def _action_name(request: Request) -> str:
    try:
        body = request.body
        if request.headers.get("content-encoding") == "deflate":
            body = zlib.decompress(body)
        return str(json.loads(body).get("next_action") or "unknown")
    except (ValueError, zlib.error, AttributeError):
        return "unreadable"


def time_action_calls(app: Sanic) -> None:
    """Observes every call of /webhook with the action's name and the HTTP status."""

    @app.middleware("request")
    async def start_clock(request: Request):
        request.ctx.started = time.perf_counter()

    @app.middleware("response")
    async def observe(request: Request, resp):
        started = getattr(request.ctx, "started", None)
        if request.path == "/webhook" and started is not None and resp is not None:
            ACTION_SECONDS.labels(_action_name(request), str(resp.status)).observe(time.perf_counter() - started)
