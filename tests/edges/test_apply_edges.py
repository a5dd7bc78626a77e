"""The one error a failed release prints, in process: what failed, what was undone (or could
not be), and the fix; after the push, never an undo and the tag named as pushed."""

from __future__ import annotations

import dataclasses
import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SampleRepo
from test_apply import apply_plan, assert_as_before, plan_minor, snapshot

from releasekit.core import apply as apply_mod
from releasekit.core.plan import Commit, Plan, Push, Step, WriteFile
from releasekit.demo import sample
from releasekit.errors import ReleaseError
from releasekit.system.git import Git

ENOSPC = os.strerror(errno.ENOSPC)
AGAIN = "the repository is as it was: fix the cause and run the same command again"
FINISH = "re-run the same command: it finishes the release where it stopped"


def written_paths(plan: Plan) -> list[str]:
    return [step.path for step in plan.steps if isinstance(step, WriteFile)]


def failing_writes(monkeypatch: pytest.MonkeyPatch, fails: Callable[[int, Path], bool]) -> None:
    """write_bytes raising ENOSPC on the calls `fails` picks (by number from 1, and path)."""
    real_write = apply_mod.write_bytes
    calls: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        calls.append(path)
        if fails(len(calls), path):
            raise OSError(errno.ENOSPC, ENOSPC, str(path))
        real_write(path, data)

    monkeypatch.setattr(apply_mod, "write_bytes", write)


def test_a_failure_before_any_change_says_nothing_had_been_changed(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    plan = plan_minor(repo)

    def refuse(step: Step, ctx: apply_mod.Context, git: Git, journal: list[apply_mod.Undo]) -> None:
        raise OSError(errno.ENOSPC, ENOSPC)

    monkeypatch.setattr(apply_mod, "_execute", refuse)
    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)
    assert caught.value.cause == f"{plan.steps[0].title} failed: {ENOSPC}; nothing had been changed"
    assert caught.value.fix == AGAIN
    assert_as_before(before, repo)


def test_a_later_failure_lists_every_undo_newest_first_and_keeps_the_steps_fix(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    plan = plan_minor(repo)
    real_execute = apply_mod._execute

    def refuse_the_commit(
        step: Step, ctx: apply_mod.Context, git: Git, journal: list[apply_mod.Undo]
    ) -> None:
        if isinstance(step, Commit):
            raise ReleaseError("git commit was refused", "fix the hook")
        real_execute(step, ctx, git, journal)

    monkeypatch.setattr(apply_mod, "_execute", refuse_the_commit)
    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)
    written = written_paths(plan)
    undone = ", ".join(f"restored {path}" for path in reversed(written))
    assert (
        caught.value.cause
        == f"{plan.steps[3].title} failed: git commit was refused; undone: {undone}"
    )
    assert caught.value.fix == "fix the hook"
    assert_as_before(before, repo)


def test_a_disk_still_full_during_the_undo_restores_the_files_in_place(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    plan = plan_minor(repo)
    # The second write fails, and so does writing a new copy of the first when undoing.
    failing_writes(monkeypatch, lambda number, path: number >= 2)
    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)
    first, second = written_paths(plan)[:2]
    assert caught.value.cause == (
        f"update {second} failed: {ENOSPC}; undone: restored {second}, restored {first}"
    )
    assert caught.value.fix == AGAIN
    assert_as_before(before, repo)


def test_an_undo_that_fails_is_named_and_no_fix_pretends_all_is_well(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_minor(repo)
    failing_writes(monkeypatch, lambda number, path: number >= 2)

    def no_room(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, ENOSPC, str(path))

    monkeypatch.setattr(apply_mod, "overwrite", no_room)
    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)
    first, second = written_paths(plan)[:2]
    # The failed write left its file as it was; the first file could not be put back, and
    # the user is told which.
    assert caught.value.cause == (
        f"update {second} failed: {ENOSPC}; undone: restored {second}; "
        f"COULD NOT UNDO: {first}: {ENOSPC}"
    )
    assert caught.value.fix == ""


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        (ReleaseError("the index said no", "check the token"), f"check the token; then {FINISH}"),
        (OSError(errno.EIO, "I/O error"), FINISH),
    ],
)
def test_a_failure_after_the_push_names_the_pushed_tag_and_undoes_nothing(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch, error: Exception, fix: str
) -> None:
    plan = plan_minor(repo)
    extra = plan.steps[0]
    plan = dataclasses.replace(plan, steps=(*plan.steps, extra))
    real_execute = apply_mod._execute
    count: list[Step] = []

    def fail_after_the_push(
        step: Step, ctx: apply_mod.Context, git: Git, journal: list[apply_mod.Undo]
    ) -> None:
        count.append(step)
        if len(count) == len(plan.steps):
            raise error
        real_execute(step, ctx, git, journal)

    monkeypatch.setattr(apply_mod, "_execute", fail_after_the_push)
    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)
    assert caught.value.cause.startswith(f"{extra.title} failed: ")
    assert caught.value.cause.endswith("(v1.4.0 is already pushed)")
    assert caught.value.fix == fix
    assert repo.git("cat-file", "-t", "v1.4.0").strip() == "tag"
    assert repo.git("ls-remote", str(repo.remote), "refs/tags/v1.4.0").strip()


def test_a_push_the_remote_refused_is_undone_even_though_the_remote_has_other_refs(
    repo: SampleRepo, tmp_path: Path
) -> None:
    plan = plan_minor(repo)
    assert isinstance(plan.steps[-1], Push)
    # Someone else pushes to main after the plan was made: the push is rejected.
    other = tmp_path / "other"
    sample.git(tmp_path, "clone", "-q", str(repo.remote), str(other))
    (other / "NEWS").write_text("elsewhere\n")
    sample.git(other, "add", "NEWS")
    sample.git(other, "commit", "-q", "-m", "Elsewhere")
    sample.git(other, "push", "-q", "origin", "HEAD:main")
    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)
    assert "already pushed" not in caught.value.cause
    assert "undone: " in caught.value.cause
    assert not repo.git("tag", "--list", "v1.4.0").strip()
