"""Build the sdist and the wheel, verify them, and write their checksums.

`uv build` (when uv is installed) or pypa/build runs as a child process, isolated, the
wheel built from the sdist (which catches files missing from the sdist); then the files
are checked the way an index would see them: by name in verify.py (one sdist, its wheels,
one version), by twine check here. Both frontends get the same checks after them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from releasekit.errors import BuildError, CommandError
from releasekit.publishing import twine_child as twinecli
from releasekit.publishing.reproducible import normalize_sdists
from releasekit.publishing.verify import CHECKSUMS, Dist, check_checksums, find, write_checksums
from releasekit.system import runner
from releasekit.system.progress import Phase, silent
from releasekit.system.redact import redact

TWINE_CHECK_TIMEOUT = 300.0
FRONTENDS = ("build", "uv")  # pypa/build (`python -m build`), `uv build`

__all__ = ["CHECKSUMS", "Dist", "build", "twine_check", "verify", "write_checksums"]

# What a build or a release leaves in dist/; nothing else there is ever deleted.
BUILD_OUTPUTS = ("*.whl", "*.tar.gz", "*.zip", "*.attestation", "*.asc", CHECKSUMS)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXCEPTION_LINE = re.compile(
    r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Failure)(?::.*)?$"
)


_UV_CAUSE = re.compile(r"^\s+cause: ")  # uv build's reasons, innermost last


class BuildToolError(BuildError):
    """build or twine failed; `output` keeps their full (masked) output for --verbose."""


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


def resolve_frontend(
    frontend: str | None, installer: str | None, configured: str, uv: str | None
) -> str:
    """Which tool builds: `--frontend`; else pypa/build when an `--installer` is given
    (that is build's own option); else [tool.releasekit] build-frontend; else uv when it is
    installed. A uv that is asked for and missing is refused, with the fix."""
    if frontend not in (None, *FRONTENDS):
        raise BuildError(f"unknown build frontend {frontend!r}", "use --frontend build or uv")
    chosen = frontend or ("build" if installer else "") or configured or ("uv" if uv else "build")
    if chosen != "uv":
        return chosen
    if installer == "pip":
        raise BuildError(
            "--installer pip is pypa/build's option, and the build frontend is uv",
            "drop --installer, or build with --frontend build --installer pip",
        )
    if uv is None:
        asked = "--frontend uv" if frontend else '[tool.releasekit] build-frontend = "uv"'
        raise BuildError(
            f"{asked} asks for uv, which is not installed",
            f"{sys.executable} -m pip install uv, or build with --frontend build",
        )
    return chosen


def uv_build_argv(root: Path, outdir: Path, *, uv: str, sdist_only: bool = False) -> list[str]:
    """`uv build`: the sdist, then the wheel from it (or the sdist alone), each in a fresh
    isolated environment of this interpreter (no Python download, as with pypa/build)."""
    argv = [uv, "build", "--python", sys.executable, "--out-dir", str(outdir)]
    argv += ["--color", "never", "--no-progress"]
    if sdist_only:
        argv.append("--sdist")
    return [*argv, str(root)]


def build_argv(root: Path, outdir: Path, *, uv: str | None, sdist_only: bool = False) -> list[str]:
    """`python -m build` for sdist then wheel-from-sdist (or the sdist alone), isolated, with
    uv when given."""
    argv = [sys.executable, "-m", "build", "--outdir", str(outdir)]
    if sdist_only:
        argv.append("--sdist")
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


def _uv_cause(lines: list[str], start: int) -> str:
    """uv's innermost `cause:`, with the lines it wraps onto (indented deeper)."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    words = [_UV_CAUSE.sub("", lines[start])]
    for line in lines[start + 1 :]:
        if not line.strip() or len(line) - len(line.lstrip()) <= indent:
            break
        words.append(line)
    return " ".join(" ".join(words).split()).rstrip(".")


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
    patterns = (_EXCEPTION_LINE, _UV_CAUSE, re.compile(r"^error: "), re.compile(r"^ERROR "))
    for pattern in patterns:
        found = [line for line in lines if pattern.match(line)]
        if found:
            if pattern is _UV_CAUSE:
                return _uv_cause(lines, lines.index(found[-1]))
            return found[-1].removeprefix("ERROR ").strip()
    meaningful = [line for line in lines if line.strip() and not line.startswith(("*", "TIP"))]
    return meaningful[-1].strip() if meaningful else "no output"


def build(
    root: Path,
    *,
    version: str,
    outdir: Path | None = None,
    installer: str | None = None,
    frontend: str | None = "build",
    configured: str = "",
    timeout: float = 900,
    strict: bool = False,
    sdist_only: bool = False,
    phase: Phase = silent,
) -> Dist:
    """Build sdist + wheel of `root` into `outdir` (default root/dist) and verify them; with
    `sdist_only`, the sdist alone (the wheels of compiled code come from cibuildwheel).

    `frontend` "build" or "uv", None to choose (resolve_frontend, with `configured`, the
    project's build-frontend). An explicit SOURCE_DATE_EPOCH in the environment wins over
    the HEAD commit time.
    twine check's errors stop the build; its warnings do only when `strict`.
    """
    root = root.absolute()
    outdir = (outdir or root / "dist").absolute()
    if not root.is_dir():
        raise BuildError(f"{root} is not a folder", "run from the project's root")
    found_uv = uv_binary() if installer != "pip" or frontend != "build" else None
    chosen = resolve_frontend(frontend, installer, configured, found_uv)
    uv = resolve_installer(installer, found_uv if installer != "pip" else None)
    clean_dist(outdir)
    if chosen == "uv":
        assert uv is not None  # resolve_frontend refused a missing uv
        argv = uv_build_argv(root, outdir, uv=uv, sdist_only=sdist_only)
    else:
        argv = build_argv(root, outdir, uv=uv, sdist_only=sdist_only)
    env = build_env(uv=uv, epoch=source_date_epoch(root))
    checker = twinecli.start("check", cwd=root)  # warms up while the backend builds
    ignore = outdir / ".gitignore"
    kept_ignore = ignore.exists()
    try:
        with phase(f"building {'the sdist' if sdist_only else 'sdist and wheel'} into dist/"):
            _build(root, argv, env, timeout)
        stamp = os.environ.get("SOURCE_DATE_EPOCH") or env.get("SOURCE_DATE_EPOCH")
        if stamp and stamp.isdigit():  # the same commit, the same sdist bytes (reproducible.py)
            normalize_sdists(outdir, int(stamp))
        return verify(
            outdir,
            version=version,
            checker=checker,
            strict=strict,
            project=root,
            wheels=not sdist_only,
            phase=phase,
        )
    finally:
        checker.cancel()
        if chosen == "uv" and not kept_ignore:  # uv writes one, even when the build fails
            ignore.unlink(missing_ok=True)  # dist/ holds what pypa/build would leave


def _build(root: Path, argv: list[str], env: dict[str, str], timeout: float) -> None:
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
        if re.search(r"^<\s+error\b", output, re.IGNORECASE | re.MULTILINE) or (
            "from `build-system.requires`" in output  # uv build could not install them
        ):
            fix = (
                "check [build-system] requires in pyproject.toml and the package index, then re-run"
            )
        raise BuildToolError(
            f"building {root.name} failed: {backend_message(output)}", fix, output=output
        )


def verify(
    dist_dir: Path,
    *,
    version: str,
    metadata: bool = True,
    checker: runner.Started | None = None,
    strict: bool = False,
    project: Path | None = None,
    wheels: bool = True,
    phase: Phase = silent,
) -> Dist:
    """Check an existing dist/: one sdist and its wheels at `version` (verify.find), all
    twine-clean, SHA256SUMS written over all of them or matching them.

    With `metadata=False` (publish) twine check is skipped when SHA256SUMS is there:
    only a build whose files passed it writes that file. `wheels=False`: the sdist alone.
    """
    sdist, found = find(dist_dir, version=version, wheels=wheels)
    files = [*found, sdist]
    checksums = dist_dir / CHECKSUMS
    warnings: list[str] = []
    if metadata or not checksums.exists():
        count = f"{len(files)} file{'s' if len(files) != 1 else ''}"
        with phase(f"checking {count} with twine check"):
            warnings = twine_check(files, checker, strict=strict, project=project)
    if checksums.exists():
        check_checksums(checksums, files)
    else:
        write_checksums(checksums, files)
    return Dist(sdist=sdist, wheels=found, checksums=checksums, warnings=tuple(warnings))


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
