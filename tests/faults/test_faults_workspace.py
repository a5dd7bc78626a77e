"""A workspace member's release killed outright: the journal names the member, so the same
command, `recover --finish` and `recover --rollback` all act on that member alone, and the
other member and `uv lock --check` stay as they should."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.workspace import ALPHA, ALPHA_DIR, BETA_DIR, lock, make_workspace

from faults.faultkit import Scenario
from faults.worlds import Repo, world

RELEASE = ["release", "--package", ALPHA, "--part", "minor", "--yes"]
STEPS = 7  # 4 files (CHANGELOG, pyproject.toml, __init__.py, uv.lock), commit, tag, push
TAG = f"{ALPHA}-v1.4.0"


@pytest.fixture
def members(tmp_path: Path) -> Repo:
    return Repo(*make_workspace(tmp_path, kind="uv"))


def files(root: Path, folder: str) -> dict[str, bytes]:
    return {p.as_posix(): p.read_bytes() for p in sorted((root / folder).rglob("*")) if p.is_file()}


def released(scenario: Scenario, repo: Repo, beta: dict[str, bytes]) -> None:
    """The member's release is complete and nothing else changed."""
    problems = []
    if repo.ref(f"refs/tags/{TAG}", remote=True) is None:
        problems.append(f"tag {TAG} missing on the remote")
    if repo.ref("refs/heads/main", remote=True) != repo.ref("HEAD"):
        problems.append("the remote branch is not the release commit")
    changelog = (repo.root / ALPHA_DIR / "CHANGELOG.md").read_text()
    if changelog.count("## [1.4.0]") != 1:
        problems.append("the member's CHANGELOG has not exactly one 1.4.0 section")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo.root, capture_output=True)
    if status.stdout.strip():
        problems.append(f"the tree is not clean: {status.stdout!r}")
    if files(repo.root, BETA_DIR) != beta:
        problems.append("the other member changed")
    if lock(repo.root, "--check").returncode != 0:
        problems.append("uv lock --check fails")
    scenario.data_lost(problems)
    assert problems == [], problems


@pytest.mark.parametrize("step", range(1, STEPS + 1), ids=lambda k: f"after-step-{k}")
def test_sigkill_during_a_member_release_then_the_same_command(
    scenario: Scenario, members: Repo, step: int
) -> None:
    beta = files(members.root, BETA_DIR)
    scenario.crashed(
        scenario.inject(members.root, {"signal": "SIGKILL", "after_step": step}, *RELEASE)
    )
    again = scenario.releasekit(members.root, *RELEASE)
    scenario.finished(again)
    assert "was interrupted during" in again.stdout, scenario.shown(again.output)
    released(scenario, members, beta)
    scenario.recovered()


def test_recover_finish_after_the_push_finishes_the_same_member(
    scenario: Scenario, members: Repo
) -> None:
    beta = files(members.root, BETA_DIR)
    scenario.crashed(
        scenario.inject(members.root, {"signal": "SIGKILL", "after_step": STEPS}, *RELEASE)
    )
    finished = scenario.releasekit(members.root, "recover", "--finish")
    scenario.finished(finished)
    released(scenario, members, beta)
    scenario.recovered()


@pytest.mark.parametrize("step", [2, 4, 5, 6], ids=lambda k: f"after-step-{k}")
def test_recover_rollback_before_the_push_leaves_the_workspace_as_before(
    scenario: Scenario, members: Repo, step: int
) -> None:
    before = world(members)
    scenario.crashed(
        scenario.inject(members.root, {"signal": "SIGKILL", "after_step": step}, *RELEASE)
    )
    undone = scenario.releasekit(members.root, "recover", "--rollback")
    scenario.finished(undone)
    scenario.unchanged(before, world(members))
    scenario.recovered()
