"""The one place that starts processes.

Argv lists only (never a shell string), a timeout on everything, and secrets
passed through the environment, never through argv.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from releasekit.errors import CommandError
from releasekit.system.redact import redact

DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Result:
    """What a finished process left behind."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def display(argv: Sequence[str]) -> str:
    """A copy-pastable rendering of argv, for messages only."""
    return shlex.join(argv)


def _environment(env: Mapping[str, str | None] | None) -> dict[str, str] | None:
    if not env:
        return None
    full = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    for name in [k for k, v in env.items() if v is None]:
        full.pop(name, None)
    return full


class Started:
    """A child started early and handed its input later, so that its start-up (twine
    spends ~0.3 s importing) overlaps releasekit's own work instead of following it."""

    def __init__(
        self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str | None] | None
    ) -> None:
        self.argv = tuple(argv)
        self.env = dict(env or {})
        try:
            self._process: subprocess.Popen[str] | None = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=_environment(env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        except FileNotFoundError as exc:
            raise CommandError(f"{argv[0]} is not installed", f"install {argv[0]}") from exc

    def finish(self, input: str, *, timeout: float) -> Result:
        """Send the input, wait (bounded), and return what the child left behind."""
        process = self._process
        if process is None:
            raise CommandError(f"{display(self.argv)} was cancelled")
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.cancel()
            raise CommandError(
                f"{display(self.argv)} did not finish within {timeout:g} s",
                "check the network or raise the timeout, then re-run",
            ) from exc
        self._process = None
        return Result(self.argv, process.returncode, stdout, stderr)

    def cancel(self) -> None:
        """Stop the child if it is still waiting or running; safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def start(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str | None] | None = None
) -> Started:
    return Started(argv, cwd=cwd, env=env)


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    check: bool = True,
) -> Result:
    """Run `argv` in `cwd`; `env` is laid over this process's environment (None unsets).

    With `check`, a non-zero exit raises CommandError carrying the tool's own
    last words (masked), so the user sees why it failed.
    """
    full_env = _environment(env)
    try:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            env=full_env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise CommandError(f"{argv[0]} is not installed", f"install {argv[0]} and re-run") from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(
            f"{display(argv)} did not finish within {timeout:g} s",
            "check the network or raise the timeout, then re-run",
        ) from exc
    result = Result(tuple(argv), proc.returncode, proc.stdout, proc.stderr)
    if check and not result.ok:
        output = redact((proc.stderr or proc.stdout).strip())
        raise CommandError(
            f"{display(argv)} failed: {reason(output) or f'exit status {proc.returncode}'}",
            output=output,
        )
    return result


def reason(output: str) -> str:
    """The line of a tool's output that says why: its first fatal/error line, else its last."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith(("fatal:", "error:")) and "failed to push" not in line:
            return line
    return lines[-1] if lines else ""
