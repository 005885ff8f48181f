"""`/healthz` (the process answers) and `/readyz` (it should get traffic) for a Sanic app.

Readiness turns false as soon as the server starts stopping, so a load balancer or
Kubernetes stops sending new messages before the process goes away.
"""
from __future__ import annotations

from collections.abc import Callable

from sanic import Sanic, response


def add_health_routes(app: Sanic, is_ready: Callable[[Sanic], bool] = lambda app: True) -> None:
    app.ctx.stopping = False

    async def healthz(_request):
        return response.json({"status": "ok"})

    async def readyz(_request):
        ready = not app.ctx.stopping and is_ready(app)
        return response.json({"ready": ready}, status=200 if ready else 503)

    async def mark_stopping(_app, _loop):
        app.ctx.stopping = True

    app.add_route(healthz, "/healthz", methods=["GET"])
    app.add_route(readyz, "/readyz", methods=["GET"])
    app.register_listener(mark_stopping, "before_server_stop")
