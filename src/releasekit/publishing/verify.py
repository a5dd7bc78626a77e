"""What a release's dist/ must hold: one sdist and its wheels, all of one project at one version.

A compiled project's dist/ is gathered from many machines (an sdist job and a wheel job per
runner), so the files are checked by name before anything is uploaded: the same project and
version everywhere, no two wheels an installer could not tell apart, and no file changed after
SHA256SUMS was written. No process runs here; dist.verify adds twine check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.errors import BuildError, VersionError
from releasekit.publishing import attestations
from releasekit.system.facts import sha256

if TYPE_CHECKING:
    from packaging.version import Version

CHECKSUMS = "SHA256SUMS"
REBUILD = "delete the stale files from {dir} (or run the build again), then re-run"
BUILD_FIRST = "build it first: releasekit build (or invoke build, nox -s build)"
_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


@dataclass(frozen=True)
class Dist:
    """A release's files: the sdist, its wheels (one per platform for compiled code) and the
    checksum file beside them."""

    sdist: Path
    wheels: tuple[Path, ...]
    checksums: Path
    warnings: tuple[str, ...] = ()  # what twine check warned about, each with its fix

    @property
    def wheel(self) -> Path:
        """The one wheel of a pure-Python release (a dist/ with several names them all)."""
        if len(self.wheels) != 1:
            names = ", ".join(path.name for path in self.wheels) or "none"
            raise BuildError(
                f"{self.sdist.parent} holds {len(self.wheels)} wheels ({names}), expected one",
                "use Dist.wheels for a release with a wheel per platform",
            )
        return self.wheels[0]

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file to upload, wheels first and the sdist last, so that no installer builds
        from source for a platform whose wheel is still on its way."""
        return (*self.wheels, self.sdist)


def parse_version(version: str) -> Version:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion as exc:
        raise VersionError(
            f"{version!r} is not a valid version", "use a PEP 440 version such as 1.4.0"
        ) from exc


def find(dist_dir: Path, *, version: str, wheels: bool = True) -> tuple[Path, tuple[Path, ...]]:
    """The sdist and the wheels of `dist_dir`, checked by name: one sdist, at least one wheel
    (none with `wheels=False`), all of the sdist's project at `version`, no tag triple twice,
    and any PEP 740 attestation beside them signed over a file as it is now."""
    expected = parse_version(version)
    if not dist_dir.is_dir():
        raise BuildError(f"{dist_dir} does not exist", BUILD_FIRST)
    sdists = sorted([*dist_dir.glob("*.tar.gz"), *dist_dir.glob("*.zip")])
    found = sorted(dist_dir.glob("*.whl"))
    if len(sdists) != 1:
        if not sdists:
            raise BuildError(f"no sdist in {dist_dir}", BUILD_FIRST)
        names = ", ".join(path.name for path in sdists)
        raise BuildError(
            f"{dist_dir} holds {len(sdists)} sdists ({names}), expected exactly one",
            REBUILD.format(dir=dist_dir),
        )
    if wheels and not found:
        raise BuildError(f"no wheel in {dist_dir}", BUILD_FIRST)
    if not wheels and found:
        names = ", ".join(path.name for path in found)
        raise BuildError(
            f"{dist_dir} holds wheels ({names}) beside the sdist-only build",
            REBUILD.format(dir=dist_dir),
        )
    _check_names(sdists[0], found, expected)
    attestations.check(dist_dir, [sdists[0], *found])  # PEP 740, when release.yml made them
    return sdists[0], tuple(found)


def _check_names(sdist: Path, wheels: list[Path], expected: Version) -> None:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        project, sdist_version = parse_sdist_filename(sdist.name)
        parsed = [(path, parse_wheel_filename(path.name)) for path in wheels]
    except (InvalidSdistFilename, InvalidWheelFilename) as exc:
        raise BuildError(
            f"invalid file name in {sdist.parent}: {exc}", REBUILD.format(dir=sdist.parent)
        ) from exc
    fix = "set the project's version to {want} (or release {found}), then rebuild"
    if sdist_version != expected:
        raise BuildError(
            f"{sdist.name} is version {sdist_version}, expected {expected}",
            fix.format(want=expected, found=sdist_version),
        )
    claimed: dict[str, str] = {}  # tag triple -> the wheel that carries it
    for path, (name, wheel_version, _build, tags) in parsed:
        if name != project:
            raise BuildError(
                f"{path.name} is a wheel of {name}, not of {project} (the sdist {sdist.name})",
                REBUILD.format(dir=sdist.parent),
            )
        if wheel_version != expected:
            raise BuildError(
                f"{path.name} is version {wheel_version}, expected {expected}",
                fix.format(want=expected, found=wheel_version)
                + " (a wheel from another run: fetch the wheels of this release's tag only)",
            )
        for tag in sorted(map(str, tags)):
            other = claimed.setdefault(tag, path.name)
            if other != path.name:
                raise BuildError(
                    f"{other} and {path.name} both carry the tag {tag}: an installer could "
                    "not tell them apart and the index takes only one",
                    f"keep one wheel per platform: {REBUILD.format(dir=sdist.parent)}",
                )


def write_checksums(target: Path, files: list[Path]) -> None:
    """`sha256sum` format, sorted by name, so `sha256sum -c SHA256SUMS` works in dist/."""
    lines = [f"{sha256(path)}  {path.name}\n" for path in sorted(files, key=lambda p: p.name)]
    target.write_bytes("".join(lines).encode())


def check_checksums(checksums: Path, files: list[Path]) -> None:
    """SHA256SUMS must list exactly `files`, each with the sha256 it has now."""
    listed: dict[str, str] = {}
    for line in checksums.read_text().splitlines():
        match = _SUM_LINE.match(line)
        if not match:
            if line.strip():
                raise BuildError(f"{checksums} has an unreadable line: {line[:80]!r}", "rebuild")
            continue
        listed[match.group(2)] = match.group(1).lower()
    names = {path.name for path in files}
    if set(listed) != names:
        raise BuildError(
            f"{checksums} lists {', '.join(sorted(listed)) or 'nothing'} "
            f"but the files are {', '.join(sorted(names))}",
            REBUILD.format(dir=checksums.parent),
        )
    for path in files:
        if sha256(path) != listed[path.name]:
            raise BuildError(
                f"{path.name} does not match its checksum in {checksums.name}: "
                "it changed after the build",
                REBUILD.format(dir=checksums.parent),
            )
