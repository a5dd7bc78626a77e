"""SemVer intent in, one canonical PEP 440 version out.

Users think in parts (major, minor, patch, rc); packages are versioned by
PEP 440. `semver` does the part arithmetic, `packaging` parses and writes the
canonical string, and anything whose meaning differs between the two is refused.
"""

from __future__ import annotations

from typing import Literal

import semver
from packaging.version import InvalidVersion, Version

from releasekit.errors import VersionError

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
    """PEP 440 -> SemVer, for the arithmetic only."""
    major, minor, patch = (*version.release, 0, 0)[:3]
    prerelease = None
    if version.pre is not None:
        token, number = version.pre
        prerelease = f"{_SEMVER_TOKEN[token]}.{number}"
    return semver.Version(major, minor, patch, prerelease=prerelease)


def from_semver(version: semver.Version) -> Version:
    """SemVer -> canonical PEP 440 (1.4.0-rc.1 becomes 1.4.0rc1)."""
    return Version(str(version))


def bump(current: Version, part: Part, pre: str | None = None) -> Version:
    """The next version for a part and an optional pre-release token."""
    if pre is not None and pre not in PRE_TOKENS:
        raise VersionError(f"unknown pre-release {pre!r}", "use --pre alpha, beta or rc")
    if part == AUTO:
        raise VersionError(
            "--part auto is decided by the commits since the last tag, not here",
            "release with `releasekit release --part auto`, which reads them",
        )
    sv = to_semver(current)
    if part in ("major", "minor", "patch") and pre is None:
        # From a pre-release of that part's release this finalises (1.4.0rc1 --part minor
        # gives 1.4.0), as npm and poetry do; otherwise it increments.
        sv = sv.next_version(part)
    elif part in ("major", "minor", "patch"):
        sv = {"major": sv.bump_major, "minor": sv.bump_minor, "patch": sv.bump_patch}[part]()
        sv = sv.replace(prerelease=f"{pre}.1")
    elif part == "pre":
        if current.pre is None:
            raise VersionError(
                f"{canonical(current)} is not a pre-release, so --part pre has nothing to move",
                "start one with --part patch|minor|major --pre alpha|beta|rc",
            )
        token = _SEMVER_TOKEN[current.pre[0]]
        if pre is None or pre == token:
            sv = sv.bump_prerelease()
        else:
            sv = sv.replace(prerelease=f"{pre}.1")
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
        sv = sv.finalize_version()
    else:
        raise VersionError(f"unknown part {part!r}", f"use --part {'|'.join(PARTS)}")
    new = from_semver(sv)
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
