"""Serves the help page with the chat widget. Standard library only, so either
of the project's Python environments can run it:

    python web/server.py --port 8080 --rasa-url http://127.0.0.1:5005

Options default to WEB_HOST, WEB_PORT and PUBLIC_RASA_URL (docs/deploy.md), so a
container sets them like every other part. `/healthz` and `/readyz` answer probes.
"""
from __future__ import annotations

import argparse
import json
import mimetypes
import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent
FILES = {
    "/": WEB / "static" / "index.html",
    "/chat.js": WEB / "static" / "chat.js",
    "/chat.css": WEB / "static" / "chat.css",
    # Named by the page's <link rel="icon">; a browser asks /favicon.ico only for a page without one.
    "/favicon.svg": WEB / "static" / "favicon.svg",
    # Bundled from npm, so the page works without reaching any CDN.
    "/vendor/socket.io.min.js": WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss: http: https:; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class HelpPage(SimpleHTTPRequestHandler):
    def __init__(self, *args, rasa_url: str, **kwargs):
        self.rasa_url = rasa_url
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            return self._send(200, "application/json", b'{"status": "ok"}')
        if path == "/readyz":
            # Files are read per request: ready when every one is there (an image without the
            # socket.io bundle would serve a page whose chat never connects).
            ready = all(file.exists() for file in FILES.values())
            return self._send(200 if ready else 503, "application/json", json.dumps({"ready": ready}).encode())
        if path == "/config.js":
            body = f"window.CHAT_CONFIG = {json.dumps({'rasaUrl': self.rasa_url})};".encode()
            return self._send(200, "text/javascript; charset=utf-8", body)
        file = FILES.get(path)
        if file is None or not file.exists():
            return self._send(404, "text/plain; charset=utf-8", b"Nie znaleziono")
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        self._send(200, content_type, file.read_bytes())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument("--rasa-url", default=os.environ.get("PUBLIC_RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--extra", action="append", default=[], metavar="URL_PATH=FILE",
                        help="serve one more file (the browser tests add a page with the community rasa-webchat)")
    args = parser.parse_args()
    for extra in args.extra:
        path, file = extra.split("=", 1)
        FILES[path] = Path(file)
    server = ThreadingHTTPServer((args.host, args.port), partial(HelpPage, rasa_url=args.rasa_url))
    print(f"Help page: http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
