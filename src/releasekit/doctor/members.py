"""Doctor's view of a workspace: each member's folder, version, changelog and latest tag,
so `releasekit doctor` at the root shows what `--package` can name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from releasekit.core.workspace import Member
from releasekit.doctor.model import Check
from releasekit.errors import ReleaseError
from releasekit.system.git import Git


def describe(root: Path, member: Member, tags: list[str]) -> dict[str, Any]:
    """One member as data (doctor --json lists these): path, version, changelog, latest tag."""
    from packaging.version import InvalidVersion, Version

    from releasekit.core.release import read_version
    from releasekit.core.snapshot import read_project

    project = read_project(root, member.path)
    config = project.config
    released: list[tuple[Version, str]] = []
    for tag in tags:
        text = config.version_of(tag)
        try:
            released.append((Version(text or ""), tag))
        except InvalidVersion:
            continue
    kept = project.changelog_format
    return {
        "name": member.name,
        "path": member.path,
        "version": read_version(project),
        "changelog": kept.paths[0] if kept.paths else "none (commit subjects)",
        "latest_tag": max(released)[1] if released else None,
    }


def checks(root: Path, found: tuple[Member, ...]) -> tuple[list[Check], list[dict[str, Any]]]:
    """A line per member (failing when releasekit cannot read it), and the members as data."""
    git = Git(root)
    tags = git.tags() if git.is_repository() else []
    lines = [
        Check(
            "workspace",
            "pass",
            f"{len(found)} packages; release one with --package NAME",
        )
    ]
    described: list[dict[str, Any]] = []
    for member in found:
        try:
            facts = describe(root, member, tags)
        except ReleaseError as exc:
            lines.append(Check(f"member {member.name}", "fail", exc.cause, exc.fix))
            described.append({"name": member.name, "path": member.path, "error": exc.cause})
            continue
        described.append(facts)
        latest = facts["latest_tag"] or "no release tag yet"
        lines.append(
            Check(
                f"member {member.name}",
                "pass",
                f"{member.path}: {facts['version']}, changelog {facts['changelog']}, {latest}",
            )
        )
    return lines, described
