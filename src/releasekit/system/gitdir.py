"""The repository's git folder found on disk, without starting git, in the common layout.

`releasekit bump` asks only whether an interrupted release left a journal there; one
stat answers that, where `git rev-parse` costs a process (and loading subprocess).
"""

from __future__ import annotations

import os
from pathlib import Path

# Any of these changes where git looks: then only git itself can tell.
_GIT_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
)


def find(root: Path) -> Path | None:
    """The nearest `.git` folder holding a HEAD, from `root` upwards: what
    `git rev-parse --absolute-git-dir` prints there. None for everything else (a
    worktree's or submodule's `.git` file, a GIT_DIR setting, no repository found):
    ask git then."""
    if any(name in os.environ for name in _GIT_ENV):
        return None
    here = root.resolve()
    for folder in (here, *here.parents):
        candidate = folder / ".git"
        if candidate.is_dir():
            return candidate if (candidate / "HEAD").is_file() else None
        if candidate.exists():
            return None
    return None
