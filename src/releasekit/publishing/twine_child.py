"""twine, run as its own command line, with its imports done ahead of time.

`python -m twine ...` spends most of its time importing (requests, rich, keyring,
readme_renderer). `start()` launches twine at once and hands it its arguments
later, when releasekit has finished its own checks: the same twine, the same
command line, the same output, the start-up overlapped. Credentials go through
the environment only, never through argv or stdin.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from releasekit.system import runner
from releasekit.system.facts import PYPI_TOKEN, interactive

# rich wraps twine's lines at the terminal's width, which would split the file names
# and reasons releasekit reads; one line per message instead.
WIDE = {"COLUMNS": "10000"}

_IMPORTS = """\
import json, sys
import twine.__main__, twine.commands.{command}
"""
_RUN = """\
sys.argv = ["twine", *json.loads(sys.stdin.read())]
sys.exit(twine.__main__.main())
"""

# For uploads: twine's own byte counter (the monitor that feeds its progress bar), also
# written to the channel as "<file> <bytes sent> <bytes in all>", at most 5 times a second.
# Where a twine has no such monitor, there is no progress, and the upload is the same.
_REPORT = """\
import os, time
import twine.repository
fd = int(os.environ.pop("RELEASEKIT_CHANNEL_FD", "-1"))
toolbelt = getattr(twine.repository, "requests_toolbelt", None)
Monitor = getattr(toolbelt, "MultipartEncoderMonitor", None)
if fd >= 0 and Monitor is not None:
    channel = os.fdopen(fd, "w", buffering=1)

    class Reporting(Monitor):
        def __init__(self, encoder, callback=None):
            content = dict((f[0], f[1]) for f in getattr(encoder, "fields", ()) if len(f) == 2)
            name = str(content.get("content", ("file",))[0]).replace(" ", "_")
            last = [0.0]

            def report(monitor):
                if callback is not None:
                    callback(monitor)
                now = time.monotonic()
                if now - last[0] >= 0.2 or monitor.bytes_read >= monitor.len:
                    last[0] = now
                    try:
                        channel.write(f"{name} {monitor.bytes_read} {monitor.len}\\n")
                    except (OSError, ValueError):
                        pass

            super().__init__(encoder, report)

    toolbelt.MultipartEncoderMonitor = Reporting
"""


def start(
    command: str, *, cwd: Path, env: Mapping[str, str | None] | None = None
) -> runner.Started:
    """Start twine for `command` (check or upload); give it its arguments with `finish`.

    An upload also reports its progress on the child's channel (`progress` reads it).
    """
    upload = command == "upload"
    boot = _IMPORTS.format(command=command) + (_REPORT if upload else "") + _RUN
    argv = [sys.executable, "-c", boot]
    return runner.start(argv, cwd=cwd, env={**WIDE, **(env or {})}, channel=upload)


def credentials_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Variables for twine: PYPI_TOKEN first, else TWINE_* as given, else none.

    An empty TWINE_PASSWORD is dropped: twine takes any password, even "", as a
    reason not to try trusted publishing.
    """
    env: dict[str, str] = {}
    token = environ.get(PYPI_TOKEN, "").strip()
    if token:
        env = {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": token}
    else:
        for name in ("TWINE_USERNAME", "TWINE_PASSWORD"):
            if environ.get(name):
                env[name] = environ[name]
    if not interactive(environ, sys.stdin):
        env["TWINE_NON_INTERACTIVE"] = "1"
    return env


def twine_env(credentials: Mapping[str, str]) -> dict[str, str | None]:
    """The environment twine runs in: its TWINE_* credentials and nothing it must not see."""
    env: dict[str, str | None] = {**credentials, "COLUMNS": "300"}  # no rich line wrapping
    env[PYPI_TOKEN] = None  # twine reads TWINE_* only: one copy of the token fewer
    if not credentials.get("TWINE_PASSWORD"):
        env["TWINE_PASSWORD"] = None  # even an empty one turns trusted publishing off
    return env


def start_upload(environ: Mapping[str, str], *, cwd: Path) -> runner.Started:
    """Start twine upload now (it spends ~0.3 s importing); `publish(warm=...)` finishes it.

    Here, not in upload.py, so that `releasekit publish` starts twine before it loads the
    index client, the token audit and the project (what twine's start-up overlaps)."""
    return start("upload", cwd=cwd, env=twine_env(credentials_env(environ)))


def progress(line: str) -> tuple[str, int, int] | None:
    """A channel line as (file name, bytes sent, bytes in all); None for anything else."""
    parts = line.split(" ")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return parts[0], int(parts[1]), int(parts[2])


def arguments(args: Sequence[str]) -> str:
    """What `Started.finish` sends: twine's argv after the program name."""
    return json.dumps(list(args))
