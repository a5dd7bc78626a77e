"""Which project a command acts on: the folder it is run in, or the workspace above it.

A command run inside a workspace member's folder acts on that member, as if `--package`
named it; a single project is found as before, by its nearest pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from releasekit.errors import ReleaseError


def find_root(start: Path | None = None) -> Path:
    """The nearest folder with a pyproject.toml, setup.py or setup.cfg, from the current
    one upwards; in a workspace, the repository's root (a member is chosen by --package,
    or by standing in its folder)."""
    here = (start or Path.cwd()).resolve()
    markers = ("pyproject.toml", "setup.py", "setup.cfg")
    top = next((f for f in (here, *here.parents) if (f / ".git").exists()), None)
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in markers):
            return top if top is not None and top != folder and _holds(top, folder) else folder
        if folder == top:
            break
    if top is not None and _holds(top, None):
        return top
    raise ReleaseError(
        f"no pyproject.toml, setup.py or setup.cfg in {here} or above",
        "cd into the project's folder, or create a pyproject.toml there with [project] name "
        'and version (e.g. name = "my-project", version = "0.1.0")',
    )


def _holds(top: Path, folder: Path | None) -> bool:
    """Is `top` a workspace (with `folder` among its members, when given)?"""
    from releasekit.core import workspace

    found = workspace.members(top, workspace.root_data(top))
    return bool(found) and (folder is None or any(top / m.path == folder for m in found))


def member_here(root: Path, start: Path | None = None) -> str | None:
    """The workspace member whose folder the current one is in, for a missing --package."""
    here = (start or Path.cwd()).resolve()
    if here == root:
        return None
    from releasekit.core import workspace

    for member in workspace.members(root, workspace.root_data(root)):
        if member.path != "." and (
            here == root / member.path or root / member.path in here.parents
        ):
            return member.path
    return None
