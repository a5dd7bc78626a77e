"""Build the sdist and the wheel, verify them, and write their checksums.

pypa/build runs as a child process (the wheel is built from the sdist, which catches files
missing from the sdist); then the files are checked the way an index would see them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit.errors import BuildError, CommandError, VersionError
from releasekit.publishing import twine_child as twinecli
from releasekit.system import runner
from releasekit.system.facts import sha256
from releasekit.system.redact import redact

TWINE_CHECK_TIMEOUT = 300.0

if TYPE_CHECKING:
    from packaging.version import Version

CHECKSUMS = "SHA256SUMS"
# What a build or a release leaves in dist/; nothing else there is ever deleted.
BUILD_OUTPUTS = ("*.whl", "*.tar.gz", "*.zip", "*.attestation", "*.asc", CHECKSUMS)
_REBUILD = "delete the stale files from {dir} (or run the build again), then re-run"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXCEPTION_LINE = re.compile(
    r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Failure)(?::.*)?$"
)
_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


class BuildToolError(BuildError):
    """build or twine failed; `output` keeps their full (masked) output for --verbose."""


@dataclass(frozen=True)
class Dist:
    """The two files of a release and the checksum file beside them."""

    sdist: Path
    wheel: Path
    checksums: Path
    warnings: tuple[str, ...] = ()  # what twine check warned about, each with its fix


def uv_binary() -> str | None:
    """Where uv is: the `uv` package's own binary first, then PATH."""
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def source_date_epoch(root: Path) -> str | None:
    """The HEAD commit's time, so rebuilding the same commit gives the same bytes."""
    try:
        result = runner.run(["git", "log", "-1", "--pretty=%ct"], cwd=root, timeout=30, check=False)
    except CommandError:
        return None
    stamp = result.stdout.strip()
    return stamp if result.ok and stamp.isdigit() else None


def resolve_installer(installer: str | None, uv: str | None) -> str | None:
    """The uv binary to build with, or None for pip; refuse a uv that is not there."""
    if installer not in (None, "uv", "pip"):
        raise BuildError(f"unknown installer {installer!r}", "use 'uv' or 'pip'")
    if installer == "uv" and uv is None:
        raise BuildError("uv was asked for as the installer but is not installed", "pip install uv")
    return uv if installer != "pip" else None


def build_argv(root: Path, outdir: Path, *, uv: str | None) -> list[str]:
    """`python -m build` for sdist then wheel-from-sdist, isolated, with uv when given."""
    argv = [sys.executable, "-m", "build", "--outdir", str(outdir)]
    if uv is not None:
        argv += ["--installer", "uv"]
    return [*argv, str(root)]


def build_env(*, uv: str | None, epoch: str | None) -> dict[str, str]:
    """What the build child needs on top of our environment."""
    env = {"NO_COLOR": "1"}
    if uv is not None:
        # build looks for `uv` on PATH when the module is not importable in its interpreter.
        env["PATH"] = os.pathsep.join([str(Path(uv).parent), os.environ.get("PATH", "")])
    if epoch is not None and "SOURCE_DATE_EPOCH" not in os.environ:
        env["SOURCE_DATE_EPOCH"] = epoch
    return env


def clean_dist(outdir: Path) -> None:
    """Delete earlier build outputs inside `outdir` only (files, never folders)."""
    if outdir.exists() and not outdir.is_dir():
        raise BuildError(f"{outdir} is a file, not a folder", f"move {outdir} away, then re-run")
    for pattern in BUILD_OUTPUTS:
        for path in outdir.glob(pattern):
            if path.is_file() or path.is_symlink():
                path.unlink()


def backend_message(output: str) -> str:
    """The line of build's output that says why it failed, in the failing tool's own words."""
    lines = [_ANSI.sub("", line).rstrip() for line in output.splitlines()]
    for index in range(len(lines) - 1, -1, -1):  # an installer's "< error: ..." and its reason
        if re.match(r"^<\s+error\b", lines[index], re.IGNORECASE):
            tail = []
            for line in lines[index:]:
                if line.startswith(("ERROR ", "Traceback", "*")):
                    break
                tail.append(line.lstrip("< "))
            return " ".join(" ".join(tail).split())[:400]
    for pattern in (_EXCEPTION_LINE, re.compile(r"^error: "), re.compile(r"^ERROR ")):
        found = [line for line in lines if pattern.match(line)]
        if found:
            return found[-1].removeprefix("ERROR ").strip()
    meaningful = [line for line in lines if line.strip() and not line.startswith(("*", "TIP"))]
    return meaningful[-1].strip() if meaningful else "no output"


def build(
    root: Path,
    *,
    version: str,
    outdir: Path | None = None,
    installer: str | None = None,
    timeout: float = 900,
    strict: bool = False,
) -> Dist:
    """Build sdist + wheel of `root` into `outdir` (default root/dist) and verify them.

    An explicit SOURCE_DATE_EPOCH in the environment wins over the HEAD commit time.
    twine check's errors stop the build; its warnings do only when `strict`.
    """
    root = root.absolute()
    outdir = (outdir or root / "dist").absolute()
    if not root.is_dir():
        raise BuildError(f"{root} is not a folder", "run from the project's root")
    uv = resolve_installer(installer, uv_binary() if installer != "pip" else None)
    clean_dist(outdir)
    argv = build_argv(root, outdir, uv=uv)
    env = build_env(uv=uv, epoch=source_date_epoch(root))
    checker = twinecli.start("check", cwd=root)  # warms up while the backend builds
    try:
        return _build(root, outdir, argv, env, version, timeout, checker, strict)
    finally:
        checker.cancel()


def _build(
    root: Path,
    outdir: Path,
    argv: list[str],
    env: dict[str, str],
    version: str,
    timeout: float,
    checker: runner.Started,
    strict: bool,
) -> Dist:
    try:
        result = runner.run(argv, cwd=root, env=env, timeout=timeout, check=False)
    except CommandError as exc:
        raise BuildError(
            f"building {root.name} did not finish within {timeout:g} s",
            "check the network (build backends come from the package index) "
            "or allow a longer timeout, then re-run",
        ) from exc
    if not result.ok:
        output = redact("\n".join(part for part in (result.stdout, result.stderr) if part))
        if output.rstrip().endswith("No module named build"):  # `-m build` found nothing
            raise BuildToolError(
                "pypa/build is not installed",
                f"{sys.executable} -m pip install build",
                output=output,
            )
        fix = "fix the build backend error above, then re-run (--verbose shows the full output)"
        if re.search(r"^<\s+error\b", output, re.IGNORECASE | re.MULTILINE):
            fix = (
                "check [build-system] requires in pyproject.toml and the package index, then re-run"
            )
        raise BuildToolError(
            f"building {root.name} failed: {backend_message(output)}", fix, output=output
        )
    return verify(outdir, version=version, checker=checker, strict=strict, project=root)


def verify(
    dist_dir: Path,
    *,
    version: str,
    metadata: bool = True,
    checker: runner.Started | None = None,
    strict: bool = False,
    project: Path | None = None,
) -> Dist:
    """Check an existing dist/: one sdist + one wheel at `version`, twine-clean, checksums.

    With `metadata=False` (publish) twine check is skipped when SHA256SUMS is there:
    only a build whose files passed it writes that file.
    """
    expected = _parse_version(version)
    if not dist_dir.is_dir():
        raise BuildError(
            f"{dist_dir} does not exist",
            "build it first: releasekit build (or invoke build, nox -s build)",
        )
    sdist = _only(dist_dir, "sdist", [*dist_dir.glob("*.tar.gz"), *dist_dir.glob("*.zip")])
    wheel = _only(dist_dir, "wheel", list(dist_dir.glob("*.whl")))
    _check_names_and_versions(sdist, wheel, expected)
    checksums = dist_dir / CHECKSUMS
    warnings: list[str] = []
    if metadata or not checksums.exists():
        warnings = twine_check([sdist, wheel], checker, strict=strict, project=project)
    if checksums.exists():
        _check_checksums(checksums, [sdist, wheel])
    else:
        write_checksums(checksums, [sdist, wheel])
    return Dist(sdist=sdist, wheel=wheel, checksums=checksums, warnings=tuple(warnings))


def write_checksums(target: Path, files: list[Path]) -> None:
    """`sha256sum` format, sorted by name, so `sha256sum -c SHA256SUMS` works in dist/."""
    lines = [f"{sha256(path)}  {path.name}\n" for path in sorted(files, key=lambda p: p.name)]
    target.write_bytes("".join(lines).encode())


def twine_check(
    files: list[Path],
    started: runner.Started | None = None,
    *,
    strict: bool = False,
    project: Path | None = None,
) -> list[str]:
    """`twine check`: the metadata checks an index makes at upload. Its errors raise; its
    warnings (PyPI accepts those files) are returned, each with a fix for the project's
    backend, unless `strict` (`strict-metadata = true`) makes them errors too.

    `started` is a twine started earlier (twinecli.start), warm by now.
    """
    args = ["--no-color", "check", *(["--strict"] if strict else []), *map(str, files)]
    try:
        if started is not None:
            result = started.finish(twinecli.arguments(args), timeout=TWINE_CHECK_TIMEOUT)
        else:
            argv = [sys.executable, "-m", "twine", *args]
            result = runner.run(argv, cwd=files[0].parent, env=twinecli.WIDE, check=False)
    except CommandError as exc:
        raise BuildError(exc.cause, exc.fix) from exc
    output = redact("\n".join(part for part in (result.stdout, result.stderr) if part)).strip()
    fix = _metadata_fix(project or files[0].parent.parent)
    if result.ok:
        return [
            f"{name}: {reason} ({fix(reason)})"
            for name, reasons in sorted(_twine_problems(output, warnings=True).items())
            for reason in reasons
        ]
    if re.search(r"No module named '?twine", output):
        raise BuildToolError(
            "twine is not installed", f"{sys.executable} -m pip install twine", output=output
        )
    problems = _twine_problems(output)
    reasons = sorted({reason for file_reasons in problems.values() for reason in file_reasons})
    names = ", ".join(sorted(problems)) or ", ".join(path.name for path in files)
    why = " ".join(reasons) or backend_message(output)
    command = "twine check --strict" if strict else "twine check"
    raise BuildToolError(f"{command} rejected {names}: {why}", fix(why), output=output)


def _metadata_fix(root: Path) -> Callable[[str], str]:
    """The fix for a metadata finding, in the words of the file the project keeps it in."""

    def fix(reason: str) -> str:
        if "long_description" not in reason:
            return "fix the package metadata twine reports, then rebuild"
        if _declares(root / "setup.cfg", "long_description"):
            where = "set long_description_content_type = text/markdown in setup.cfg [metadata]"
        elif (root / "setup.py").is_file() and not _declares(root / "pyproject.toml", "readme"):
            where = 'pass long_description_content_type="text/markdown" to setup() in setup.py'
        else:
            where = 'set readme = "README.md" in [project] of pyproject.toml'
        return f"{where} (or text/x-rst for a reStructuredText readme), then rebuild"

    return fix


def _declares(path: Path, key: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^\s*{key}\s*=", text, re.MULTILINE) is not None


def _twine_problems(output: str, *, warnings: bool = False) -> dict[str, list[str]]:
    """Reasons twine gave, per file name, without its WARNING/ERROR prefixes; with
    `warnings`, also those of files that passed with warnings."""
    problems: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        checking = re.match(r"^Checking (.+): (\w+)(.*)", line)
        if checking:
            failed = checking.group(2) != "PASSED" or (warnings and "warning" in checking[3])
            current = problems.setdefault(Path(checking.group(1)).name, []) if failed else None
        elif current is not None and line:
            current.append(re.sub(r"^(WARNING|ERROR)\s+", "", line))
    return problems


def _parse_version(version: str) -> Version:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion as exc:
        raise VersionError(
            f"{version!r} is not a valid version", "use a PEP 440 version such as 1.4.0"
        ) from exc


def _only(dist_dir: Path, kind: str, found: list[Path]) -> Path:
    if len(found) == 1:
        return found[0]
    if not found:
        raise BuildError(
            f"no {kind} in {dist_dir}",
            "build it first: releasekit build (or invoke build, nox -s build)",
        )
    names = ", ".join(sorted(path.name for path in found))
    raise BuildError(
        f"{dist_dir} holds {len(found)} {kind}s ({names}), expected exactly one",
        _REBUILD.format(dir=dist_dir),
    )


def _check_names_and_versions(sdist: Path, wheel: Path, expected: Version) -> None:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        sdist_name, sdist_version = parse_sdist_filename(sdist.name)
        wheel_name, wheel_version, _build, _tags = parse_wheel_filename(wheel.name)
    except (InvalidSdistFilename, InvalidWheelFilename) as exc:
        raise BuildError(f"invalid file name in {sdist.parent}: {exc}", "rebuild") from exc
    for path, found in ((sdist, sdist_version), (wheel, wheel_version)):
        if found != expected:
            raise BuildError(
                f"{path.name} is version {found}, expected {expected}",
                f"set the project's version to {expected} (or release {found}), then rebuild",
            )
    if sdist_name != wheel_name:
        raise BuildError(
            f"{sdist.name} and {wheel.name} belong to different projects",
            _REBUILD.format(dir=sdist.parent),
        )


def _check_checksums(checksums: Path, files: list[Path]) -> None:
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
            _REBUILD.format(dir=checksums.parent),
        )
    for path in files:
        if sha256(path) != listed[path.name]:
            raise BuildError(
                f"{path.name} does not match its checksum in {checksums.name}: "
                "it changed after the build",
                _REBUILD.format(dir=checksums.parent),
            )
