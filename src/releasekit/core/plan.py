"""Pure: the project's state and the user's options -> an immutable plan of steps.

Nothing here touches the disk, git or the network. `--dry-run` prints the plan;
apply.py runs it. Every problem found is collected, so the user fixes them all
in one go instead of one per run.
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.version import Version

from releasekit.core import version as versions
from releasekit.core.changelogs import Rolled
from releasekit.core.config import tag_version
from releasekit.core.snapshot import Project
from releasekit.core.sources import replace
from releasekit.core.version import Part
from releasekit.errors import ReleaseError, VersionError
from releasekit.system.record import field, record


@record
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
    first_release: bool = False
    via_pr: bool = False  # the release commit goes through a pull request (core/pullflow.py)
    finish: bool = False  # tag the merged release commit of that pull request
    package: str | None = None  # the workspace member released (its name or folder)


@record
class WriteFile:
    path: str
    before: bytes
    after: bytes

    @property
    def title(self) -> str:
        return f"update {self.path}"


@record
class DeleteFile:
    """Remove a file the release consumes (a towncrier news fragment); undo puts it back."""

    path: str
    before: bytes
    mode: int = 0o644

    @property
    def title(self) -> str:
        return f"delete {self.path}"


@record
class Commit:
    paths: tuple[str, ...]
    message: str

    @property
    def title(self) -> str:
        return f"commit {', '.join(self.paths)}: {self.message!r}"


@record
class Tag:
    name: str
    message: str
    sign: bool

    @property
    def title(self) -> str:
        return f"create {'signed' if self.sign else 'annotated'} tag {self.name}"


@record
class Push:
    remote: str
    refspecs: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"git push --atomic {self.remote} {' '.join(self.refspecs)}"


@record
class Build:
    version: str

    @property
    def title(self) -> str:
        return f"build the sdist and wheel of {self.version} into dist/"


@record
class Publish:
    project: str
    version: str
    repository: str

    @property
    def title(self) -> str:
        return f"upload dist/ to {self.repository} (files already there are skipped)"


@record
class GitHubRelease:
    tag: str
    notes: str
    prerelease: bool

    @property
    def title(self) -> str:
        kind = "pre-release" if self.prerelease else "release"
        return f"create or update the GitHub {kind} {self.tag}"


@record
class BranchCommit:
    """The release commit on a new branch, made beside the work tree (which stays as it is)."""

    branch: str
    parent: str
    writes: tuple[WriteFile, ...]
    deleted: tuple[str, ...]
    message: str

    @property
    def title(self) -> str:
        paths = ", ".join([*(write.path for write in self.writes), *self.deleted])
        return f"commit {paths} on a new branch {self.branch}: {self.message!r}"


@record
class PullRequest:
    branch: str
    base: str
    title_text: str
    body: str
    remote: str = "origin"  # whose URL names the GitHub repository

    @property
    def title(self) -> str:
        return f"open the pull request {self.branch} -> {self.base} on GitHub"


Step = (
    WriteFile
    | DeleteFile
    | Commit
    | Tag
    | Push
    | Build
    | Publish
    | GitHubRelease
    | BranchCommit
    | PullRequest
)
# After these, nothing is undone: the world has seen the release.
NO_RETURN = (Push,)


@record
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
    package: str = ""  # a workspace member's folder; "" for a single project

    @property
    def waits_for_merge(self) -> bool:
        """The release went to a pull request: the tag comes with --finish after the merge."""
        return any(isinstance(step, PullRequest) for step in self.steps)

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
            elif isinstance(step, BranchCommit):
                lines.extend(f"     {line}" for write in step.writes for line in diff(write))
        if not self.steps:
            lines.append("Nothing to do.")
        return "\n".join(lines)


def diff(step: WriteFile) -> list[str]:
    before = step.before.decode("utf-8").splitlines()
    after = step.after.decode("utf-8").splitlines()
    from releasekit.core.linediff import unified

    return unified(before, after, f"a/{step.path}", f"b/{step.path}", context=1)


def current_version(
    project: Project, tags: Sequence[str], *, first: bool = False, given: bool = False
) -> Version:
    """The one version all locations agree on (or the latest tag, for VCS versions).

    Never a guess: a project versioned by its tags with no tag of the format has no
    current version, unless this is its `first` release (then it starts from 0.0.0).
    """
    sources = project.sources
    if sources.tag_only:
        found = latest_tag_version(tags, project.config.tag_format)
        if found is not None:
            if first:
                raise VersionError(
                    f"--first-release, but {project.config.tag(str(found))} is released already",
                    "leave out --first-release",
                )
            return found
        if first or (given and not _version_like(tags)):
            return Version("0.0.0")  # nothing released: the user gave what comes next
        raise _no_release_tag(tags, project.config.tag_format)
    found_versions: set[Version] = set()
    for location in sources.locations:
        try:
            parsed = versions.parse(location.value)
        except VersionError:
            raise VersionError(
                f"{location.label} holds {location.value!r}, not a PEP 440 version",
                "write a version such as 1.3.0 there",
            ) from None
        found_versions.add(parsed)
    if len(found_versions) > 1:
        listed = ", ".join(f"{loc.label} = {loc.value}" for loc in sources.locations)
        raise VersionError(f"version locations disagree: {listed}", "make them agree, then re-run")
    return next(iter(found_versions))


def _no_release_tag(tags: Sequence[str], tag_format: str) -> VersionError:
    """The version comes from tags and none follows the format: name what would match."""
    import re

    like = _version_like(tags)
    if not like:
        return VersionError(
            "no release tag yet, and this project's version comes from its git tags",
            "make the first release with --first-release --part minor (0.1.0), or --new-version X",
        )
    latest = sorted(like, key=_numbers)[-1]
    number = re.search(r"\d+(?:\.\d+)+\S*", latest)
    assert number is not None  # `like` tags hold one
    suggested = latest[: number.start()] + "{version}" + latest[number.end() :]
    shown = ", ".join(sorted(like, key=_numbers, reverse=True)[:3])
    return VersionError(
        f"no tag follows tag-format {tag_format!r} (the version comes from git tags; "
        f"found {shown})",
        f'set [tool.releasekit] tag-format = "{suggested}" in pyproject.toml',
    )


def _version_like(tags: Sequence[str]) -> list[str]:
    import re

    return [tag for tag in tags if re.search(r"\d+\.\d+", tag)]


def _numbers(tag: str) -> tuple[int, ...]:
    import re

    return tuple(int(n) for n in re.findall(r"\d+", tag))


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
    rolled: Rolled | ReleaseError | None = None,
) -> tuple[list[WriteFile], list[ReleaseError]]:
    """The file writes of a release (version locations, then the changelog).

    `rolled` is the changelog after the roll when the caller computed it (towncrier runs
    a process for it); without it, the project's text changelog is rolled here.
    """
    problems: list[ReleaseError] = []
    texts = {path: data.decode("utf-8") for path, data in project.files.items()}
    for location in project.sources.locations if version_files else ():
        texts[location.path] = replace(texts[location.path], location, new)
    if roll_changelog and rolled is None:
        rolled = roll(project, new, date=date, tag=tag, allow_empty=allow_empty)
    if isinstance(rolled, ReleaseError):
        problems.append(rolled)
    elif rolled is not None and roll_changelog:
        for path, data in rolled.writes.items():
            texts[path] = data.decode("utf-8")
    writes = [
        WriteFile(path, project.files[path], texts[path].encode("utf-8"))
        for path in sorted(texts)
        if texts[path].encode("utf-8") != project.files[path]
    ]
    return writes, problems


def roll(
    project: Project, new: str, *, date: str, tag: str, allow_empty: bool
) -> Rolled | ReleaseError:
    """The changelog after the roll, or why it cannot roll (a problem, not a crash)."""
    try:
        return project.changelog_format.roll(
            project.files, new, date, tag=tag, allow_empty=allow_empty
        )
    except ReleaseError as exc:
        return exc


def deletions(rolled: Rolled | ReleaseError | None) -> list[DeleteFile]:
    if not isinstance(rolled, Rolled):
        return []
    return [DeleteFile(gone.path, gone.before, gone.mode) for gone in rolled.removed]
