"""Whether an interrupted release may be waiting, or one is running: one stat each.

The journal and apply modules (hashing, JSON, temporary files, signals) load only when
their files are there: `bump`, `changelog` and a release's planning start lean.
"""

from __future__ import annotations

from pathlib import Path

from releasekit.system import gitdir

JOURNAL_NAME = "releasekit-journal.json"
LOCK_NAME = "releasekit.lock"  # held by a running release (apply.lock)


def unlocked(root: Path) -> bool:
    """True when the repository's git folder is found and no release holds its lock;
    False otherwise (then apply.check_not_running looks, with git's help)."""
    folder = gitdir.find(root)
    return folder is not None and not (folder / LOCK_NAME).exists()


def none_waiting(root: Path) -> bool:
    """True when the repository's git folder is found and holds no journal; False when a
    journal is there or the folder is not where a plain repository keeps it (then the
    recovery module looks, with git's help)."""
    folder = gitdir.find(root)
    return folder is not None and not (folder / JOURNAL_NAME).exists()
