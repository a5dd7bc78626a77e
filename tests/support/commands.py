"""The real commands as a user runs them: from a folder, stdin closed, output captured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def tool(cwd: Path, program: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`program` of this environment (releasekit, invoke, nox) with `env` over os.environ."""
    return subprocess.run(
        [str(BIN / program), *args],
        cwd=cwd,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def releasekit(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return tool(cwd, "releasekit", *args, **env)
