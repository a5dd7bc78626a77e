"""Both fronts are built from one flag table: the same help for every flag, the same
message for a wrong choice, the same one-line error, and --verbose that shows the tool."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SampleRepo

from releasekit.demo import sample
from releasekit.frontend.flags import VERBS, Verb
from releasekit.system.facts import interactive

BIN = Path(sys.executable).parent
TASKS = [verb for verb in VERBS if not verb.command_only]


def run(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "100"},
    )


def words(text: str) -> str:
    """The text with its line wrapping undone (textwrap also breaks after a hyphen)."""
    return re.sub(r"(?<=\w-) (?=\w)", "", " ".join(text.split()))


@pytest.mark.parametrize("verb", TASKS, ids=lambda verb: verb.name)
def test_both_fronts_print_the_same_help_for_every_flag(repo: SampleRepo, verb: Verb) -> None:
    command = ["releasekit", verb.name, *(["set"] if verb.name == "secret" else []), "--help"]
    from_command = run(repo.root, *command)
    from_invoke = run(repo.root, "invoke", "--help", verb.name)
    assert from_command.returncode == from_invoke.returncode == 0
    for flag in verb.flags:
        if flag.name == "check":  # `releasekit secret check` is a sub-command there
            continue
        assert words(flag.help) in words(from_command.stdout), flag.name
        assert words(flag.help) in words(from_invoke.stdout), flag.name
    assert words(verb.doc) in words(from_command.stdout)
    assert words(verb.doc) in words(from_invoke.stdout)


@pytest.mark.parametrize(("flag", "value"), [("--part", "huge"), ("--pre", "gamma")])
def test_a_wrong_choice_reads_the_same_from_both_fronts(
    repo: SampleRepo, flag: str, value: str
) -> None:
    before = repo.state()
    command = run(repo.root, "releasekit", "bump", flag, value)
    task = run(repo.root, "invoke", "bump", flag, value)
    assert command.returncode == task.returncode == 1
    line = command.stderr.strip()
    assert line == task.stderr.strip()
    assert line.startswith(f"releasekit: error: unknown {flag[2:]} '{value}'; use {flag} ")
    assert repo.state().diff(before) == []


def test_an_error_is_one_redacted_line_from_both_fronts(repo: SampleRepo) -> None:
    (repo.root / "CHANGELOG.md").unlink()
    command = run(repo.root, "releasekit", "changelog", "--part", "minor")
    task = run(repo.root, "invoke", "changelog", "--part", "minor")
    assert command.returncode == task.returncode == 1
    assert command.stderr == task.stderr
    assert command.stderr.count("\n") == 1 and "Traceback" not in command.stderr


@pytest.mark.slow
@pytest.mark.parametrize("front", ["releasekit", "invoke"])
def test_build_verbose_shows_the_backends_own_output(tmp_path: Path, front: str) -> None:
    root = sample.write_project(tmp_path / "project", backend="broken")
    quiet = run(root, front, "build")
    loud = run(root, front, "build", "--verbose")
    assert quiet.returncode == loud.returncode == 1
    assert "Traceback" not in quiet.stderr  # the one line only
    assert quiet.stderr.count("\n") == 1
    assert "Traceback" in loud.stderr  # the backend's own traceback, before our line
    assert loud.stderr.rstrip().splitlines()[-1] == quiet.stderr.strip()


class Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("ci", "expected"), [("", True), ("false", True), ("0", True), ("true", False), ("1", False)]
)
def test_one_rule_for_a_person_at_the_terminal(ci: str, expected: bool) -> None:
    assert interactive({"CI": ci}, Terminal()) is expected  # type: ignore[arg-type]
    assert interactive({"CI": ci}, None) is False


def test_a_reader_that_leaves_early_gets_no_traceback(repo: SampleRepo) -> None:
    """`releasekit changelog --dry-run | head`: the pipe closes, the command ends quietly."""
    changelog = repo.root / "CHANGELOG.md"
    entries = "".join(f"- entry {n} of a long section\n" for n in range(5000))  # > a pipe buffer
    changelog.write_text(
        changelog.read_text().replace("### Added\n\n", f"### Added\n\n{entries}", 1)
    )
    command = f"{BIN / 'releasekit'} changelog --part minor --dry-run | head -c 10"
    done = subprocess.run(
        ["bash", "-c", f'{command}; echo; echo "${{PIPESTATUS[0]}}"'],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.stdout.startswith("Release sa")
