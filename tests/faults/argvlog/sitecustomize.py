"""Put on PYTHONPATH by the fault suite: every Python process of a scenario logs the argv
of each process it starts (audit events), so a secret in argv is caught even when the
child lives too briefly for the /proc sampler. Does nothing unless asked; never raises."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_LOG = os.environ.get("RELEASEKIT_FAULTS_ARGV_LOG")
_EVENTS = ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn")


def _words(value: Any) -> list[str]:
    if isinstance(value, (str, bytes, os.PathLike)):
        value = [value]
    try:
        return [os.fsdecode(part) for part in value]
    except TypeError:
        return [repr(value)]


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in _EVENTS or not _LOG:
        return
    line = json.dumps({"pid": os.getpid(), "event": event, "argv": _words(args[1])})
    try:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    except OSError:  # a probe must never change what it watches
        return


if _LOG:
    sys.addaudithook(_hook)
