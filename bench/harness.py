"""A small timing harness: warm-up, interleaved runs, medians, and profiles for misses.

Every command of a group runs once per round, and each round starts with the next
command of the group, so a slow patch of the machine (another process, a cold
cache, thermal throttling) hits every side alike instead of one side's streak.
"""

from __future__ import annotations

import os
import pstats
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 600.0


class BenchError(Exception):
    """A command did not do what it is timed for: its numbers would mean nothing."""


@dataclass(frozen=True)
class Command:
    """One side of a comparison: what a user would type, where, with what environment."""

    label: str
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)
    prepare: Callable[[], None] | None = None  # untimed, before every run
    # The same command as `python <module...>`, to profile it when its target is missed.
    module: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Timing:
    label: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


def _environ(extra: Mapping[str, str]) -> dict[str, str]:
    """Our environment plus `extra`, with bytecode caching on: a user's Python writes
    .pyc files, and without them every run would compile every module it imports."""
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(command: Command) -> float:
    """Seconds the command took; BenchError if it failed."""
    if command.prepare is not None:
        command.prepare()
    env = _environ(command.env)
    start = time.perf_counter()
    proc = subprocess.run(
        command.argv,
        cwd=command.cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in command.ok_codes:
        output = (proc.stdout + proc.stderr).decode(errors="replace").strip().splitlines()
        tail = "\n".join(output[-15:])
        raise BenchError(
            f"{command.label}: exit status {proc.returncode} from {' '.join(command.argv)} "
            f"in {command.cwd}\n{tail}"
        )
    return elapsed


def measure(
    commands: Sequence[Command], *, runs: int, warmup: int = 1, say: Callable[[str], None] = print
) -> dict[str, Timing]:
    """Warm every command up, then `runs` interleaved rounds; label -> timing."""
    for command in commands:
        for _ in range(warmup):
            run_once(command)
    samples: dict[str, list[float]] = {command.label: [] for command in commands}
    for round_number in range(runs):
        first = round_number % len(commands)
        for command in (*commands[first:], *commands[:first]):
            samples[command.label].append(run_once(command))
    timings = {label: Timing(label, tuple(values)) for label, values in samples.items()}
    for timing in timings.values():
        say(f"  {timing.median:8.3f} s  median of {len(timing.samples)}  {timing.label}")
    return timings


# -- profiles ------------------------------------------------------------------------


def _imports(python: str, command: Command) -> list[tuple[int, int, str]]:
    """(cumulative us, self us, indented name) for every module the command imports."""
    if command.module is None:
        return []
    if command.prepare is not None:
        command.prepare()
    proc = subprocess.run(
        [python, "-X", "importtime", *command.module],
        cwd=command.cwd,
        env=_environ(command.env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    rows: list[tuple[int, int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, total, name = line.removeprefix("import time:").split("|", 2)
        rows.append((int(total), int(own), name.rstrip()))
    return rows


def importtime(python: str, command: Command, *, top: int = 12) -> list[str]:
    """The slowest imports of the command (`python -X importtime`), by cumulative time."""
    rows = _imports(python, command)
    whole = sum(own for _total, own, _name in rows)
    lines = [f"all imports: {whole / 1e6:.3f} s (sum of self times), {len(rows)} modules"]
    lines.append(f"{'cumulative':>11} {'self':>9}  module (indented: imported by a module above)")
    for total, own, name in sorted(rows, reverse=True)[:top]:
        lines.append(f"{total / 1e6:10.4f}s {own / 1e6:8.4f}s {name}")
    return lines


def extra_imports(python: str, command: Command, baseline: Command, *, top: int = 12) -> list[str]:
    """The modules `command` imports and `baseline` does not, by self time."""
    known = {name.strip() for _total, _own, name in _imports(python, baseline)}
    extra = [row for row in _imports(python, command) if row[2].strip() not in known]
    whole = sum(own for _total, own, _name in extra)
    lines = [f"{len(extra)} more modules, {whole / 1e6:.4f} s of import time in all"]
    for _total, own, name in sorted(extra, key=lambda row: row[1], reverse=True)[:top]:
        lines.append(f"{own / 1e6:10.4f}s  {name.strip()}")
    return lines


# Frames every run has (the interpreter running the module, the import machinery,
# whose cost the importtime listing shows by module instead).
_NOISE = (
    "<frozen ",
    "runpy.py",
    "builtins.exec",
    "builtins.__import__",
    "cProfile.py",
    "<string>:1(<module>)",
    "__main__.py:1(<module>)",
)


def cprofile(python: str, command: Command, *, top: int = 22) -> list[str]:
    """The functions the command spends its time in (cProfile), by cumulative time."""
    if command.module is None:
        return []
    if command.prepare is not None:
        command.prepare()
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as folder:
        out = Path(folder) / "profile.out"
        proc = subprocess.run(
            [python, "-m", "cProfile", "-o", str(out), *command.module],
            cwd=command.cwd,
            env=_environ(command.env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
        )
        if not out.exists():
            return [f"no profile (exit status {proc.returncode})"]
        stats = pstats.Stats(str(out))
    entries = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, calls, own, total, _callers) in entries.items():
        where = _short(filename, line, name)
        if any(noise in where for noise in _NOISE):
            continue
        rows.append((total, own, calls, where))
    rows.sort(reverse=True)
    lines = [f"{'cumulative':>11} {'own':>8} {'calls':>7}  function"]
    for total, own, calls, where in rows[:top]:
        lines.append(f"{total:10.4f}s {own:7.4f}s {calls:7d}  {where}")
    return lines


def _short(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("site-packages", "src"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + 1 :]
            break
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{line}({name})"
