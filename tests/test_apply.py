"""Applying a release plan in-process, with failures injected where a user cannot aim them.

A full disk on the second file, Ctrl-C at every step boundary, a file that turns
read-only: each must leave the repository (and its remote) exactly as before.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SampleRepo
from support.repostate import RepoState

from releasekit.core import apply as apply_mod
from releasekit.core import release as verbs
from releasekit.core import snapshot as state_mod
from releasekit.core.plan import Commit, Options, Plan, Push, Step, Tag, WriteFile
from releasekit.errors import PreflightError, ReleaseError
from releasekit.system.git import Git

DATE = "2030-01-02"
INIT = "src/sample_pkg/__init__.py"
Context = apply_mod.Context
Journal = list[apply_mod.Undo]
STEP_KINDS = (WriteFile, WriteFile, WriteFile, Commit, Tag, Push)


def assert_as_before(before: RepoState, repo: SampleRepo) -> None:
    assert before.diff(repo.state()) == []
    assert not (repo.root / ".git" / apply_mod.LOCK_NAME).exists()


def snapshot(repo: SampleRepo) -> RepoState:
    repo.git("status", "--porcelain")
    return repo.state()


def plan_minor(repo: SampleRepo) -> Plan:
    plan = verbs.plan_release(repo.root, Options(part="minor"), date=DATE)
    assert plan.problems == ()
    assert tuple(type(step) for step in plan.steps) == STEP_KINDS
    return plan


def apply_plan(repo: SampleRepo, plan: Plan, report: Callable[[str], None] | None = None) -> None:
    verbs.release_plan(repo.root, plan, report=report or (lambda line: None))


def assert_one_line(error: ReleaseError) -> str:
    text = str(error)
    assert "\n" not in text
    assert "Traceback" not in text
    return text


def test_the_plan_applies_cleanly_in_process(repo: SampleRepo) -> None:
    """The baseline the injected failures are measured against."""
    lines: list[str] = []
    apply_plan(repo, plan_minor(repo), lines.append)
    assert len(lines) == len(STEP_KINDS)
    assert repo.git("cat-file", "-t", "v1.4.0").strip() == "tag"
    assert repo.git("ls-remote", str(repo.remote), "refs/tags/v1.4.0").strip()
    assert not (repo.root / ".git" / apply_mod.LOCK_NAME).exists()


# -- a full disk --------------------------------------------------------------------------


@pytest.mark.parametrize("partial", [False, True], ids=["atomic", "half-written"])
def test_enospc_on_the_second_write_restores_every_file(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch, partial: bool
) -> None:
    """The second file write fails; `half-written` also leaves that file truncated first."""
    before = snapshot(repo)
    plan = plan_minor(repo)
    real_write = apply_mod.write_bytes
    calls: list[Path] = []

    def full_disk(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            if partial:
                path.write_bytes(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write(path, data)

    monkeypatch.setattr(apply_mod, "write_bytes", full_disk)

    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)

    text = assert_one_line(caught.value)
    second = plan.steps[1]
    assert isinstance(second, WriteFile)
    assert f"update {second.path} failed: {os.strerror(errno.ENOSPC)}" in text
    first = plan.steps[0]
    assert isinstance(first, WriteFile)
    assert f"restored {first.path}" in text
    assert len(calls) > 2  # the restore itself went through write_bytes
    assert_as_before(before, repo)


def test_write_bytes_leaves_the_file_whole_when_the_disk_fills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'version = "1.3.0"\n')
    path.chmod(0o640)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("releasekit.core.apply.os.fsync", no_space)
    with pytest.raises(OSError):
        apply_mod.write_bytes(path, b'version = "1.4.0"\n')
    monkeypatch.undo()

    assert path.read_bytes() == b'version = "1.3.0"\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]
    apply_mod.write_bytes(path, b'version = "1.4.0"\n')
    assert path.read_bytes() == b'version = "1.4.0"\n'
    assert path.stat().st_mode & 0o777 == 0o640


# -- Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(STEP_KINDS)))
def test_interrupt_before_each_step_rolls_back(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch, index: int
) -> None:
    before = snapshot(repo)
    plan = plan_minor(repo)
    real_execute = apply_mod._execute
    started: list[object] = []

    def interrupt_before(step: Step, ctx: Context, git: Git, journal: Journal) -> None:
        started.append(step)
        if len(started) == index + 1:
            raise KeyboardInterrupt
        real_execute(step, ctx, git, journal)

    monkeypatch.setattr(apply_mod, "_execute", interrupt_before)

    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)

    text = assert_one_line(caught.value)
    assert f"{plan.steps[index].title} failed: interrupted" in text
    assert_as_before(before, repo)


@pytest.mark.parametrize("index", range(len(STEP_KINDS) - 1))
def test_interrupt_right_after_each_local_step_rolls_back(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch, index: int
) -> None:
    before = snapshot(repo)
    plan = plan_minor(repo)
    real_execute = apply_mod._execute
    done: list[object] = []

    def interrupt_after(step: Step, ctx: Context, git: Git, journal: Journal) -> None:
        real_execute(step, ctx, git, journal)
        done.append(step)
        if len(done) == index + 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(apply_mod, "_execute", interrupt_after)

    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)

    assert "interrupted" in assert_one_line(caught.value)
    assert_as_before(before, repo)


def test_interrupt_right_after_the_push_keeps_the_pushed_release(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_minor(repo)
    real_execute = apply_mod._execute

    def interrupt_after_push(step: Step, ctx: Context, git: Git, journal: Journal) -> None:
        real_execute(step, ctx, git, journal)
        if isinstance(step, Push):
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, right as the push returns

    monkeypatch.setattr(apply_mod, "_execute", interrupt_after_push)

    apply_plan(repo, plan)  # the release is public: a late Ctrl-C must not undo it

    pushed = repo.git("ls-remote", str(repo.remote), "refs/heads/main").split()[0]
    assert repo.git("rev-parse", "HEAD").strip() == pushed
    assert repo.git("cat-file", "-t", "v1.4.0").strip() == "tag"


def _interrupting_report(at_call: int) -> Callable[[str], None]:
    """A front's progress printer that receives Ctrl-C while printing its `at_call`-th line."""
    calls: list[str] = []

    def report(line: str) -> None:
        calls.append(line)
        if len(calls) == at_call + 1:
            raise KeyboardInterrupt

    return report


def _interrupt_while_reporting(repo: SampleRepo, index: int) -> RepoState:
    before = snapshot(repo)
    plan = plan_minor(repo)
    with pytest.raises((ReleaseError, KeyboardInterrupt)):
        apply_plan(repo, plan, _interrupting_report(index))
    return before


def test_interrupt_while_announcing_the_first_step_changes_nothing(repo: SampleRepo) -> None:
    before = _interrupt_while_reporting(repo, 0)
    assert_as_before(before, repo)


@pytest.mark.parametrize("index", range(1, len(STEP_KINDS)))
def test_interrupt_while_announcing_a_later_step_rolls_back(repo: SampleRepo, index: int) -> None:
    before = _interrupt_while_reporting(repo, index)
    assert_as_before(before, repo)


# -- read-only files -------------------------------------------------------------------


def _deny_writes_to(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
    """os.access as seen by `module` says `name` is not writable; everything else is real."""
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and str(path).endswith(name):
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "os", _OsWith(access))


class _OsWith:
    """The os module, with `access` replaced, for one module's global `os` only."""

    def __init__(self, access: Callable[..., bool]) -> None:
        self.access = access

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def test_read_only_version_file_is_refused_before_any_write(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    _deny_writes_to(monkeypatch, state_mod, "__init__.py")

    with pytest.raises(PreflightError) as caught:
        verbs.release(repo.root, Options(part="minor"), date=DATE, report=lambda line: None)

    text = assert_one_line(caught.value)
    assert f"{INIT} is read-only; make it writable (chmod u+w {INIT})" == text
    assert_as_before(before, repo)


def test_file_turning_read_only_after_the_plan_is_rolled_back(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    plan = plan_minor(repo)
    _deny_writes_to(monkeypatch, apply_mod, "__init__.py")

    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)

    text = assert_one_line(caught.value)
    assert f"update {INIT} failed: __init__.py is read-only" in text
    assert "restored CHANGELOG.md" in text and "restored pyproject.toml" in text
    assert "chmod u+w" in text
    assert_as_before(before, repo)


# -- lock --------------------------------------------------------------------------------


def test_lock_is_released_after_a_failed_apply(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_minor(repo)

    def fail_commit(step: Step, ctx: Context, git: Git, journal: Journal) -> None:
        if isinstance(step, Commit):
            lock = repo.root / ".git" / apply_mod.LOCK_NAME
            assert lock.read_text() == str(os.getpid())
            raise ReleaseError("commit refused", "try again")
        real_execute(step, ctx, git, journal)

    real_execute = apply_mod._execute
    monkeypatch.setattr(apply_mod, "_execute", fail_commit)
    with pytest.raises(ReleaseError, match="commit refused"):
        apply_plan(repo, plan)
    monkeypatch.undo()

    apply_plan(repo, plan_minor(repo))
    assert repo.git("cat-file", "-t", "v1.4.0").strip() == "tag"
