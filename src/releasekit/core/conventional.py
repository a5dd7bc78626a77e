"""`--part auto`: the part a release takes, read from Conventional Commits 1.0 subjects.

Teams that write `feat:` and `fix:` already said what each change is; the commits since
the last release tag decide the part (breaking: major, feat: minor, fix/perf: patch), and
an empty [Unreleased] is filled from them. Nothing is guessed: without any feat or fix
the release is refused, with nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from packaging.version import Version

from releasekit.core.plan import Options
from releasekit.core.snapshot import Project
from releasekit.core.version import AUTO, Part
from releasekit.errors import ReleaseError, VersionError
from releasekit.system.git import Git

_SUBJECT = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?:[ \t]+"
    r"(?P<description>\S.*?)[ \t]*$"
)
_FOOTER = re.compile(r"^BREAKING[ -]CHANGE:[ \t]*\S", re.MULTILINE)
_RANK: dict[str, int] = {"patch": 1, "minor": 2, "major": 3}
# Keep a Changelog sections, in its own order; other types are left out of the changelog.
SECTIONS = {"feat": "Added", "perf": "Changed", "refactor": "Changed", "fix": "Fixed"}
SECTION_ORDER = ("Added", "Changed", "Fixed")


@dataclass(frozen=True)
class Change:
    """One commit as Conventional Commits reads it; `type` is "" for other subjects."""

    sha: str
    subject: str
    type: str = ""
    scope: str = ""
    breaking: bool = False
    description: str = ""

    @property
    def entry(self) -> str:
        """Its changelog line: breaking marked, scope kept."""
        marks = ("**BREAKING:** " if self.breaking else "") + (
            f"**{self.scope}:** " if self.scope else ""
        )
        return marks + self.description

    @property
    def section(self) -> str | None:
        """Its Keep a Changelog section, or None when it stays out of the changelog."""
        found = SECTIONS.get(self.type)
        return found if found is not None or not self.breaking else "Changed"


def parse(sha: str, message: str) -> Change:
    """A commit's full message -> Change; `!` or a BREAKING CHANGE footer marks it breaking."""
    subject, _, body = message.strip().partition("\n")
    subject = subject.strip()
    found = _SUBJECT.match(subject)
    if found is None:
        return Change(sha, subject, description=subject)
    breaking = bool(found["bang"]) or _FOOTER.search(body) is not None
    scope = (found["scope"] or "").strip()
    return Change(sha, subject, found["type"].lower(), scope, breaking, found["description"])


def level(change: Change, current: Version, major_on_zero: bool) -> str | None:
    """The part one change asks for: a 0.x breaking change is a minor unless configured."""
    if change.breaking:
        return "major" if current.major > 0 or major_on_zero else "minor"
    if change.type == "feat":
        return "minor"
    if change.type in ("fix", "perf"):
        return "patch"
    return None


@dataclass(frozen=True)
class Decision:
    """The part the commits since `since` ask for, and the commits that decided it."""

    part: str
    since: str  # the tag, or "the first commit"
    changes: tuple[Change, ...]  # every commit since, newest first
    deciding: tuple[Change, ...]

    def lines(self) -> list[str]:
        """What --dry-run shows: the part, then each commit that decided it."""
        head = (
            f"--part auto: {self.part}, decided by {len(self.deciding)} of "
            f"{_commits(len(self.changes))} since {self.since}:"
        )
        return [head, *(f"  {change.sha[:12]} {change.subject}" for change in self.deciding)]

    def sections(self) -> dict[str, list[str]]:
        """The changelog entries, grouped by section, each entry once, oldest first."""
        grouped: dict[str, list[str]] = {}
        for change in reversed(self.changes):
            section = change.section
            if section is not None and change.entry not in grouped.get(section, []):
                grouped.setdefault(section, []).append(change.entry)
        return {name: grouped[name] for name in SECTION_ORDER if name in grouped}


def _commits(count: int) -> str:
    return "no commits" if not count else f"{count} commit{'s' if count != 1 else ''}"


def decide(
    changes: Sequence[Change], current: Version, since: str, *, major_on_zero: bool = False
) -> Decision:
    """The highest part any change asks for; refused (VersionError) when none asks."""
    levels = [(level(change, current, major_on_zero), change) for change in changes]
    wanted = [(part, change) for part, change in levels if part is not None]
    if not wanted:
        raise VersionError(
            f"nothing to release since {since}: {_commits(len(changes))}, none feat/fix",
            "commit a feat: or fix: change first, or choose the part: --part patch|minor|major",
        )
    part = max((part for part, _ in wanted), key=_RANK.__getitem__)
    deciding = tuple(change for found, change in wanted if found == part)
    return Decision(part, since, tuple(changes), deciding)


def with_pre(current: Version, part: str, pre: str | None) -> Part:
    """With --pre on a pre-release that already bumps as far as `part`: its next pre-release
    (1.4.0rc1 + feat + --pre rc gives 1.4.0rc2, not 1.5.0rc1)."""
    if current.pre is None or pre is None:
        return part  # type: ignore[return-value]  # one of major, minor, patch
    _, minor, patch = (*current.release, 0, 0)[:3]
    own = "major" if minor == patch == 0 else "minor" if patch == 0 else "patch"
    return "pre" if _RANK[part] <= _RANK[own] else part  # type: ignore[return-value]


def read_changes(project: Project, current: str) -> tuple[str, list[Change]]:
    """The commits after the current version's tag (the whole history without one)."""
    git = Git(project.root)
    tag = project.config.tag(current)
    since = tag if git.ref(f"refs/tags/{tag}") is not None else None
    folder = (project.base,) if project.base else ()  # a member: its own commits only
    changes = [parse(sha, message) for sha, message in git.messages(since, paths=folder)]
    return since or "the first commit", changes


def resolve(project: Project, options: Options, current: str) -> tuple[Options, Decision | None]:
    """Options with a concrete part: `[tool.releasekit] part` when none was given, and
    `auto` read from the commits. The Decision says why, for the plan's messages."""
    part = options.part
    if part is None and options.new_version is None and project.config.part:
        part = project.config.part  # type: ignore[assignment]  # config checked the value
        options = replace(options, part=part)
    if part != AUTO:
        return options, None
    since, changes = read_changes(project, current)
    version = Version(current)
    decision = decide(changes, version, since, major_on_zero=project.config.major_on_zero)
    return replace(options, part=with_pre(version, decision.part, options.pre)), decision


def fill(project: Project, decision: Decision | None) -> tuple[Project, list[str]]:
    """The project with an empty [Unreleased] filled from the commits (a text changelog);
    entries written by hand are kept as they are, and nothing is added to them."""
    from releasekit.core.changelogs import TextChangelog
    from releasekit.core.changelogs.fill import inject

    kept = project.changelog_format
    if decision is None or not isinstance(kept, TextChangelog) or kept.path not in project.files:
        return project, []
    try:
        pending = kept.pending(project.files)
    except ReleaseError:  # no section to fill: the roll reports it
        return project, []
    if not pending.empty:
        return project, [f"{kept.path}: {pending.where} is written by hand, kept as it is"]
    sections = decision.sections()
    if not sections:
        return project, []
    text = project.files[kept.path].decode("utf-8")
    filled = inject(text, kept.path, sections).encode("utf-8")
    count = sum(len(entries) for entries in sections.values())
    files = {**project.files, kept.path: filled}
    return replace(project, files=files), [
        f"{kept.path}: {pending.where} filled with {count} entr{'y' if count == 1 else 'ies'} "
        "from the commits"
    ]
