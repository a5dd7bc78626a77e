"""`nox -s bench`: releasekit side by side with the tools users would pick instead.

Builds the sample repositories in bench/.work/, times every pair in one run
(warm-up, interleaved rounds, medians), profiles releasekit wherever a target is
missed, and writes bench/results.md. It never fails on a ratio: every missed
target is printed, and the exit status stays 0 (non-zero only when a command
could not run at all, which would make the numbers meaningless).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import fixtures
import report
from harness import (
    BenchError,
    Command,
    Timing,
    cprofile,
    extra_imports,
    importtime,
    measure,
    run_once,
)

from releasekit.demo.localindex import LocalIndex

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PYTHON = sys.executable
TOOLS = ("releasekit", "invoke", "bump-my-version", "tbump", "build", "twine", "uv", "pypiserver")


@dataclass(frozen=True)
class Target:
    key: str
    what: str
    against: str
    subject: str  # Command labels
    baseline: str
    limit: float | None  # None: a comparison reported beside a target, with no limit


def tool(name: str) -> str:
    """The executable from this environment (nox's venv), else from PATH."""
    found = BIN / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        raise BenchError(f"{name} is not installed here; run the benchmarks with `nox -s bench`")
    return which


def env(**extra: str) -> dict[str, str]:
    """PATH starts with this environment's bin (build finds uv there); no colour."""
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {"PATH": path, "NO_COLOR": "1", **extra}


def rmtree(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


def empty_folder(path: Path) -> Callable[[], None]:
    def clear() -> None:
        for entry in path.iterdir():
            if entry.is_file():
                entry.unlink()

    return clear


def releasekit(cwd: Path, *args: str, label: str | None = None, **kwargs: object) -> Command:
    return Command(
        label or "releasekit " + " ".join(args),
        (tool("releasekit"), *args),
        cwd,
        module=("-m", "releasekit", *args),
        **kwargs,  # type: ignore[arg-type]
    )


# -- the groups: every command of a group is timed in the same interleaved rounds --------


PYTHON_PASS = "python -c pass (the interpreter's start)"
LIST_HAND = "invoke --list (the same tasks written by hand with @task)"
UV_VERSION = "uv version --bump minor --dry-run --no-sync"


def startup(work: Path) -> list[Command]:
    """`invoke --list` both ways, the bumps, and the floors they are measured against (the
    interpreter's own start, uv), all in the same interleaved rounds."""
    small, empty, hand = work / "small" / "proj", work / "empty", work / "hand"
    return [
        *bumps(work),
        Command(PYTHON_PASS, (PYTHON, "-c", "pass"), small, env(), module=("-c", "pass")),
        Command(UV_VERSION, (tool("uv"), *UV_VERSION.split()[1:]), small, env()),
        Command(
            "invoke --list (releasekit's tasks)",
            (tool("invoke"), "--list"),
            small,
            env(),
            module=("-m", "invoke", "--list"),
        ),
        Command(
            LIST_HAND,
            (tool("invoke"), "--list"),
            hand,
            env(),
            module=("-m", "invoke", "--list"),
        ),
        Command(
            "invoke --list (empty tasks.py)",
            (tool("invoke"), "--list"),
            empty,
            env(),
            ok_codes=(0, 1),  # invoke says "No tasks found" with status 1
            module=("-m", "invoke", "--list"),
        ),
    ]


def bumps(work: Path) -> list[Command]:
    small = work / "small" / "proj"
    return [
        releasekit(small, "bump", "--part", "minor", "--dry-run", env=env()),
        Command(
            "bump-my-version bump --dry-run minor",
            (tool("bump-my-version"), "bump", "--dry-run", "minor"),
            small,
            env(),
        ),
        Command(
            f"tbump --dry-run --non-interactive {fixtures.NEXT}",
            (tool("tbump"), "--dry-run", "--non-interactive", fixtures.NEXT),
            small,
            env(),
        ),
        Command(
            "invoke release --part minor --dry-run",
            (tool("invoke"), "release", "--part", "minor", "--dry-run"),
            small,
            env(),
            module=("-m", "invoke", "release", "--part", "minor", "--dry-run"),
        ),
    ]


PUBLISH = "releasekit publish --repository <local index> (check + upload)"
UV_PUBLISH = "uv publish (sdist + wheel)"
SMALL_RELEASE = "releasekit release --part minor --dry-run (small sample)"
LARGE_RELEASE = "releasekit release --part minor --dry-run (10,000 commits, 5,000 versions)"


def scale(work: Path) -> list[Command]:
    args = ("release", "--part", "minor", "--dry-run")
    return [
        releasekit(work / "small" / "proj", *args, label=SMALL_RELEASE, env=env()),
        releasekit(work / "large" / "proj", *args, label=LARGE_RELEASE, env=env()),
    ]


UV_BUILD = "uv build (sdist, then wheel from it)"
RELEASEKIT_BUILD = "releasekit build (uv installed: uv build)"


def builds(project: Path) -> list[Command]:
    clean = rmtree(project / "dist")
    return [
        Command(
            UV_BUILD,
            (tool("uv"), "build", "--python", PYTHON, "--out-dir", "dist", "--no-progress"),
            project,
            env(),
            prepare=clean,
        ),
        releasekit(project, "build", label=RELEASEKIT_BUILD, env=env(), prepare=clean),
        Command("python -m build (pip)", (PYTHON, "-m", "build"), project, env(), prepare=clean),
        Command(
            "python -m build --installer uv",
            (PYTHON, "-m", "build", "--installer", "uv"),
            project,
            env(),
            prepare=clean,
        ),
        releasekit(project, "build", "--installer", "pip", env=env(), prepare=clean),
        releasekit(project, "build", "--installer", "uv", env=env(), prepare=clean),
    ]


def publishes(project: Path, index: LocalIndex, token: str) -> list[Command]:
    dist = project / "dist"
    files = sorted(str(path) for path in (*dist.glob("*.tar.gz"), *dist.glob("*.whl")))
    clear = empty_folder(index.directory)
    twine = (tool("twine"), "upload", "--non-interactive", "--repository-url", index.url, *files)
    uv = (tool("uv"), "publish", "--publish-url", index.url, "--trusted-publishing", "never")
    return [
        Command(
            "twine upload (sdist + wheel)",
            twine,
            project,
            env(TWINE_USERNAME="__token__", TWINE_PASSWORD=token),
            prepare=clear,
        ),
        Command(
            UV_PUBLISH,
            (*uv, "--no-progress", *files),
            project,
            env(UV_PUBLISH_TOKEN=token),
            prepare=clear,
        ),
        releasekit(
            project,
            "publish",
            "--repository",
            index.url,
            label=PUBLISH,
            env=env(PYPI_TOKEN=token),
            prepare=clear,
        ),
    ]


TARGETS = (
    Target(
        "bump-uv",
        "`releasekit bump --part minor --dry-run`",
        f"`{UV_VERSION}`",
        "releasekit bump --part minor --dry-run",
        UV_VERSION,
        2.5,
    ),
    Target(
        "bump-python",
        "`releasekit bump --part minor --dry-run`",
        "`python -c pass` (same interpreter)",
        "releasekit bump --part minor --dry-run",
        PYTHON_PASS,
        3.0,
    ),
    Target(
        "release-invoke",
        "`invoke release --part minor --dry-run` (whole plan)",
        "`invoke --list` with an empty tasks.py",
        "invoke release --part minor --dry-run",
        "invoke --list (empty tasks.py)",
        1.30,
    ),
    Target(
        "list",
        "`invoke --list` with releasekit's tasks",
        "`invoke --list` with an empty tasks.py",
        "invoke --list (releasekit's tasks)",
        "invoke --list (empty tasks.py)",
        1.05,
    ),
    Target(
        "list-hand",
        "`invoke --list` with releasekit's tasks",
        "`invoke --list` with the same tasks written by hand (`@task`, empty bodies)",
        "invoke --list (releasekit's tasks)",
        LIST_HAND,
        1.05,
    ),
    Target(
        "bump-bmv",
        "`releasekit bump --part minor --dry-run`",
        "`bump-my-version bump --dry-run minor`",
        "releasekit bump --part minor --dry-run",
        "bump-my-version bump --dry-run minor",
        0.25,
    ),
    Target(
        "bump-tbump",
        "`releasekit bump --part minor --dry-run`",
        f"`tbump --dry-run --non-interactive {fixtures.NEXT}`",
        "releasekit bump --part minor --dry-run",
        f"tbump --dry-run --non-interactive {fixtures.NEXT}",
        0.80,
    ),
    Target(
        "release-bmv",
        "`invoke release --part minor --dry-run` (whole plan)",
        "`bump-my-version bump --dry-run minor`",
        "invoke release --part minor --dry-run",
        "bump-my-version bump --dry-run minor",
        0.50,
    ),
    Target(
        "build-uv-frontend",
        "`releasekit build` (uv installed: `uv build`, then the checks)",
        "`uv build` of the same project",
        RELEASEKIT_BUILD,
        UV_BUILD,
        1.15,
    ),
    Target(
        "build-pip",
        "`releasekit build --installer pip`",
        "`python -m build` (pip)",
        "releasekit build --installer pip",
        "python -m build (pip)",
        1.05,
    ),
    Target(
        "build-uv",
        "`releasekit build --installer uv`",
        "`python -m build --installer uv`",
        "releasekit build --installer uv",
        "python -m build --installer uv",
        1.05,
    ),
    Target(
        "build-uv-vs-pip",
        "`releasekit build --installer uv`",
        "`python -m build` (pip)",
        "releasekit build --installer uv",
        "python -m build (pip)",
        0.60,
    ),
    Target(
        "publish",
        "`releasekit publish` to a local pypiserver (existence check included)",
        "`twine upload` of the same two files",
        PUBLISH,
        "twine upload (sdist + wheel)",
        1.10,
    ),
    Target(
        "publish-uv",
        "`releasekit publish` to a local pypiserver (existence check included)",
        "`uv publish` of the same two files (no check)",
        PUBLISH,
        UV_PUBLISH,
        None,
    ),
    Target(
        "scale",
        "`releasekit release --part minor --dry-run`, 10,000 commits, 5,000-version CHANGELOG",
        "the same on the small sample",
        LARGE_RELEASE,
        SMALL_RELEASE,
        1.5,
    ),
)


def machine() -> str:
    versions = []
    for name in TOOLS:
        dist = {"bump-my-version": "bump-my-version"}.get(name, name)
        try:
            versions.append(f"{name} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()
    versions.append(f"git {git[-1] if git else '?'}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores (load average {load} at the end), "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}; "
        + ", ".join(versions)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, no build timings")
    parser.add_argument("--keep", action="store_true", help="keep bench/.work/ afterwards")
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    try:
        return run(args.quick, args.keep, args.output)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1


def run(quick: bool, keep: bool, output: Path) -> int:
    started = time.monotonic()
    work = HERE / ".work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    fast, slow = (5, 5) if quick else (21, 7)
    try:
        print("bench: building the sample repositories in bench/.work/")
        fixtures.small_sample(work / "small")
        fixtures.empty_tasks(work / "empty")
        fixtures.hand_written_tasks(work / "hand")
        large = fixtures.large_sample(work / "large")
        size = (large / "CHANGELOG.md").stat().st_size
        print(f"  large sample: {fixtures.count_commits(large)} commits, {size / 1e6:.1f} MB")
        project = fixtures.small_sample(work / "build", tool_configs=False)
        timings: dict[str, Timing] = {}
        commands: dict[str, Command] = {}
        token = "bench-" + secrets.token_hex(16)

        def group(title: str, members: list[Command], runs: int, warmup: int) -> None:
            print(f"bench: {title} ({runs} interleaved runs after {warmup} warm-up)")
            commands.update({command.label: command for command in members})
            timings.update(measure(members, runs=runs, warmup=warmup))

        group("start-up and version bump", startup(work), fast, 2)
        group("large repository", scale(work), max(5, fast - 10), 2)
        if not quick:
            group("build", builds(project), slow, 1)
        run_once(releasekit(project, "build", env=env()))  # the files publish uploads
        with LocalIndex(work / "index", token=token) as index:
            members = publishes(project, index, token)
            group("publish", members, 9 if not quick else 5, 1)
            results = report.evaluate(TARGETS, timings)
            profiles: dict[str, list[str]] = {}
            for result in results:  # one profile per command, however many targets it misses
                subject = result.target.subject
                if result.status == report.MISSED and subject not in profiles:
                    profiles[subject] = _profile(
                        commands[subject], commands[result.target.baseline]
                    )
        text = report.render(
            machine(), results, timings, profiles, elapsed=time.monotonic() - started
        )
        output.write_text(text)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print(report.console(results))
    print(f"bench: wrote {output} in {time.monotonic() - started:.0f} s")
    return 0


def _profile(command: Command, baseline: Command) -> list[str]:
    """Where the subject's time goes: its imports (and those the baseline does not
    need), then its functions."""
    print(f"bench: profiling {command.label} (target missed)")
    module = " ".join(command.module or ())
    lines = [f"$ python -X importtime {module}", *importtime(PYTHON, command)]
    if baseline.module is not None:
        lines += ["", f"imports that {baseline.label} does not make:"]
        lines += extra_imports(PYTHON, command, baseline)
    lines += ["", f"$ python -m cProfile {module}", *cprofile(PYTHON, command)]
    return lines


if __name__ == "__main__":
    sys.exit(main())
