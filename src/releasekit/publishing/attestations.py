"""PEP 740 attestations in dist/: checked against their files, uploaded only where PyPI takes them.

The trusted-publishing release.yml signs every file with the workflow's identity
(`python -m pypi_attestations sign`, which writes `<file>.publish.attestation`); releasekit
never signs. PyPI and TestPyPI accept attestations only with an upload by a trusted publisher,
so with a token, from a laptop or to another index they are left out with one line saying why.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from releasekit.errors import BuildError, PublishError
from releasekit.system.facts import PYPI_TOKEN, sha256

SUFFIX = ".attestation"  # twine: <file>.<kind>.attestation, e.g. .publish.attestation
SIGN_FIX = (
    "attest the files again after the last build (delete the stale .attestation files; "
    "release.yml's attest step signs dist/ anew)"
)


@dataclass(frozen=True)
class Choice:
    """The attestation files to hand twine with --attestations, or why none are sent."""

    files: tuple[Path, ...] = ()
    skipped: str = ""  # one line for the report when dist/ holds some that are not sent


def of(dist: Path) -> list[Path]:
    """The attestation files beside `dist` (`<dist name>.<kind>.attestation`)."""
    return sorted(dist.parent.glob(f"{dist.name}.*{SUFFIX}"))


def choose(
    dists: Sequence[Path], environ: Mapping[str, str], *, to_pypi: bool, repository: str
) -> Choice:
    """What to send with `dists`: their attestations when this is a trusted publisher's upload
    to PyPI or TestPyPI from GitHub Actions; else none, and why, when dist/ holds any."""
    found = {dist: of(dist) for dist in dists}
    if not any(found.values()):
        return Choice()
    why = ""
    if environ.get(PYPI_TOKEN, "").strip() or environ.get("TWINE_PASSWORD", ""):
        why = "this upload uses a token, and PyPI takes attestations only from trusted publishing"
    elif environ.get("GITHUB_ACTIONS") != "true":
        why = "PyPI takes them only from a trusted publisher's workflow (GitHub Actions)"
    elif not to_pypi:
        why = f"{repository} is not PyPI or TestPyPI, the indexes that take them"
    if why:
        return Choice(skipped=f"the PEP 740 attestations in dist/ were not uploaded: {why}")
    missing = [dist.name for dist, files in found.items() if not files]
    if missing:
        raise PublishError(
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no attestation "
            "in dist/ while the other files have one (twine sends all or none)",
            SIGN_FIX,
        )
    return Choice(files=tuple(path for files in found.values() for path in files))


def check(dist_dir: Path, release: Sequence[Path]) -> int:
    """Every attestation in `dist_dir` attests a file of `release` as it is now; the count."""
    by_name = {path.name: path for path in release}
    count = 0
    for attestation in sorted(dist_dir.glob(f"*{SUFFIX}")):
        target = attestation.name.removesuffix(SUFFIX).rsplit(".", 1)[0]
        if target not in by_name:
            raise BuildError(
                f"{attestation.name} attests {target}, which is not a file of this release "
                f"in {dist_dir}",
                SIGN_FIX,
            )
        name, digest = _subject(attestation)
        if not _same_file(name, target):
            raise BuildError(f"{attestation.name} attests {name}, not {target}", SIGN_FIX)
        if digest != sha256(by_name[target]):
            raise BuildError(
                f"{attestation.name} does not match {target}: the file changed after it "
                "was attested",
                SIGN_FIX,
            )
        count += 1
    return count


def _subject(attestation: Path) -> tuple[str, str]:
    """The file name and sha256 that an attestation's signed in-toto statement names."""
    try:
        data = json.loads(attestation.read_text(encoding="utf-8"))
        statement = json.loads(base64.b64decode(data["envelope"]["statement"]))
        (subject,) = statement["subject"]
        return str(subject["name"]), str(subject["digest"]["sha256"]).lower()
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BuildError(
            f"{attestation.name} is not a PEP 740 attestation (a JSON object whose envelope "
            "statement names one file and its sha256)",
            SIGN_FIX,
        ) from exc


def _same_file(subject: str, target: str) -> bool:
    """PEP 740: a subject may be the normalized form of the distribution's file name."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    def parsed(name: str) -> object:
        if name.endswith(".whl"):
            return parse_wheel_filename(name)
        return parse_sdist_filename(name)

    try:
        return subject == target or parsed(subject) == parsed(target)
    except (InvalidSdistFilename, InvalidWheelFilename):
        return False
