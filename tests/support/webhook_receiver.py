"""A webhook receiver for tests: a real HTTP server on a free local port, and the signature
check a receiving system would run (the one docs/webhooks.md shows)."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What docs/webhooks.md tells receivers to run."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Received:
    def __init__(self, headers, body):
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)


class Receiver:
    """An HTTP server that records every POST and answers from a script (then 200)."""

    def __init__(self):
        self.requests: list[Received] = []
        self.answers: list[tuple[int, bytes]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append(Received(dict(self.headers), body))
                    status, reply = receiver.answers.pop(0) if receiver.answers else (200, b"ok")
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
