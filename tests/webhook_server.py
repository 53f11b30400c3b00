"""A real HTTP server on 127.0.0.1 that takes webhook posts: answers 2xx, an error, or hangs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The path Slack and Discord put their key in: it must never appear in a message.
SECRET_PATH = "/services/T0001/B0002/s3cr3tT0k3n"


class WebhookServer:
    """Records each POST (path, JSON body); `status` is what it answers, `hang` holds it."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Any]] = []
        self.status = 200
        self.hang = threading.Event()  # set: requests wait until `release` (a timeout test)
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if server.hang.is_set():
                    server.release.wait(10)
                    return
                server.posts.append((self.path, json.loads(body)))
                self.send_response(server.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{SECRET_PATH}"

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
