"""Progress on slow steps: a start line always, a live elapsed time only on a terminal,
no ANSI codes under NO_COLOR, and `--quiet` down to the result line."""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import SampleRepo

from releasekit.demo import sample
from releasekit.frontend.progress import Progress, elapsed

BIN = Path(sys.executable).parent
ANSI = re.compile(r"\x1b\[")
START = "building sdist and wheel into dist/ ..."


def run(
    root: Path, *args: str, environ: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command, output captured (so not a terminal), as CI runs it."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(environ or {})}
    return subprocess.run(
        [str(BIN / "releasekit"), *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Terminal(io.StringIO):
    """A stream that says it is a terminal: what a person's shell gives."""

    def isatty(self) -> bool:
        return True


def clock_of(step: float) -> itertools.count[float]:
    return itertools.count(0.0, step)


def wait_for(predicate: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the live indicator never showed"
        time.sleep(0.01)


def ticker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "releasekit-progress"]


# -- the real command, not on a terminal -----------------------------------------------


def test_build_says_it_is_building_without_live_codes(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project")
    result = run(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == START
    assert "checking 2 files with twine check ..." in lines
    assert lines[-1].startswith("Built sample_pkg-1.3.0.tar.gz")
    assert lines.index(START) < lines.index(lines[-1])  # said before the build ends
    both = result.stdout + result.stderr
    assert "\r" not in both and not ANSI.search(both)


def test_quiet_build_prints_only_the_result(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project")
    result = run(root, "build", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "Built sample_pkg-1.3.0.tar.gz, sample_pkg-1.3.0-py3-none-any.whl and SHA256SUMS in dist/."
    ]
    assert result.stderr == ""


def test_quiet_build_still_prints_its_error(tmp_path: Path) -> None:
    root = sample.write_project(tmp_path / "project", backend="broken")
    result = run(root, "build", "--quiet")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("releasekit: error: building ")


def test_release_bullets_its_steps_without_live_codes(repo: SampleRepo) -> None:
    loud = run(repo.root, "release", "--part", "patch", "--yes", "--no-github-release")
    assert loud.returncode == 0, loud.stdout + loud.stderr
    assert "- git push --atomic origin refs/heads/main refs/tags/v1.3.1" in loud.stdout
    both = loud.stdout + loud.stderr
    assert "\r" not in both and not ANSI.search(both)


def test_quiet_release_prints_only_the_result(repo: SampleRepo) -> None:
    quiet = run(repo.root, "release", "--part", "minor", "--yes", "--no-github-release", "-q")
    assert quiet.returncode == 2, quiet.stderr  # argparse: no short -q (Invoke has its own)
    quiet = run(repo.root, "release", "--part", "minor", "--yes", "--no-github-release", "--quiet")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stdout == "Released sample-pkg 1.4.0 (tag v1.4.0).\n"
    assert quiet.stderr == ""
    assert repo.git("ls-remote", "--tags", "origin", "v1.4.0").strip()
    again = run(repo.root, "release", "--part", "minor", "--yes", "--no-github-release", "--quiet")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "Nothing to do."  # with the reason before it
    assert "[Unreleased] is empty" in again.stdout


@pytest.mark.parametrize("verb", ["release", "build", "publish", "github-release"])
def test_quiet_and_verbose_are_on_every_tool_running_verb(tmp_path: Path, verb: str) -> None:
    help_text = run(tmp_path, verb, "--help").stdout
    assert "--quiet" in help_text and "--verbose" in help_text


def test_doctor_takes_verbose(tmp_path: Path) -> None:
    assert "--verbose" in run(tmp_path, "doctor", "--help").stdout


# -- the live indicator ------------------------------------------------------------------


def live(
    environ: Mapping[str, str], stream: Terminal, *, quiet: bool = False
) -> tuple[Progress, list[str]]:
    said: list[str] = []
    shown = Progress(
        said.append,
        quiet=quiet,
        environ=environ,
        terminal=stream,
        stream=stream,
        interval=0.01,
        clock=clock_of(4.0).__next__,
    )
    return shown, said


def test_on_a_terminal_the_elapsed_time_runs_and_stops() -> None:
    stream = Terminal()
    shown, said = live({}, stream)
    with shown.phase("building sdist and wheel"):
        wait_for(lambda: "building sdist and wheel ... 1 min 04 s" in stream.getvalue())
    assert said == ["building sdist and wheel ..."]
    written = stream.getvalue()
    assert "\rbuilding sdist and wheel ... 8 s" in written
    assert written.endswith("\r\x1b[K")  # the live line is erased for what comes next
    assert ticker_threads() == []
    time.sleep(0.05)
    assert stream.getvalue() == written  # stopped: nothing more is written


def test_the_indicator_stops_when_the_step_fails() -> None:
    stream = Terminal()
    shown, _ = live({}, stream)
    with pytest.raises(RuntimeError), shown.phase("uploading 2 files to http://127.0.0.1"):
        wait_for(lambda: " s" in stream.getvalue())
        raise RuntimeError("upload failed")
    assert ticker_threads() == []
    assert stream.getvalue().endswith("\r\x1b[K")


def test_an_uploads_bytes_show_on_the_live_line_only() -> None:
    stream = Terminal()
    shown, said = live({}, stream)
    with shown.phase("uploading 2 files to http://127.0.0.1:8080/") as note:
        note("pkg-1.0-py3-none-any.whl 1.2 MB / 3.4 MB")
        wait_for(lambda: "any.whl 1.2 MB / 3.4 MB ... " in stream.getvalue())
    assert "uploading 2 files to http://127.0.0.1:8080/: pkg-1.0" in stream.getvalue()
    assert said == ["uploading 2 files to http://127.0.0.1:8080/ ..."]  # the log: no bytes


def test_notes_off_a_terminal_are_dropped() -> None:
    stream = io.StringIO()
    shown, said = live({}, stream)  # type: ignore[arg-type]
    with shown.phase("uploading 1 file to http://127.0.0.1:8080/") as note:
        note("pkg-1.0.tar.gz 2.0 kB / 2.0 kB")
    assert stream.getvalue() == ""
    assert said == ["uploading 1 file to http://127.0.0.1:8080/ ..."]


def test_no_color_keeps_ansi_codes_out() -> None:
    stream = Terminal()
    shown, _ = live({"NO_COLOR": "1"}, stream)
    with shown.phase("building sdist and wheel"):
        wait_for(lambda: "... 12 s" in stream.getvalue())
    written = stream.getvalue()
    assert "\r" in written and not ANSI.search(written)
    assert written.endswith("\r")  # blanked with spaces instead


def test_nothing_live_off_a_terminal_or_in_ci_or_quiet() -> None:
    for environ, stream, quiet in (
        ({}, io.StringIO(), False),  # output redirected
        ({"CI": "true"}, Terminal(), False),  # a CI log that claims a terminal
        ({}, Terminal(), True),
    ):
        shown, said = live(environ, stream, quiet=quiet)  # type: ignore[arg-type]
        with shown.phase("pushing to origin"):
            time.sleep(0.05)
        assert stream.getvalue() == ""
        assert said == ([] if quiet else ["pushing to origin ..."])


def test_plan_steps_tick_only_when_slow() -> None:
    stream = Terminal()
    shown, said = live({}, stream)
    shown.report("update pyproject.toml")
    assert ticker_threads() == []
    shown.report("git push --atomic origin refs/heads/main refs/tags/v1.4.0")
    wait_for(lambda: "git push --atomic origin" in stream.getvalue())
    shown.report("built a and b")  # the next line ends the live one first
    assert ticker_threads() == []
    assert said == [
        "- update pyproject.toml",
        "- git push --atomic origin refs/heads/main refs/tags/v1.4.0",
        "- built a and b",
    ]


def test_elapsed_reads_as_seconds_then_minutes() -> None:
    assert [elapsed(s) for s in (0, 12.7, 60, 185)] == ["0 s", "12 s", "1 min 00 s", "3 min 05 s"]
