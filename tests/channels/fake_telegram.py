"""A local stand-in for Telegram's Bot API: checks each call's shape as
Telegram documents it and answers like Telegram ({"ok": true, "result": …})."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUIRED = {"sendMessage": {"chat_id", "text"}, "answerCallbackQuery": {"callback_query_id"}}


class FakeBotApi:
    def __init__(self, token: str):
        self.token, self.calls, self.lock = token, [], threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                prefix = f"/bot{api.token}/"
                method = self.path[len(prefix):] if self.path.startswith(prefix) else None
                if method is None:
                    return self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                missing = REQUIRED.get(method, set()) - set(body)
                if method not in REQUIRED or missing:
                    return self._answer(400, {"ok": False, "error_code": 400,
                                              "description": f"Bad Request: {method} missing {sorted(missing)}"})
                with api.lock:
                    api.calls.append((method, body))
                self._answer(200, {"ok": True, "result": {"message_id": len(api.calls), **body}})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def messages(self, chat_id) -> list[dict]:
        with self.lock:
            return [body for method, body in self.calls if method == "sendMessage" and str(body["chat_id"]) == str(chat_id)]

    def stop(self):
        self.server.shutdown()
