"""Pure: the project's state and the user's options -> an immutable plan of steps.

Nothing here touches the disk, git or the network. `--dry-run` prints the plan;
apply.py runs it. Every problem found is collected, so the user fixes them all
in one go instead of one per run.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

from packaging.version import Version

from releasekit.core import changelog
from releasekit.core import version as versions
from releasekit.core.config import tag_version
from releasekit.core.snapshot import GitState, Project
from releasekit.core.sources import Location, replace
from releasekit.core.version import Part
from releasekit.errors import ChangelogError, GitError, ReleaseError, VersionError


@dataclass(frozen=True)
class Options:
    """What the user asked for, from any front."""

    part: Part | None = None
    pre: str | None = None
    new_version: str | None = None
    allow_empty_changelog: bool = False
    push: bool = True
    sign: bool | None = None
    publish: bool | None = None
    github_release: bool | None = None
    repository: str | None = None


@dataclass(frozen=True)
class WriteFile:
    path: str
    before: bytes
    after: bytes

    @property
    def title(self) -> str:
        return f"update {self.path}"


@dataclass(frozen=True)
class Commit:
    paths: tuple[str, ...]
    message: str

    @property
    def title(self) -> str:
        return f"commit {', '.join(self.paths)}: {self.message!r}"


@dataclass(frozen=True)
class Tag:
    name: str
    message: str
    sign: bool

    @property
    def title(self) -> str:
        return f"create {'signed' if self.sign else 'annotated'} tag {self.name}"


@dataclass(frozen=True)
class Push:
    remote: str
    refspecs: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"git push --atomic {self.remote} {' '.join(self.refspecs)}"


@dataclass(frozen=True)
class Build:
    version: str

    @property
    def title(self) -> str:
        return f"build the sdist and wheel of {self.version} into dist/"


@dataclass(frozen=True)
class Publish:
    project: str
    version: str
    repository: str

    @property
    def title(self) -> str:
        return f"upload dist/ to {self.repository} (files already there are skipped)"


@dataclass(frozen=True)
class GitHubRelease:
    tag: str
    notes: str
    prerelease: bool

    @property
    def title(self) -> str:
        kind = "pre-release" if self.prerelease else "release"
        return f"create or update the GitHub {kind} {self.tag}"


Step = WriteFile | Commit | Tag | Push | Build | Publish | GitHubRelease
# After these, nothing is undone: the world has seen the release.
NO_RETURN = (Push,)


@dataclass(frozen=True)
class Plan:
    project: str
    current: str
    version: str
    tag: str
    notes: str
    steps: tuple[Step, ...] = ()
    problems: tuple[ReleaseError, ...] = ()
    resumed: bool = False
    messages: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """What would happen, with a diff of every file: the dry-run output."""
        if self.resumed:
            head = f"Finish the release of {self.project} {self.version} (tag {self.tag})"
        else:
            head = f"Release {self.project} {self.current} -> {self.version} (tag {self.tag})"
        lines = [head, *self.messages]
        for number, step in enumerate(self.steps, 1):
            lines.append(f"{number}. {step.title}")
            if isinstance(step, WriteFile):
                lines.extend(f"     {line}" for line in diff(step))
        if not self.steps:
            lines.append("Nothing to do.")
        return "\n".join(lines)


def diff(step: WriteFile) -> list[str]:
    before = step.before.decode("utf-8").splitlines()
    after = step.after.decode("utf-8").splitlines()
    from releasekit.core.linediff import unified

    return unified(before, after, f"a/{step.path}", f"b/{step.path}", context=1)


def current_version(project: Project, tags: Sequence[str]) -> Version:
    """The one version all locations agree on (or the latest tag, for VCS versions)."""
    sources = project.sources
    if sources.tag_only:
        return latest_tag_version(tags, project.config.tag_format) or Version("0.0.0")
    values: dict[Version, list[Location]] = {}
    for location in sources.locations:
        try:
            parsed = versions.parse(location.value)
        except VersionError:
            raise VersionError(
                f"{location.label} holds {location.value!r}, not a PEP 440 version",
                "write a version such as 1.3.0 there",
            ) from None
        values.setdefault(parsed, []).append(location)
    if len(values) > 1:
        listed = ", ".join(f"{loc.label} = {loc.value}" for loc in sources.locations)
        raise VersionError(f"version locations disagree: {listed}", "make them agree, then re-run")
    return next(iter(values))


def latest_tag_version(tags: Sequence[str], tag_format: str) -> Version | None:
    found: list[Version] = []
    for text in filter(None, (tag_version(tag, tag_format) for tag in tags)):
        try:
            found.append(Version(text))
        except ValueError:
            continue
    return max(found, default=None)


def next_version(current: Version, options: Options) -> Version:
    if options.new_version is not None:
        if options.part is not None or options.pre is not None:
            raise VersionError("--new-version excludes --part and --pre", "give one or the other")
        return versions.explicit(current, options.new_version)
    if options.part is None:
        raise VersionError("no version change asked for", "pass --part or --new-version")
    return versions.bump(current, options.part, options.pre)


def edits(
    project: Project,
    new: str,
    *,
    date: str,
    tag: str,
    allow_empty: bool,
    version_files: bool = True,
    roll_changelog: bool = True,
) -> tuple[list[WriteFile], list[ReleaseError]]:
    """The file writes of a release (version locations, then the changelog)."""
    problems: list[ReleaseError] = []
    texts = {path: data.decode("utf-8") for path, data in project.files.items()}
    for location in project.sources.locations if version_files else ():
        texts[location.path] = replace(texts[location.path], location, new)
    path = project.config.changelog
    if not roll_changelog:
        pass
    elif path not in project.files:
        problems.append(
            ChangelogError(
                f"{path} does not exist",
                "create it with a '## [Unreleased]' section (releasekit init writes one)",
            )
        )
    else:
        try:
            texts[path] = changelog.release(
                texts[path], new, date, tag=tag, allow_empty=allow_empty, path=path
            )
        except ReleaseError as exc:
            problems.append(exc)
    writes = [
        WriteFile(path, project.files[path], texts[path].encode("utf-8"))
        for path in sorted(texts)
        if texts[path].encode("utf-8") != project.files[path]
    ]
    return writes, problems


def read_only(path: str) -> ReleaseError:
    return ReleaseError(f"{path} is read-only", f"make it writable (chmod u+w {path})")


def git_problems(
    git: GitState,
    project: Project,
    tag: str,
    paths: Sequence[str],
    push: bool,
    *,
    resumed: bool = False,
) -> list[ReleaseError]:
    """Everything about the repository that would make the release fail or go wrong.

    When finishing a release (`resumed`), its own tag is expected, and a remote that
    moved on past the release commit is fine: only the missing refs are pushed.
    """
    config = project.config
    problems: list[ReleaseError] = []
    if git.head is None:
        return [GitError("the repository has no commit yet", "commit the project first")]
    if git.branch is None:
        problems.append(GitError("HEAD is detached", f"check out {config.branch} first"))
    elif git.branch != config.branch:
        problems.append(
            GitError(
                f"on branch {git.branch}, releases are made from {config.branch}",
                f"git switch {config.branch}, or set [tool.releasekit] branch",
            )
        )
    dirty = [p for p in git.changed if not any(fnmatch.fnmatch(p, g) for g in config.allow_dirty)]
    if dirty:
        problems.append(
            GitError(
                f"uncommitted changes in {', '.join(dirty)}",
                "commit or stash them, or list them in [tool.releasekit] allow-dirty",
            )
        )
    untracked = [path for path in paths if path not in git.tracked]
    if untracked:
        problems.append(
            GitError(f"{', '.join(untracked)} not tracked by git", "git add and commit it first")
        )
    problems.extend(read_only(path) for path in project.unwritable)
    if git.local_tag is not None and not resumed:
        problems.append(
            GitError(
                f"tag {tag} already exists locally",
                f"delete it (git tag -d {tag}) or choose another version",
            )
        )
    if push and (not resumed or git.remote_url is None or git.remote.error is not None):
        problems += _remote_problems(git, config.remote, config.branch, tag)
    return problems


def _remote_problems(git: GitState, remote: str, branch: str, tag: str) -> list[ReleaseError]:
    if git.remote_url is None:
        return [GitError(f"no remote named {remote}", f"git remote add {remote} URL, or --no-push")]
    if git.remote.error is not None:
        return [
            GitError(
                f"cannot reach remote {remote}: {git.remote.error}",
                "check the network and credentials, or use --no-push",
            )
        ]
    problems: list[ReleaseError] = []
    if git.remote.tag_sha is not None:
        problems.append(
            GitError(
                f"tag {tag} already exists on {remote}",
                "the version was released before: choose another version",
            )
        )
    if git.remote.branch_sha is not None and not git.head_in_remote:
        problems.append(
            GitError(
                f"{branch} is behind or has diverged from {remote}/{branch}",
                f"git pull {remote} {branch} first",
            )
        )
    return problems
