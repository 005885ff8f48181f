"""A JSON-answering HTTP server on loopback, standing in for a provider's API:
each fake gives it the provider's documented behaviour as a function."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


class FakeJsonApi:
    def __init__(self, respond: Callable[[Request], tuple]):
        """`respond` returns (status, payload) or (status, payload, extra headers)."""
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                request = Request(self.path, dict(self.headers), self.rfile.read(int(self.headers.get("Content-Length", 0))))
                status, payload, *extra = respond(request)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
