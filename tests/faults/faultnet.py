"""Package indexes that misbehave, on 127.0.0.1, each stopping with its `with` block.

`IndexProxy` sits in front of the real pypiserver and decides, upload by upload, what the
client meets: a 503, a connection cut in the middle of the file, an answer that never
comes, a hostile server echoing the credentials back, or the real index. `SilentIndex`
accepts connections and never says a word.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from support.servers import Background

HANG_LIMIT = 90.0  # a hanging answer gives up after this, or when the server stops
FORWARD_TIMEOUT = 60.0
ACTIONS = ("forward", "503", "cut", "hang", "echo-auth", "stall")
STALL = 2.0  # "stall": the upload is held this long (`marker` touched), then forwarded


class IndexProxy(Background):
    """`with IndexProxy(index.url, ["503", "503"]) as proxy:` upload to `proxy.url`.

    Each POST takes the next action of `plan` (then `default`); GETs always reach the index.
    `posts` records the actions taken.
    """

    def __init__(self, target: str, plan: Sequence[str] = (), default: str = "forward") -> None:
        for action in (*plan, default):
            if action not in ACTIONS:
                raise ValueError(action)
        self.plan = list(plan)
        self.default = default
        self.posts: list[str] = []
        self.marker: Path | None = None  # touched when a stalled upload arrives
        self.stalled_done = threading.Event()  # set once a stalled upload reached the index
        self._lock = threading.Lock()
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        super().__init__(self._handler())

    def next_action(self) -> str:
        with self._lock:
            action = self.plan.pop(0) if self.plan else self.default
            self.posts.append(action)
            return action

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self._target, timeout=FORWARD_TIMEOUT)
        try:
            skip = {"host", "connection", "content-length"}
            sent = {k: v for k, v in headers.items() if k.lower() not in skip}
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            payload = response.read()
            kept = [
                (k, v)
                for k, v in response.getheaders()
                if k.lower() in ("content-type", "location", "etag", "last-modified")
            ]
            return response.status, response.reason, kept, payload
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._relay(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                action = proxy.next_action()
                if action == "cut":  # half the upload arrives, then the line drops
                    self.rfile.read(length // 2)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                body = self.rfile.read(length)
                if action == "hang":
                    proxy.stop.wait(HANG_LIMIT)
                    self.close_connection = True
                elif action == "stall":
                    if proxy.marker is not None:
                        proxy.marker.touch()
                    proxy.stop.wait(STALL)
                    try:  # the client may be gone by now: the index still gets the file
                        with contextlib.suppress(OSError):
                            self._relay(body)
                    finally:
                        proxy.stalled_done.set()
                elif action == "503":
                    self._answer(503, "Service Unavailable", b"the index is overloaded\n")
                elif action == "echo-auth":
                    user_password = self.headers.get("Authorization", "").partition(" ")[2]
                    said = base64.b64decode(user_password or b"").decode(errors="replace")
                    self._answer(403, f"Invalid credentials {said}", f"refused {said}\n".encode())
                else:
                    self._relay(body)

            def _relay(self, body: bytes) -> None:
                headers = dict(self.headers.items())
                status, reason, kept, payload = proxy.forward(
                    self.command, self.path, headers, body
                )
                self._answer(status, reason, payload, kept)

            def _answer(
                self,
                status: int,
                reason: str,
                payload: bytes,
                headers: Sequence[tuple[str, str]] = (("Content-Type", "text/plain"),),
            ) -> None:
                self.send_response(status, reason)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler


class SilentIndex:
    """A socket on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        for _ in range(int(HANG_LIMIT / 0.05)):
            if self.stop.is_set():
                return
            try:
                connection, _address = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted.append(connection)

    def __enter__(self) -> SilentIndex:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=5)
        for connection in self.accepted:
            connection.close()
        self.sock.close()
