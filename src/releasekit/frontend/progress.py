"""Start lines for the slow steps, and on a terminal a live elapsed-time indicator.

The layers below only call `phase(text)` around a slow step (system/progress.py); what
that looks like is decided here: a start line through `say` on stdout, and when a person
watches (stdout and stderr terminals, not CI) a thread rewriting "\\r text ... 12 s" on
stderr until the step ends, with the step's latest note (an upload's "file 1.2 MB / 3.4 MB").
`--quiet` shows neither; NO_COLOR keeps ANSI codes out.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import IO

from releasekit.system.facts import interactive
from releasekit.system.progress import Note

# Plan step titles (core/plan.py) that can take more than a moment: they get a ticker too.
SLOW_STEPS = ("git push", "build ", "upload ", "create or update the GitHub", "open the pull")
INTERVAL = 1.0
LONGEST = 6 * 3600.0  # a ticker stops on its own after this long, whatever happens
CLEAR = "\x1b[K"  # erase to the end of the line


def elapsed(seconds: float) -> str:
    """12 s, 3 min 05 s: what the live indicator shows."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


def no_color(environ: Mapping[str, str]) -> bool:
    """https://no-color.org: NO_COLOR set to anything but the empty string."""
    return bool(environ.get("NO_COLOR"))


class Ticker:
    """A daemon thread rewriting one status line on `stream` until stopped (or LONGEST)."""

    def __init__(
        self,
        text: str,
        stream: IO[str],
        *,
        color: bool,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.text = text
        self.stream = stream
        self.color = color
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.detail = ""  # the step's latest note; a str is swapped whole, so no lock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="releasekit-progress", daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def _line(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.text}{detail} ... {elapsed(self.clock() - self.started)}"

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop showing
            self._stop.set()

    def _run(self) -> None:
        width = 0
        for _tick in range(int(LONGEST / self.interval) + 1):
            line = self._line()
            pad = "" if self.color else " " * max(0, width - len(line))
            self._write(f"\r{line}{CLEAR if self.color else pad}")
            width = len(line)
            if self._stop.wait(self.interval):
                break
        # leave the line empty for what is printed next
        self._write(f"\r{CLEAR}" if self.color else f"\r{' ' * width}\r")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


class Progress:
    """One command's progress: `phase` for the layers below, `report` for a plan's steps."""

    def __init__(
        self,
        say: Callable[[str], None],
        *,
        quiet: bool = False,
        environ: Mapping[str, str] | None = None,
        terminal: IO[str] | None = None,
        stream: IO[str] | None = None,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.say = say
        self.quiet = quiet
        self.stream = sys.stderr if stream is None else stream
        watched = sys.stdout if terminal is None else terminal
        self.live = (
            not quiet and interactive(environ, watched) and interactive(environ, self.stream)
        )
        self.color = not no_color(environ)
        self.interval = interval
        self.clock = clock
        self._ticker: Ticker | None = None

    def _tick(self, text: str) -> None:
        if self.live:
            self._ticker = Ticker(
                text, self.stream, color=self.color, interval=self.interval, clock=self.clock
            )
            self._ticker.start()

    def stop(self) -> None:
        """End the live line, if any, before anything else is printed."""
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.stop()

    @contextlib.contextmanager
    def phase(self, text: str) -> Iterator[Note]:
        """system.progress.Phase: the start line, then the ticker until the step ends;
        the notes show on the live line only (a log gets the start line alone)."""
        self.stop()
        if not self.quiet:
            self.say(f"{text} ...")
        self._tick(text)
        ticker = self._ticker

        def note(detail: str) -> None:
            if ticker is not None:
                ticker.detail = detail

        try:
            yield note
        finally:
            self.stop()

    def report(self, text: str) -> None:
        """core.apply.Context.report: each step as a bullet, a slow one with a ticker."""
        self.stop()
        if self.quiet:
            return
        for line in text.splitlines():
            self.say(f"- {line}")
        if text.startswith(SLOW_STEPS):
            self._tick(text.splitlines()[0])
