"""Run the real `releasekit` command with one fault injected in-process.

    python fault_driver.py '<json spec>' release --part minor --yes

Spec keys (one fault per run):
- "signal": "SIGINT" | "SIGTERM", "after_step": k -- a real signal to this very process
  right after the k-th step of the release has run (1-based);
- "signal": ..., "when_file": path -- the signal goes to the whole process group (this
  process and every tool it runs, as Ctrl-C at a terminal does) as soon as `path` exists;
- "signal": ..., "during_step": k, "delay": seconds -- the same, `delay` after step k began;
- "signal": ..., "before_step": k -- to this process as step k is about to act (its journal
  entry says it started; nothing of it is done yet);
- "signal": ..., "after_record": k -- to this process once the journal on disk says step k
  is done (the next step has not started);
- "enospc_on_write": n, "enospc_sticky": bool -- the n-th new file the release writes
  (each version file and the CHANGELOG go through a new temporary file) gets half its
  bytes, then OSError(ENOSPC), as on a full disk (sticky: every later new file fails too,
  the disk stays full; rewriting an existing file within its own size still works, as it
  does on ext4 or xfs, where that needs no new blocks);
- "enospc_on_lock": true -- writing the lock file (.git/releasekit.lock) hits a full disk;
- "honour_modes": true -- os.access answers W_OK from the file's mode bits, as it does
  for any user but root (used only where the suite cannot make a file read-only for root).

Everything else is `releasekit.cli.main`, unchanged.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import sys
from typing import Any


def _signal_when_file(spec: dict[str, Any]) -> None:
    import threading
    import time

    marker = spec["when_file"]
    number = getattr(signal, spec["signal"])

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if os.path.exists(marker):
                os.killpg(os.getpgid(0), number)
                return
            time.sleep(0.01)

    threading.Thread(target=watch, daemon=True).start()


def _signal_during_step(spec: dict[str, Any]) -> None:
    import threading

    from releasekit.core import apply

    wanted = int(spec["during_step"])
    number = getattr(signal, spec["signal"])
    original = apply._execute
    started = 0

    def execute(*args: Any, **kwargs: Any) -> None:
        nonlocal started
        started += 1
        if started == wanted:
            timer = threading.Timer(
                float(spec.get("delay", 0.5)), lambda: os.killpg(os.getpgid(0), number)
            )
            timer.daemon = True
            timer.start()
        original(*args, **kwargs)

    apply._execute = execute


def _signal_after_step(spec: dict[str, Any]) -> None:
    from releasekit.core import apply

    wanted = int(spec["after_step"])
    number = getattr(signal, spec["signal"])
    original = apply._execute
    done = 0

    def execute(*args: Any, **kwargs: Any) -> None:
        nonlocal done
        original(*args, **kwargs)
        done += 1
        if done == wanted:
            os.kill(os.getpid(), number)

    apply._execute = execute


def _signal_before_step(spec: dict[str, Any]) -> None:
    from releasekit.core import apply

    wanted = int(spec["before_step"])
    number = getattr(signal, spec["signal"])
    original = apply._execute
    started = 0

    def execute(*args: Any, **kwargs: Any) -> None:
        nonlocal started
        started += 1
        if started == wanted:
            os.kill(os.getpid(), number)
        original(*args, **kwargs)

    apply._execute = execute


def _signal_after_record(spec: dict[str, Any]) -> None:
    from releasekit.core import journal

    wanted = int(spec["after_record"])
    number = getattr(signal, spec["signal"])
    original = journal.Journal.done
    done = 0

    def record(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal done
        original(self, *args, **kwargs)
        done += 1
        if done == wanted:
            os.kill(os.getpid(), number)

    journal.Journal.done = record  # type: ignore[method-assign]


class _FullDisk:
    """A file object whose write stores half the data, then fails like a full disk."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def _enospc(spec: dict[str, Any]) -> None:
    from releasekit.core import apply

    wanted = int(spec.get("enospc_on_write", 0))
    sticky = bool(spec.get("enospc_sticky"))
    on_lock = bool(spec.get("enospc_on_lock"))
    real_os = apply.os  # type: ignore[attr-defined]
    opened = 0

    class OsWithFullDisk:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_os, name)

        @staticmethod
        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            nonlocal opened
            handle = real_os.fdopen(fd, mode, *args, **kwargs)
            if mode == "w" and on_lock:  # the lock file is the only text write
                return _FullDisk(handle)
            if mode != "wb":
                return handle
            opened += 1
            full = opened == wanted or (sticky and opened > wanted)
            return _FullDisk(handle) if full else handle

    apply.os = OsWithFullDisk()  # type: ignore[attr-defined,assignment]


def _honour_modes() -> None:
    real_access = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        writable = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        if mode & os.W_OK and os.path.exists(path) and not os.stat(path).st_mode & writable:
            return False
        return real_access(path, mode, *args, **kwargs)

    os.access = access


def main() -> int:
    spec: dict[str, Any] = json.loads(sys.argv[1])
    if "after_step" in spec:
        _signal_after_step(spec)
    if "during_step" in spec:
        _signal_during_step(spec)
    if "before_step" in spec:
        _signal_before_step(spec)
    if "after_record" in spec:
        _signal_after_record(spec)
    if "when_file" in spec:
        _signal_when_file(spec)
    if "enospc_on_write" in spec or "enospc_on_lock" in spec:
        _enospc(spec)
    if spec.get("honour_modes"):
        _honour_modes()
    from releasekit import cli

    return cli.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
