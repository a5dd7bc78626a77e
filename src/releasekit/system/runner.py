"""The one place that starts processes.

Argv lists only (never a shell string), a timeout on everything, and secrets
passed through the environment, never through argv.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from releasekit.errors import CommandError
from releasekit.system.record import record
from releasekit.system.redact import redact

DEFAULT_TIMEOUT = 120.0
CHANNEL_FD = "RELEASEKIT_CHANNEL_FD"  # where a child started with `channel=True` writes its lines


@record
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
    spends ~0.3 s importing) overlaps releasekit's own work instead of following it.

    With `channel`, the child also gets a pipe (its number in RELEASEKIT_CHANNEL_FD) for
    lines it reports while it runs, such as upload progress; `finish(on_line=...)` hears
    them as they come. The pipe is always drained, so a chatty child never blocks on it.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str | None] | None,
        channel: bool = False,
    ) -> None:
        self.argv = tuple(argv)
        self.env = dict(env or {})
        self._channel: int | None = None
        write = -1
        if channel:
            self._channel, write = os.pipe()
            env = {**self.env, CHANNEL_FD: str(write)}
        try:
            self._process: subprocess.Popen[str] | None = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=_environment(env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                pass_fds=(write,) if channel else (),
            )
        except FileNotFoundError as exc:
            self._close_channel()
            raise CommandError(f"{argv[0]} is not installed", f"install {argv[0]}") from exc
        finally:
            if channel:
                os.close(write)  # the child holds its own copy: EOF comes when it exits

    def finish(
        self, input: str, *, timeout: float, on_line: Callable[[str], None] | None = None
    ) -> Result:
        """Send the input, wait (bounded), and return what the child left behind."""
        process = self._process
        if process is None:
            raise CommandError(f"{display(self.argv)} was cancelled")
        listener = self._listen(on_line or (lambda _line: None))
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.cancel()
            raise CommandError(
                f"{display(self.argv)} did not finish within {timeout:g} s",
                "check the network or raise the timeout, then re-run",
            ) from exc
        finally:
            if listener is not None:
                listener.join(timeout=5)
        self._process = None
        self._close_channel()
        return Result(self.argv, process.returncode, stdout, stderr)

    def _listen(self, on_line: Callable[[str], None]) -> threading.Thread | None:
        """Read the channel until the child closes it (it exits), one line at a time."""
        if self._channel is None:
            return None
        reader = os.fdopen(os.dup(self._channel), encoding="utf-8", errors="replace")

        def pump() -> None:
            heard = True
            with reader:
                for line in reader:
                    if heard:
                        try:
                            on_line(line.rstrip("\n"))
                        except Exception:  # showing progress must not stop the child
                            heard = False

        thread = threading.Thread(target=pump, name="releasekit-channel", daemon=True)
        thread.start()
        return thread

    def _close_channel(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            os.close(channel)

    def cancel(self) -> None:
        """Stop the child if it is still waiting or running; safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
        self._close_channel()


def start(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    channel: bool = False,
) -> Started:
    return Started(argv, cwd=cwd, env=env, channel=channel)


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
