"""SemVer intent in, one canonical PEP 440 version out.

Users think in parts (major, minor, patch, rc); packages are versioned by
PEP 440. The part arithmetic is SemVer's (`semver`'s next_version, bump_* and
finalize_version, on MAJOR.MINOR.PATCH plus one alpha|beta|rc.N), done here on
numbers so that a bump does not load `semver` (tests/test_version.py proves it equal
to `semver` on every version and part); `packaging` parses and writes the canonical
string, and anything whose meaning differs between the two is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from packaging.version import InvalidVersion, Version

from releasekit.errors import VersionError

if TYPE_CHECKING:
    import semver

Part = Literal["major", "minor", "patch", "pre", "release", "auto"]
PARTS: tuple[Part, ...] = ("major", "minor", "patch", "pre", "release")
AUTO: Part = "auto"  # the part the commits since the last tag ask for (core/conventional.py)
PRE_TOKENS = {"alpha": "a", "beta": "b", "rc": "rc"}
_SEMVER_TOKEN = {"a": "alpha", "b": "beta", "rc": "rc"}


def parse(text: str) -> Version:
    """Read a version as written in a file or on the command line."""
    try:
        return Version(text.strip())
    except InvalidVersion:
        raise VersionError(
            f"{text!r} is not a valid PEP 440 version",
            "use a form like 1.4.0 or 1.4.0rc1",
        ) from None


def canonical(version: Version) -> str:
    """The one string written into files, the tag and the artifacts."""
    return str(version)


def check_releasable(version: Version, written: str | None = None) -> None:
    """Refuse versions that PyPI rejects or that SemVer and PEP 440 order differently."""
    shown = (written or canonical(version)).strip()
    if version.local is not None:
        raise VersionError(
            f"{shown} has a local part (+{version.local}); package indexes refuse it",
            "drop the +... suffix",
        )
    if version.is_postrelease:
        raise VersionError(
            f"{shown} is a post-release; SemVer sorts it before {version.base_version}, "
            "PEP 440 after it",
            "use a patch release instead (--part patch)",
        )
    if version.is_devrelease:
        raise VersionError(
            f"{shown} is a dev release; SemVer and PEP 440 order it differently",
            "use an alpha, beta or rc pre-release (--pre alpha|beta|rc)",
        )
    if version.epoch or len(version.release) > 3:
        raise VersionError(
            f"{shown} has no SemVer equivalent (epoch or more than three numbers)",
            "use MAJOR.MINOR.PATCH",
        )


def to_semver(version: Version) -> semver.Version:
    """PEP 440 -> SemVer (what the arithmetic below does on numbers)."""
    import semver

    major, minor, patch = (*version.release, 0, 0)[:3]
    prerelease = None
    if version.pre is not None:
        token, number = version.pre
        prerelease = f"{_SEMVER_TOKEN[token]}.{number}"
    return semver.Version(major, minor, patch, prerelease=prerelease)


def from_semver(version: semver.Version) -> Version:
    """SemVer -> canonical PEP 440 (1.4.0-rc.1 becomes 1.4.0rc1)."""
    return Version(str(version))


# MAJOR.MINOR.PATCH and the pre-release (SemVer token, number) or None: what to_semver
# keeps of a PEP 440 version, and all the arithmetic looks at.
_Numbers = tuple[int, int, int, "tuple[str, int] | None"]


def _numbers(version: Version) -> _Numbers:
    major, minor, patch = (*version.release, 0, 0)[:3]
    pre = None if version.pre is None else (_SEMVER_TOKEN[version.pre[0]], version.pre[1])
    return major, minor, patch, pre


def _bump_part(numbers: _Numbers, part: str) -> _Numbers:
    """semver's bump_major, bump_minor, bump_patch: the lower parts and the pre-release go."""
    major, minor, patch, _pre = numbers
    if part == "major":
        return major + 1, 0, 0, None
    if part == "minor":
        return major, minor + 1, 0, None
    return major, minor, patch + 1, None


def _written(numbers: _Numbers) -> Version:
    """Canonical PEP 440, as from_semver writes it (1.4.0-rc.1 becomes 1.4.0rc1)."""
    major, minor, patch, pre = numbers
    suffix = "" if pre is None else f"{PRE_TOKENS[pre[0]]}{pre[1]}"
    return Version(f"{major}.{minor}.{patch}{suffix}")


def bump(current: Version, part: Part, pre: str | None = None) -> Version:
    """The next version for a part and an optional pre-release token."""
    if pre is not None and pre not in PRE_TOKENS:
        raise VersionError(f"unknown pre-release {pre!r}", "use --pre alpha, beta or rc")
    if part == AUTO:
        raise VersionError(
            "--part auto is decided by the commits since the last tag, not here",
            "release with `releasekit release --part auto`, which reads them",
        )
    numbers = _numbers(current)
    major, minor, patch, was = numbers
    if part in ("major", "minor", "patch") and pre is None:
        # From a pre-release of that part's release this finalises (1.4.0rc1 --part minor
        # gives 1.4.0), as npm and poetry do; otherwise it increments (semver's
        # next_version).
        finalises = was is not None and (
            part == "patch"
            or (part == "minor" and patch == 0)
            or (part == "major" and minor == patch == 0)
        )
        numbers = (major, minor, patch, None) if finalises else _bump_part(numbers, part)
    elif part in ("major", "minor", "patch") and pre is not None:
        numbers = (*_bump_part(numbers, part)[:3], (pre, 1))
    elif part == "pre":
        if current.pre is None:
            raise VersionError(
                f"{canonical(current)} is not a pre-release, so --part pre has nothing to move",
                "start one with --part patch|minor|major --pre alpha|beta|rc",
            )
        assert was is not None  # current.pre is set
        token, number = was
        if pre is None or pre == token:
            numbers = (major, minor, patch, (token, number + 1))  # semver's bump_prerelease
        else:
            numbers = (major, minor, patch, (pre, 1))
    elif part == "release":
        if current.is_devrelease or current.is_postrelease:
            raise VersionError(
                f"{canonical(current)} is a dev or post release, not an alpha, beta or rc",
                "set the version with --new-version",
            )
        if current.pre is None:
            raise VersionError(
                f"{canonical(current)} is already a final release",
                "use --part patch, minor or major",
            )
        if pre is not None:
            raise VersionError("--part release takes no --pre", "drop --pre")
        numbers = (major, minor, patch, None)  # semver's finalize_version
    else:
        raise VersionError(f"unknown part {part!r}", f"use --part {'|'.join(PARTS)}")
    new = _written(numbers)
    check_new(current, new)
    return new


def check_new(current: Version, new: Version, written: str | None = None) -> None:
    """A new version must be releasable and strictly above the current one."""
    check_releasable(new, written)
    if new == current:
        raise VersionError(
            f"{canonical(new)} is the current version", "choose a higher version or a --part"
        )
    if new < current:
        raise VersionError(
            f"{canonical(new)} is lower than the current version {canonical(current)}",
            "versions only go up: choose a higher one",
        )


def explicit(current: Version, text: str) -> Version:
    """`--new-version X`: parsed, refused when unsafe, written canonically."""
    new = parse(text)
    check_new(current, new, text)
    return new
