"""A loopback HTTP server standing in for a provider's API. Every fake provider stands on it: the
backend's (backend/tests: SMS and voice gateways, WHMCS, Chatwoot; Python 3.11) and the channels'
(tests/channels: Telegram, Slack; Python 3.10). It reads each request, keeps it, and sends back what
the fake's `respond` decides — the provider's documented behaviour, its refusals included.

Plain standard library, like the rest of devstack: both Python environments import it."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Request:
    """One request as the provider received it."""

    method: str
    path: str
    headers: dict
    body: bytes

    def json(self) -> Any:
        """The body as JSON; an empty body reads as {}."""
        return json.loads(self.body or b"{}")

    def form(self) -> dict:
        """The body as a form (application/x-www-form-urlencoded): each field's first value."""
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class FakeHttpServer:
    """Answers `methods` on a free loopback port (`url`) with `respond(request)`, which returns
    (status, payload) or (status, payload, extra headers): a payload of bytes is sent as it is
    (text/html), any other as JSON. Another method is refused as http.server refuses it (501).
    `seen`: every request answered, in order."""

    def __init__(self, respond: Callable[[Request], tuple], methods: Iterable[str] = ("GET", "POST")) -> None:
        self.seen: list[Request] = []
        fake, allowed = self, set(methods)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer("GET")

            def do_POST(self) -> None:
                self.answer("POST")

            def answer(self, method: str) -> None:
                if method not in allowed:
                    self.send_error(501, f"Unsupported method ({method!r})")
                    return
                request = Request(method, self.path, dict(self.headers), self.rfile.read(int(self.headers.get("Content-Length", 0))))
                fake.seen.append(request)
                status, payload, *extra = respond(request)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if isinstance(payload, bytes) else "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
