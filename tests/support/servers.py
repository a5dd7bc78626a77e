"""A tiny HTTP server on 127.0.0.1 that answers as each test says, and records requests.

Used where a real index cannot show the behaviour under test: an index that never
answers, one that fails with 5xx, one that must receive no request at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TypeVar

HANG_LIMIT = 60.0  # a hanging handler gives up after this, or when the server stops


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str], bytes]  # a ":reason" header sets the reason phrase
Answer = Callable[[Seen], "Reply | None"]  # None: accept, then never answer


def not_found(_: Seen) -> Reply:
    return 404, {"Content-Type": "text/plain"}, b"not found"


_Server = TypeVar("_Server", bound="Background")


class Background:
    """An HTTP server on 127.0.0.1 in a thread, for one `with` block; `stop` ends hangs."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self: _Server) -> _Server:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class Server(Background):
    """`with Server(answer) as server:` serves on `server.url` and fills `server.seen`."""

    def __init__(self, answer: Answer = not_found) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers.items()), body)
                outer.seen.append(seen)
                reply = outer.answer(seen)
                if reply is None:
                    outer.stop.wait(HANG_LIMIT)
                    self.close_connection = True
                    return
                status, headers, payload = reply
                self.send_response(status, headers.get(":reason"))
                for name, value in headers.items():
                    if name == ":reason":
                        continue
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
