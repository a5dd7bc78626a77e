"""The changelog the project already keeps, behind one small interface (model.Changelog).

Detected without configuration: towncrier when it is configured, else the first of the
usual files that exists; [tool.releasekit] changelog names the file (or "none").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.core.changelogs.model import Changelog, Pending, Removed, Rolled
from releasekit.core.changelogs.text import TextChangelog

if TYPE_CHECKING:
    from releasekit.core.config import Config

__all__ = ["CANDIDATES", "Changelog", "Pending", "Removed", "Rolled", "TextChangelog", "detect"]

CANDIDATES = (
    "CHANGELOG.md",
    "CHANGES.md",
    "CHANGELOG.rst",
    "CHANGES.rst",
    "HISTORY.md",
    "HISTORY.rst",
    "NEWS.md",
    "NEWS.rst",
)


def configured(data: Mapping[str, Any]) -> bool:
    table = data.get("tool", {}).get("releasekit", {})
    return isinstance(table, Mapping) and "changelog" in table


def detect(root: Path, data: Mapping[str, Any], config: Config, project_name: str) -> Changelog:
    """The project's changelog: configured, else towncrier, else the first file that exists."""
    chosen = configured(data)
    if chosen and config.changelog.strip().lower() == "none":
        from releasekit.core.changelogs.commits import NoChangelog

        return NoChangelog(root, config.tag_format, config.commit_message)
    found = None
    # towncrier's module (a dataclass, tempfile, the runner) loads only for its projects.
    if "towncrier" in data.get("tool", {}) or (root / "towncrier.toml").is_file():
        from releasekit.core.changelogs import towncrier

        found = towncrier.find(root, data, project_name)
    if found is not None and (not chosen or found.filename == config.changelog):
        return found
    if chosen:
        return TextChangelog(config.changelog)
    for name in CANDIDATES:
        if (root / name).is_file():
            return TextChangelog(name)
    return TextChangelog(config.changelog)
