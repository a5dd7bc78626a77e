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

# rich wraps twine's lines at the terminal's width, which would split the file names
# and reasons releasekit reads; one line per message instead.
WIDE = {"COLUMNS": "10000"}

_BOOT = """\
import json, sys
import twine.__main__, twine.commands.{command}
sys.argv = ["twine", *json.loads(sys.stdin.read())]
sys.exit(twine.__main__.main())
"""


def start(
    command: str, *, cwd: Path, env: Mapping[str, str | None] | None = None
) -> runner.Started:
    """Start twine for `command` (check or upload); give it its arguments with `finish`."""
    argv = [sys.executable, "-c", _BOOT.format(command=command)]
    return runner.start(argv, cwd=cwd, env={**WIDE, **(env or {})})


def arguments(args: Sequence[str]) -> str:
    """What `Started.finish` sends: twine's argv after the program name."""
    return json.dumps(list(args))
