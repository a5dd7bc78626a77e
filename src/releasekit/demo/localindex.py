"""A throwaway package index (pypiserver on 127.0.0.1) for tests and `releasekit demo`.

Uploads need the token (user `__token__`); downloads are open. The token only
reaches disk as an apr1 hash and never appears in argv. The server is a child
process that lives exactly as long as the `with` block: runner.run waits for its
processes, so this is the one place that keeps one running in the background.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import TracebackType

from releasekit.errors import ReleaseError
from releasekit.publishing.index import Repository, resolve_repository
from releasekit.system.redact import SECRET_VARIABLES, redact

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _htpasswd_line(token: str) -> str:
    """`__token__:<apr1 hash>`: the format pypiserver's passlib reads without bcrypt."""
    with warnings.catch_warnings():  # passlib imports the deprecated `crypt` module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.hash import apr_md5_crypt  # type: ignore[import-untyped]

    return f"__token__:{apr_md5_crypt.hash(token)}\n"


def _healthy(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url + "health", timeout=1) as response:  # noqa: S310 (http://127.0.0.1 only)
            return int(response.status) == 200
    except (OSError, ValueError):
        return False


class LocalIndex:
    """`with LocalIndex(dir, token=...) as index:` serves `dir` at `index.url`."""

    def __init__(self, directory: Path, *, token: str, port: int = 0) -> None:
        self.directory = Path(directory).absolute()
        self._hashed = _htpasswd_line(token)
        self._wanted_port = port
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def url(self) -> str:
        """The upload URL (pypiserver takes uploads at its root)."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def simple_url(self) -> str:
        return f"{self.url}simple/"

    @property
    def repository(self) -> Repository:
        return resolve_repository(self.url)

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> LocalIndex:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._workdir = Path(tempfile.mkdtemp(prefix="releasekit-index-"))
        htpasswd = self._workdir / "htpasswd"
        htpasswd.touch(mode=0o600)
        htpasswd.write_text(self._hashed)
        try:
            self._start(htpasswd)
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._cleanup()

    def _start(self, htpasswd: Path) -> None:
        """Start the server; with a chosen-for-us port, retry if another process took it."""
        assert self._workdir is not None  # set by __enter__ just before
        log_path = self._workdir / "server.log"
        for _attempt in range(3):
            self.port = self._wanted_port or free_port()
            output = self._try_start(htpasswd, log_path)
            if output is None:
                return
            if self._wanted_port or "in use" not in output:
                break
        last = output.splitlines()[-1] if output else "no output"
        raise ReleaseError(
            f"the local index (pypiserver) did not start on {self.url}: {last}",
            "check that pypiserver and passlib are installed and the port is free",
        )

    def _try_start(self, htpasswd: Path, log_path: Path) -> str | None:
        """None once /health answers; else the server's (masked) output, server stopped."""
        argv = [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1"]
        argv += ["-p", str(self.port), "-P", str(htpasswd), "-a", "update"]
        argv += ["--disable-fallback", str(self.directory)]
        env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self._process.poll() is None:
            if _healthy(self.url) and self._process.poll() is None:
                return None
            time.sleep(0.1)
        self._stop()
        return redact(log_path.read_text(errors="replace").strip())

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    def _cleanup(self) -> None:
        self._stop()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
