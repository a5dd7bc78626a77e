"""Look at the world once: the files and git facts a release plan is computed from.

Everything here only reads. The plan (plan.py) is then pure code over this value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.core import config as config_mod
from releasekit.core.changelogs import Changelog, TextChangelog, configured, detect
from releasekit.core.config import PYPROJECT, Config
from releasekit.core.sources import Sources, decode, discover, read_text
from releasekit.errors import ConfigError, ReleaseError
from releasekit.system.git import Git
from releasekit.system.record import record, replace

if TYPE_CHECKING:
    from releasekit.core.workspace import Member


@record
class RemoteState:
    """What the remote has, read with one ls-remote; `error` when it could not be read."""

    branch_sha: str | None = None
    tag_sha: str | None = None
    error: str | None = None


@record
class GitState:
    head: str | None
    branch: str | None
    changed: tuple[str, ...]
    tracked: frozenset[str]
    remote_url: str | None
    remote: RemoteState
    local_tag: str | None  # the commit the release tag points to locally
    head_in_remote: bool  # the remote branch's commit is known here and HEAD contains it


@record
class Project:
    """The project as it is: config, version sources and the files a release may write."""

    root: Path
    config: Config
    sources: Sources
    files: Mapping[str, bytes]
    unwritable: tuple[str, ...]
    changelog: Changelog | None = None  # None: the text file config.changelog names
    base: str = ""  # a workspace member's folder from the root (paths above include it)

    @property
    def changelog_format(self) -> Changelog:
        """The adapter that answers what is unreleased, the roll and the notes."""
        return self.changelog or TextChangelog(self.config.changelog)


def with_tag_format(root: Path, config: Config) -> Config:
    """Without `tag-format` configured, follow the project's own version tags (1.7.0 or v1.7.0)."""
    if config.tag_format_set:
        return config
    try:
        tags = Git(root).version_tags()
    except ReleaseError:  # no git here (a build from an unpacked sdist): nothing to follow
        return config
    try:
        return replace(config, tag_format=config_mod.infer_tag_format(tags, config.tag_format))
    except ConfigError as mixed:  # a preflight problem of the release, not a broken config
        return replace(config, tag_format_mixed=str(mixed))


def read_project(root: Path, package: str | None = None) -> Project:
    """Config, version sources and the bytes of every file a release may write; in a
    workspace, of the member `package` names (refused without one, naming them all)."""
    pyproject = root / PYPROJECT
    data = config_mod.read_pyproject(root) if pyproject.is_file() else None
    if package is not None or config_mod.may_hold_members(data):  # else no import, no scan
        from releasekit.core import workspace

        found = workspace.members(root, data)
    else:
        found = ()
    if package is not None or found:
        if package is None:
            raise workspace.which(found)
        member = workspace.choose(found, package)
        if member.path != ".":
            return _read_member(root, member, data or {})
    if data is None:  # setup.py / setup.cfg only, or the error that names what is missing
        data = config_mod.read_pyproject(root)
    config = with_tag_format(root, config_mod.load(root, data))
    sources = discover(root, data, read_text(pyproject) if pyproject.is_file() else "", config)
    changelog = detect(root, data, config, sources.project)
    return _with_files(Project(root, config, sources, {}, (), changelog))


def _read_member(root: Path, member: Member, root_data: Mapping[str, Any]) -> Project:
    """A member seen from the root: its own files under its folder, the root's uv.lock."""
    from releasekit.core.changelogs.commits import NoChangelog
    from releasekit.core.changelogs.inside import Inside
    from releasekit.core.locations import Location
    from releasekit.core.sources import uv_lock_version

    folder, prefix = root / member.path, member.prefix
    data = config_mod.read_pyproject(folder)
    config = config_mod.load_member(root_data, data, member.name)
    found = discover(folder, data, read_text(folder / PYPROJECT), config)
    locations = [replace(location, path=prefix + location.path) for location in found.locations]
    lock = root / "uv.lock"
    value = uv_lock_version(read_text(lock), found.project) if lock.is_file() else None
    if value is not None:
        locations.append(Location("uv.lock", "uvlock", value, found.project))
    sources = replace(found, locations=tuple(locations))
    own = detect(folder, data, config, found.project)
    changelog: Changelog
    shared = None if configured(data) else _shared_changelog(root, root_data, own, folder)
    if shared is not None:
        changelog, config = shared, replace(config, changelog=shared.path)
    elif isinstance(own, TextChangelog):
        changelog = TextChangelog(prefix + own.path)
    elif isinstance(own, NoChangelog):
        changelog = replace(own, root=root, folder=member.path)
    else:
        changelog = Inside(own, prefix)
    if shared is None:
        config = replace(config, changelog=prefix + config.changelog)
    project = Project(root, config, sources, {}, (), changelog, base=member.path)
    return _with_files(project)


def _shared_changelog(
    root: Path, root_data: Mapping[str, Any], own: Changelog, folder: Path
) -> TextChangelog | None:
    """A member without a changelog file of its own releases into the root's, if any."""
    if not isinstance(own, TextChangelog) or (folder / own.path).exists():
        return None
    shared = detect(root, root_data, config_mod.load(root, root_data), "")
    if isinstance(shared, TextChangelog) and (root / shared.path).is_file():
        return shared
    return None


def _with_files(project: Project) -> Project:
    """The project with the bytes of every file a release may write, and which it cannot."""
    root = project.root
    paths = {location.path for location in project.sources.locations}
    paths |= set(project.changelog_format.paths)
    files: dict[str, bytes] = {}
    for path in sorted(paths):
        try:
            files[path] = (root / path).read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:  # a folder, unreadable: `changelog = ""` must not crash
            raise ConfigError(
                f"cannot read {path!r}: {exc.strerror or exc}",
                "point [tool.releasekit] changelog / version-files at a file",
            ) from None
        decode(files[path], path)  # every later edit decodes it: refuse other encodings now
    unwritable = tuple(path for path in files if not os.access(root / path, os.W_OK))
    return replace(project, files=files, unwritable=unwritable)


def read_git(
    root: Path, config: Config, tag: str | None, paths: list[str], *, remote: bool
) -> GitState:
    """Local git facts, plus the remote's branch and tag when `remote` is asked for."""
    git = Git(root)
    head = git.head()
    remote_url = git.remote_url(config.remote)
    remote_state = RemoteState()
    if remote and remote_url is not None:
        refs = [f"refs/heads/{config.branch}"] + ([f"refs/tags/{tag}"] if tag else [])
        try:
            found = git.ls_remote(config.remote, refs)
        except ReleaseError as exc:
            remote_state = RemoteState(error=exc.cause)
        else:
            remote_state = RemoteState(
                found.get(f"refs/heads/{config.branch}"),
                found.get(f"refs/tags/{tag}") if tag else None,
            )
    remote_sha = remote_state.branch_sha
    head_in_remote = bool(
        remote_sha and head and git.has_commit(remote_sha) and git.is_ancestor(remote_sha, head)
    )
    return GitState(
        head=head,
        branch=git.branch(),
        changed=tuple(git.changed_files()) if head else (),
        tracked=frozenset(git.tracked(paths)) if head else frozenset(),
        remote_url=remote_url,
        remote=remote_state,
        local_tag=git.ref(f"refs/tags/{tag}") if tag else None,
        head_in_remote=head_in_remote,
    )
