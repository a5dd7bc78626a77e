"""A child's side channel: lines heard while it runs, always drained, never a hang."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from releasekit.publishing import twine_child
from releasekit.system import runner

WRITER = """\
import os, sys
channel = os.fdopen(int(os.environ["RELEASEKIT_CHANNEL_FD"]), "w")
for n in range(int(sys.stdin.read())):
    channel.write(f"line {n} " + "x" * 100 + "\\n")
channel.close()
print("done")
"""


def test_the_channel_variable_is_the_one_children_read() -> None:
    assert runner.CHANNEL_FD in WRITER and runner.CHANNEL_FD in twine_child._REPORT


def child(tmp_path: Path) -> runner.Started:
    return runner.start([sys.executable, "-c", WRITER], cwd=tmp_path, channel=True)


def test_lines_are_heard_in_order(tmp_path: Path) -> None:
    heard: list[str] = []
    result = child(tmp_path).finish("3", timeout=60, on_line=heard.append)
    assert result.ok and result.stdout == "done\n"
    assert [line.split()[:2] for line in heard] == [["line", "0"], ["line", "1"], ["line", "2"]]


def test_a_chatty_child_is_drained_without_a_listener(tmp_path: Path) -> None:
    """About 1 MB of lines, far past a pipe's buffer: the child must not block on it."""
    result = child(tmp_path).finish("10000", timeout=60)
    assert result.ok and result.stdout == "done\n"


def test_a_listener_that_fails_does_not_stop_the_child(tmp_path: Path) -> None:
    def broken(_line: str) -> None:
        raise ValueError("the terminal went away")

    result = child(tmp_path).finish("10000", timeout=60, on_line=broken)
    assert result.ok and result.stdout == "done\n"


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_children_leave_no_descriptor_open(tmp_path: Path) -> None:
    before = open_descriptors()
    started = child(tmp_path)
    started.cancel()
    started.cancel()
    child(tmp_path).finish("1", timeout=60)
    assert open_descriptors() == before


def test_twine_progress_lines_are_read_and_other_lines_ignored() -> None:
    assert twine_child.progress("pkg-1.0.tar.gz 512 2048") == ("pkg-1.0.tar.gz", 512, 2048)
    for line in ("", "Uploading pkg-1.0.tar.gz", "pkg 1 2 3", "pkg x 2"):
        assert twine_child.progress(line) is None
