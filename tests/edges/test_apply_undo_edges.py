"""What the undo of a release gives back when the work tree moved under it: a deleted file whose
folders a build removed, a file already gone when its deletion runs, a release commit that a
hook refused (so there is no commit to remove)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable

import pytest
from conftest import SampleRepo
from test_apply import apply_plan, assert_as_before, plan_minor, snapshot

from releasekit.core import apply as apply_mod
from releasekit.core import journal
from releasekit.core.plan import Build, Commit, DeleteFile, Plan, Step, WriteFile
from releasekit.errors import ReleaseError

NESTED = "changes/features/7.feature.md"
FRAGMENT = b"Support \xe2\x9c\x93 marks.\n"


def run(repo: SampleRepo, plan: Plan, other: Callable[[Step], str | None]) -> list[str]:
    """Apply `plan` with `other` running the steps apply.py leaves to a front; the lines shown."""
    lines: list[str] = []
    apply_mod.apply(plan, apply_mod.Context(repo.root, lines.append, other))
    return lines


def with_steps(repo: SampleRepo, *steps: Step) -> Plan:
    return dataclasses.replace(plan_minor(repo), steps=steps)


def commit_fragment(repo: SampleRepo, path: str) -> DeleteFile:
    """A committed news fragment the release consumes."""
    target = repo.root / path
    target.parent.mkdir(parents=True)
    target.write_bytes(FRAGMENT)
    target.chmod(0o644)
    repo.git("add", path)
    repo.git("commit", "-q", "-m", "Add a news fragment")
    return DeleteFile(path, FRAGMENT, 0o644)


def test_a_deleted_file_comes_back_with_every_folder_a_failing_build_removed(
    repo: SampleRepo,
) -> None:
    delete = commit_fragment(repo, NESTED)
    before = snapshot(repo)
    build = Build("1.4.0")

    def clean_then_fail(step: Step) -> None:
        shutil.rmtree(repo.root / "changes")  # the build cleans the fragments' whole tree
        raise ReleaseError("the build backend crashed", "fix the build")

    with pytest.raises(ReleaseError) as caught:
        run(repo, with_steps(repo, delete, build), clean_then_fail)

    assert caught.value.cause == (
        f"{build.title} failed: the build backend crashed; undone: restored {NESTED}"
    )
    assert caught.value.fix == "fix the build"
    assert (repo.root / NESTED).read_bytes() == FRAGMENT
    assert_as_before(before, repo)
    assert not journal.journal_path(repo.root).exists()


def test_a_file_already_gone_when_its_deletion_runs_does_not_stop_the_release(
    repo: SampleRepo,
) -> None:
    delete = commit_fragment(repo, NESTED)
    build = Build("1.4.0")
    plan = with_steps(repo, delete, build)
    (repo.root / NESTED).unlink()  # removed by hand while the prompt waited

    lines = run(repo, plan, lambda step: None)

    assert lines == [delete.title, build.title]
    assert not (repo.root / NESTED).exists()
    assert not journal.journal_path(repo.root).exists()


def test_a_release_commit_refused_by_a_hook_has_no_commit_to_remove(repo: SampleRepo) -> None:
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'refused by the pre-commit hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    plan = plan_minor(repo)
    commit = next(step for step in plan.steps if isinstance(step, Commit))
    writes = [step for step in plan.steps if isinstance(step, WriteFile)]
    head = repo.git("rev-parse", "HEAD")
    before = snapshot(repo)

    with pytest.raises(ReleaseError) as caught:
        apply_plan(repo, plan)

    restored = ", ".join(f"restored {write.path}" for write in reversed(writes))
    assert caught.value.cause.startswith(f"{commit.title} failed: ")
    assert caught.value.cause.endswith(f"; undone: no commit to remove, {restored}")
    assert repo.git("rev-parse", "HEAD") == head
    assert_as_before(before, repo)
