"""Several packages in one repository: the members of a uv workspace or of a plain folder
of projects, found without configuration, and the one a verb acts on.

A repository is a workspace when its root pyproject.toml lists members (`[tool.uv.workspace]`
or `[tool.releasekit] packages`), or when its root is no project at all and projects live
below it. A single project is never scanned, so its verbs cost nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from releasekit.core.config import PYPROJECT, is_project, parse_toml
from releasekit.errors import ConfigError, ReleaseError
from releasekit.system.facts import normalize_name
from releasekit.system.record import record

# Folders a scan never enters: tools' environments and caches, build output, test data.
IGNORED = frozenset(
    {
        "node_modules",
        "venv",
        "env",
        "build",
        "dist",
        "site-packages",
        "__pycache__",
        "tests",
        "test",
        "testing",
        "fixtures",
        "examples",
        "docs",
    }
)
SCAN_DEPTH = 4  # packages/group/name/pyproject.toml at most


@record
class Member:
    """One package of the workspace: its [project] name and its folder from the root."""

    name: str
    path: str  # posix, relative to the repository root; "." for a root that is a project

    @property
    def key(self) -> str:
        return normalize_name(self.name)

    @property
    def prefix(self) -> str:
        """What the member's file paths start with, seen from the root."""
        return "" if self.path == "." else f"{self.path}/"

    def describe(self) -> str:
        return f"{self.name} ({self.path})"


def root_data(root: Path) -> dict[str, Any] | None:
    """The root's pyproject.toml as data; None when there is none (or it is broken: the
    project's own reading reports that)."""
    try:
        text = (root / PYPROJECT).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return parse_toml(text)


def members(root: Path, data: Mapping[str, Any] | None) -> tuple[Member, ...]:
    """The workspace's members, sorted by path; () for a single project."""
    tool = data.get("tool", {}) if data else {}
    table = tool.get("releasekit", {}) if isinstance(tool, Mapping) else {}
    uv = tool.get("uv", {}).get("workspace") if isinstance(tool.get("uv"), Mapping) else None
    configured = table.get("packages") if isinstance(table, Mapping) else None
    single = is_project(data)
    if isinstance(configured, list):
        folders = _globbed(root, [str(p) for p in configured], ())
        return _read(root, folders, strict=True)
    if isinstance(uv, Mapping):
        globs = [str(p) for p in uv.get("members", []) if isinstance(p, str)]
        excluded = [str(p) for p in uv.get("exclude", []) if isinstance(p, str)]
        folders = ([root] if single else []) + _globbed(root, globs, excluded)
        return _read(root, folders, strict=False)
    if single or (root / "setup.py").is_file() or (root / "setup.cfg").is_file():
        return ()
    return _read(root, _scanned(root), strict=False)


def _globbed(root: Path, patterns: Sequence[str], excluded: Sequence[str]) -> list[Path]:
    """Folders matching the globs (as uv reads them: relative to the root), minus `excluded`."""
    import glob

    base = glob.escape(str(root))  # a root path with [ or * in it is no pattern

    def matches(pattern: str) -> list[str]:
        return sorted(glob.glob(f"{base}/{pattern}"))

    found: dict[Path, None] = {}
    skip = {Path(p).resolve() for pattern in excluded for p in matches(pattern)}
    for pattern in patterns:
        for match in matches(pattern):
            folder = Path(match)
            if folder.is_dir() and folder.resolve() not in skip:
                found.setdefault(folder, None)
    return list(found)


def _scanned(root: Path) -> list[Path]:
    """Every folder below the root with a pyproject.toml, outside IGNORED and hidden ones."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        subfolders[:] = sorted(
            name
            for name in subfolders
            if depth < SCAN_DEPTH and not name.startswith((".", "_")) and name not in IGNORED
        )
        if depth and PYPROJECT in files:
            found.append(Path(folder))
    return found


def _read(root: Path, folders: Iterable[Path], *, strict: bool) -> tuple[Member, ...]:
    """A Member per folder whose pyproject.toml has a [project] name; `strict` (configured
    folders) refuses a folder that has none."""
    found: dict[str, Member] = {}
    for folder in folders:
        try:
            relative = folder.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:  # a link out of the repository: its files are not ours to edit
            continue
        data = parse_toml(_text(folder / PYPROJECT)) or {}
        project = data.get("project")
        name = project.get("name") if isinstance(project, Mapping) else None
        if not isinstance(name, str) or not name:
            if strict:
                raise ConfigError(
                    f"[tool.releasekit] packages lists {relative}, which has no "
                    f"{PYPROJECT} with a [project] name",
                    "fix the path, or add [project] name there",
                )
            continue
        member = Member(name, relative)
        other = found.setdefault(member.key, member)
        if other is not member:
            raise ConfigError(
                f"two members are named {name}: {other.path} and {member.path}",
                "give each package its own [project] name",
            )
    return tuple(sorted(found.values(), key=lambda m: m.path))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def listed(found: Sequence[Member]) -> str:
    return ", ".join(member.describe() for member in found)


def which(found: Sequence[Member]) -> ConfigError:
    """A verb that acts on one package, in a workspace, without --package."""
    return ConfigError(
        f"this repository holds {len(found)} packages: {listed(found)}",
        f"say which one with --package, e.g. --package {found[0].name}",
    )


def choose(found: Sequence[Member], package: str) -> Member:
    """The member `--package` names: by its project name or by its folder."""
    folder = PurePosixPath(package.replace("\\", "/").strip("/") or ".").as_posix()
    for member in found:
        if member.key == normalize_name(package) or member.path == folder:
            return member
    if not found:
        raise ConfigError(
            f"--package {package}: this repository is a single project, not a workspace",
            "leave --package out",
        )
    raise ConfigError(
        f"no package {package!r} in this workspace (it holds {listed(found)})",
        f"use one of them, e.g. --package {found[0].name}",
    )


def pin_problems(root: Path, name: str, version: str) -> list[ReleaseError]:
    """Other members whose requirement on `name` excludes `version` (alpha-kit==1.3.0 when
    1.4.0 is released): the workspace would no longer resolve. A range that admits the new
    version is fine; nothing is rewritten, the user widens the pin."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import Version

    wanted, new = normalize_name(name), Version(version)
    problems: list[ReleaseError] = []
    for member in members(root, root_data(root)):
        if member.key == wanted:
            continue
        path = f"{member.prefix}{PYPROJECT}"
        for text in _requirements(parse_toml(_text(root / path)) or {}):
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            pinned = requirement.specifier
            if normalize_name(requirement.name) != wanted or pinned.contains(new, prereleases=True):
                continue  # another project, no version named, or a range that admits it
            problems.append(
                ReleaseError(
                    f"{path} requires {text}, which excludes {name} {version}",
                    f"widen that requirement to admit {version} (e.g. {name}>={version} or a "
                    f"range), commit it, then release {name}",
                )
            )
    return problems


def _requirements(data: Mapping[str, Any]) -> list[str]:
    """Every requirement string of a pyproject: dependencies, extras, dependency groups."""
    project = data.get("project", {})
    found: list[Any] = list(project.get("dependencies", []) or [])
    for extra in (project.get("optional-dependencies", {}) or {}).values():
        found += list(extra or [])
    for group in (data.get("dependency-groups", {}) or {}).values():
        found += [item for item in group or [] if isinstance(item, str)]
    return [item for item in found if isinstance(item, str)]


def member_of_tag(root: Path, tag: str | None) -> Member | None:
    """The member whose release tag `tag` is (alpha-kit-v1.4.0: alpha-kit), for CI, which
    knows only the tag; None outside a workspace or without a tag. A tag of no member is
    refused, naming the members."""
    from releasekit.core import config as config_mod

    data = root_data(root)
    found = members(root, data) if tag else ()
    if not found or tag is None:
        return None
    for member in sorted(found, key=lambda m: -len(m.name)):  # the longest name first
        if member.path == ".":
            tag_format = config_mod.load(root, data).tag_format
        else:
            own = parse_toml(_text(root / member.path / PYPROJECT)) or {}
            tag_format = config_mod.load_member(data or {}, own, member.name).tag_format
        if config_mod.tag_version(tag, tag_format) is not None:
            return member
    raise ConfigError(
        f"tag {tag} is the release tag of no package here ({listed(found)})",
        f"build from a member's release tag, e.g. {found[0].name}-v1.0.0, or pass --package",
    )
