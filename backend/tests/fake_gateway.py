"""A local HTTP server standing in for an SMS gateway: each test gives it the
provider's documented behaviour as a function of the request."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes

    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def json(self) -> dict:
        return json.loads(self.body)


class FakeGateway:
    def __init__(self, respond: Callable[[Seen], tuple[int, object]]):
        self.seen: list[Seen] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.answer("POST")

            def do_GET(self):
                self.answer("GET")

            def answer(self, method):
                seen = Seen(method, self.path, dict(self.headers), self.rfile.read(int(self.headers.get("Content-Length", 0))))
                gateway.seen.append(seen)
                status, body = respond(seen)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
