"""SIGINT and SIGTERM at every step boundary of a full release (files, commit, tag, push,
build, upload, GitHub release): before the push the repository is exactly as before; after
it, re-running the same command finishes the release.

The signal is real: the fault driver runs `releasekit.cli.main` and sends it to its own pid
right after step k has run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.github_api import GitHubStandIn

from faults.faultkit import Scenario
from faults.faultnet import IndexProxy
from faults.worlds import Repo, install_hook, on_github, world
from releasekit.demo.localindex import LocalIndex

STEPS = 9  # 3 files, commit, tag, push, build, upload, GitHub release
PUSH = 6


def release_args(index: LocalIndex) -> list[str]:
    return ["release", "--part", "minor", "--yes", "--publish", "--repository", index.url]


@pytest.mark.parametrize("after", range(1, STEPS + 1), ids=lambda k: f"after-step-{k}")
@pytest.mark.parametrize("signal", ["SIGINT", "SIGTERM"])
def test_signal_at_a_step_boundary(
    scenario: Scenario,
    repo: Repo,
    index: LocalIndex,
    github: GitHubStandIn,
    signal: str,
    after: int,
) -> None:
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    plan = scenario.releasekit(repo.root, *release_args(index), "--dry-run", env=env)
    steps = re.findall(r"^(\d+)\. (.+)$", plan.stdout, flags=re.MULTILINE)
    assert len(steps) == STEPS and "git push" in steps[PUSH - 1][1], plan.stdout
    before = world(repo, index.directory)

    spec = {"signal": signal, "after_step": after}
    outcome = scenario.inject(repo.root, spec, *release_args(index), env=env, timeout=300)

    if after < PUSH:
        scenario.refused(outcome, cause=rf"interrupted by {signal}", fix=r"undone: ")
        scenario.unchanged(before, world(repo, index.directory))
        return
    if outcome.returncode == 0:  # a signal after the last step: there is nothing left to stop
        assert after == STEPS, outcome.output
        scenario.finished(outcome)
    else:
        scenario.refused(
            outcome,
            cause=rf"interrupted by {signal}.*v1\.4\.0 is already pushed",
            fix=r"re-run the same command",
        )
        again = scenario.releasekit(repo.root, *release_args(index), env=env, timeout=300)
        scenario.finished(again)
    scenario.released(repo, "1.4.0", index_dir=index.directory, github=github)


@pytest.mark.parametrize("signal", ["SIGINT", "SIGTERM"])
def test_signal_while_the_push_waits_on_the_server(
    scenario: Scenario, repo: Repo, signal: str, tmp_path: Path
) -> None:
    """The remote has taken the refs and still runs its post-receive hook when Ctrl-C (or a
    CI cancel) reaches releasekit and git: git reports a failure, but the release is public.
    Undoing the local commit and tag then would strand it; it must be finished instead."""
    marker = tmp_path / "refs-updated"
    install_hook(repo.remote, "post-receive", f'touch "{marker}"\nsleep 10\n')
    spec = {"signal": signal, "when_file": str(marker)}
    argv = ["release", "--part", "minor", "--yes"]

    outcome = scenario.inject(repo.root, spec, *argv)

    assert repo.ref("refs/tags/v1.4.0", remote=True) is not None  # the remote took it
    scenario.refused(outcome, cause=r"v1\.4\.0 is already pushed", fix=r"re-run the same command")
    (repo.remote / "hooks" / "post-receive").unlink()
    scenario.finished(scenario.releasekit(repo.root, *argv))
    scenario.released(repo, "1.4.0")


@pytest.mark.parametrize(
    ("signal", "step", "delay"),
    [
        pytest.param("SIGINT", 7, 1.0, id="ctrl-c-during-the-build"),
        pytest.param("SIGTERM", 8, 0.2, id="sigterm-during-the-upload-check"),
    ],
)
def test_signal_to_the_process_group_during_a_public_step(
    scenario: Scenario,
    repo: Repo,
    index: LocalIndex,
    github: GitHubStandIn,
    signal: str,
    step: int,
    delay: float,
) -> None:
    """The tool running the step (build, twine) dies with releasekit's own Ctrl-C: the
    message must say it was interrupted, not blame the project, and a re-run finishes."""
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    spec = {"signal": signal, "during_step": step, "delay": delay}

    outcome = scenario.inject(repo.root, spec, *release_args(index), env=env, timeout=300)

    scenario.refused(
        outcome,
        cause=rf"interrupted by {signal}.*v1\.4\.0 is already pushed",
        fix=r"re-run the same command",
    )
    again = scenario.releasekit(repo.root, *release_args(index), env=env, timeout=300)
    scenario.finished(again)
    scenario.released(repo, "1.4.0", index_dir=index.directory, github=github)


def test_ctrl_c_while_twine_uploads(
    scenario: Scenario, repo: Repo, index: LocalIndex, github: GitHubStandIn, tmp_path: Path
) -> None:
    """Ctrl-C reaches twine in the middle of its upload (the index holds the request)."""
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    marker = tmp_path / "upload-arrived"
    with IndexProxy(index.url, ["stall"]) as proxy:
        proxy.marker = marker
        args = ["release", "--part", "minor", "--yes", "--publish", "--repository", proxy.url]
        spec = {"signal": "SIGINT", "when_file": str(marker)}
        outcome = scenario.inject(repo.root, spec, *args, env=env, timeout=300)
        scenario.refused(
            outcome,
            cause=r"interrupted by SIGINT.*v1\.4\.0 is already pushed",
            fix=r"re-run the same command",
        )
        # The index still stores what the killed twine had sent; the user re-runs after that.
        assert proxy.stalled_done.wait(30)
        again = scenario.releasekit(repo.root, *args, env=env, timeout=300)
    scenario.finished(again)
    scenario.released(repo, "1.4.0", index_dir=index.directory, github=github)
