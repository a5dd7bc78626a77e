"""The release journal in .git: on disk before the first write, gone when the release ends.

The SIGKILL scenarios live in tests/faults/test_faults_crash.py; these check what the
journal holds at each moment, in-process, on a real repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SampleRepo

from releasekit.core import journal, recovery
from releasekit.core import release as verbs
from releasekit.core.plan import Options, WriteFile
from releasekit.errors import ReleaseError

DATE = "2030-01-02"


def journal_file(repo: SampleRepo) -> dict[str, object] | None:
    path = repo.root / ".git" / journal.JOURNAL_NAME
    return json.loads(path.read_bytes()) if path.exists() else None


def test_the_journal_is_on_disk_before_the_first_write_and_gone_after(repo: SampleRepo) -> None:
    plan = verbs.plan_release(repo.root, Options(part="minor"), date=DATE)
    originals = {step.path: step.before for step in plan.steps if isinstance(step, WriteFile)}
    seen: list[tuple[str, dict[str, object] | None, bytes]] = []

    def report(title: str) -> None:
        changelog = (repo.root / "CHANGELOG.md").read_bytes()
        seen.append((title, journal_file(repo), changelog))

    verbs.release_plan(repo.root, plan, report=report)

    _title, first, changelog_then = seen[0]
    assert first is not None and changelog_then == originals["CHANGELOG.md"]
    assert first["tag"] == "v1.4.0" and first["version"] == "1.4.0"
    assert first["titles"] == [step.title for step in plan.steps]
    assert first["head"] == repo.git("rev-parse", "HEAD~1").strip()
    assert first["refs"] == {"refs/tags/v1.4.0": None, "refs/heads/main": first["head"]}
    assert set(first["states"]) == {"pending"}  # type: ignore[arg-type]
    record = journal.Record.from_json(json.dumps(first).encode())
    assert {f.path: f.before for f in record.files} == originals
    _title, last, _ = seen[-1]
    assert last is not None and last["states"][:5] == ["done"] * 5  # type: ignore[index]
    assert journal_file(repo) is None


def test_a_failure_rolled_back_removes_the_journal(repo: SampleRepo) -> None:
    """The push is refused: undone as before, and nothing is left to recover."""
    hook = repo.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'no releases today' >&2\nexit 1\n")
    hook.chmod(0o755)
    plan = verbs.plan_release(repo.root, Options(part="minor"), date=DATE)
    with pytest.raises(ReleaseError, match="undone"):
        verbs.release_plan(repo.root, plan, report=lambda line: None)
    assert journal_file(repo) is None
    assert recovery.find(repo.root) is None


def test_a_journal_whose_process_lives_is_another_release_running(repo: SampleRepo) -> None:
    """Never recover a release that still runs: its pid (and start time) are alive."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        plan = verbs.plan_release(repo.root, Options(part="minor"), date=DATE)
        record = journal.record_of(repo.root, plan)
        record.pid, record.pid_start = sleeper.pid, journal.process_start(sleeper.pid)
        journal.Journal(journal.journal_path(repo.root), record).save()
        with pytest.raises(ReleaseError, match=rf"another release is running.*pid {sleeper.pid}"):
            verbs.plan_release(repo.root, Options(part="minor"), date=DATE)
        record.pid_start = "1"  # the same pid, another process: the writer is gone
        journal.Journal(journal.journal_path(repo.root), record).save()
        found = recovery.find(repo.root)
        assert found is not None and found.record.pid == sleeper.pid
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not journal.alive(sleeper.pid, None)


def test_an_unreadable_journal_is_named_with_the_command_to_remove_it(repo: SampleRepo) -> None:
    path = journal.journal_path(repo.root)
    path.write_text('{"format": 99}')
    with pytest.raises(ReleaseError, match=rf"not a release journal.*rm {path}"):
        verbs.plan_release(repo.root, Options(part="minor"), date=DATE)
    assert path.exists()


def test_the_journal_write_is_atomic(repo: SampleRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing the new journal leaves the old one whole, and no temp file."""
    path = journal.journal_path(repo.root)
    journal.atomic_write(path, b"old")

    def broken(fd: int) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(journal.os, "fsync", broken)
    with pytest.raises(OSError):
        journal.atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert list(path.parent.glob(f".{path.name}.*")) == []


def test_bump_outside_a_git_repository_works_and_leaves_nothing_behind(tmp_path: Path) -> None:
    from releasekit.demo import sample

    root = sample.write_project(tmp_path / "loose", version="1.3.0")
    before = sorted(path.relative_to(root).as_posix() for path in root.rglob("*"))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "releasekit"), "bump", "--part", "patch"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert 'version = "1.3.1"' in (root / "pyproject.toml").read_text()
    assert sorted(path.relative_to(root).as_posix() for path in root.rglob("*")) == before
