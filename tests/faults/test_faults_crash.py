"""SIGKILL at every step boundary and inside slow steps (a slow git hook, a slow push, a
slow build, a slow upload): nothing can run on the way out, so the journal in .git is all
that is left. The next run of the same command must end with the release done (one
CHANGELOG section, the tag on the remote, a clean tree); `releasekit recover --rollback`
after a kill before the push must leave the repository and its remote exactly as before.

Each scenario counts in the suite's figure line as a crash and, once its checks pass, as
recovered.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.github_api import GitHubStandIn

from faults.faultkit import Outcome, Scenario
from faults.faultnet import IndexProxy
from faults.worlds import Repo, install_hook, on_github, world
from releasekit.demo.localindex import LocalIndex

PUBLISH_STEPS = 9  # 3 files, commit, tag, push, build, upload, GitHub release
PLAIN = ["release", "--part", "minor", "--yes"]  # 3 files, commit, tag, push
PUSH = 6
JOURNAL = Path(".git") / "releasekit-journal.json"


def publish_args(index_url: str) -> list[str]:
    return [*PLAIN, "--publish", "--repository", index_url]


def completed(scenario: Scenario, repo: Repo, again: Outcome, **where: object) -> None:
    """The run after the crash said what it recovered and left the release complete."""
    scenario.finished(again)
    assert "was interrupted during" in again.stdout, scenario.shown(again.output)
    scenario.released(repo, "1.4.0", **where)  # type: ignore[arg-type]
    changelog = (repo.root / "CHANGELOG.md").read_text()
    assert changelog.count("## [1.4.0]") == 1, changelog
    assert not (repo.root / JOURNAL).exists()
    scenario.recovered()


def slow_once(marker: Path, seconds: int = 60) -> str:
    """A hook body that is slow the first time only (the re-run must not wait again)."""
    return f'if [ ! -e "{marker}" ]; then touch "{marker}"; sleep {seconds}; fi\n'


@pytest.mark.parametrize("step", range(1, PUBLISH_STEPS + 1), ids=lambda k: f"after-step-{k}")
def test_sigkill_at_each_step_of_a_full_release_then_the_same_command(
    scenario: Scenario, repo: Repo, index: LocalIndex, github: GitHubStandIn, step: int
) -> None:
    """Killed right after step k acted, before the journal recorded it done."""
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    spec = {"signal": "SIGKILL", "after_step": step}
    args = publish_args(index.url)

    scenario.crashed(scenario.inject(repo.root, spec, *args, env=env, timeout=300))
    again = scenario.releasekit(repo.root, *args, env=env, timeout=300)

    completed(scenario, repo, again, index_dir=index.directory, github=github)


@pytest.mark.parametrize("when", ["before_step", "after_record"])
@pytest.mark.parametrize("step", range(1, PUSH + 1), ids=lambda k: f"step-{k}")
def test_sigkill_between_journal_and_step_then_the_same_command(
    scenario: Scenario, repo: Repo, when: str, step: int
) -> None:
    """`before_step`: the journal says started, nothing is done; `after_record`: the
    journal says done, the next step has not started."""
    scenario.crashed(scenario.inject(repo.root, {"signal": "SIGKILL", when: step}, *PLAIN))
    completed(scenario, repo, scenario.releasekit(repo.root, *PLAIN))


@pytest.mark.parametrize("step", range(1, PUSH), ids=lambda k: f"after-step-{k}")
def test_recover_rollback_after_a_kill_before_the_push(
    scenario: Scenario, repo: Repo, step: int
) -> None:
    before = world(repo)
    scenario.crashed(scenario.inject(repo.root, {"signal": "SIGKILL", "after_step": step}, *PLAIN))
    assert (repo.root / JOURNAL).exists()

    shown = scenario.releasekit(repo.root, "recover")
    scenario.finished(shown)
    assert "A rollback would:" in shown.stdout and "not started" in shown.stdout, shown.stdout

    undone = scenario.releasekit(repo.root, "recover", "--rollback")
    scenario.finished(undone)
    assert "Rolled back" in undone.stdout, undone.stdout
    scenario.unchanged(before, world(repo))
    assert "Nothing to recover" in scenario.releasekit(repo.root, "recover").stdout
    scenario.recovered()


def test_after_the_push_rollback_is_refused_and_finish_completes(
    scenario: Scenario, repo: Repo
) -> None:
    scenario.crashed(scenario.inject(repo.root, {"signal": "SIGKILL", "after_step": PUSH}, *PLAIN))

    shown = scenario.releasekit(repo.root, "recover")
    assert "already pushed" in shown.stdout, shown.stdout
    refused = scenario.releasekit(repo.root, "recover", "--rollback")
    scenario.refused(refused, cause=r"v1\.4\.0 is public", fix=r"recover --finish")
    assert repo.ref("refs/tags/v1.4.0", remote=True) is not None

    finished = scenario.releasekit(repo.root, "recover", "--finish")
    completed(scenario, repo, finished)


def test_recover_finish_before_the_push_releases_the_same_version(
    scenario: Scenario, repo: Repo
) -> None:
    scenario.crashed(scenario.inject(repo.root, {"signal": "SIGKILL", "after_step": 4}, *PLAIN))
    completed(scenario, repo, scenario.releasekit(repo.root, "recover", "--finish"))


@pytest.mark.parametrize("then", ["same-command", "recover-rollback"])
def test_sigkill_inside_a_slow_pre_commit_hook(
    scenario: Scenario, repo: Repo, tmp_path: Path, then: str
) -> None:
    """The whole process group dies (git and its hook too), leaving git's index.lock."""
    before = world(repo)
    marker = tmp_path / "hook-started"
    install_hook(repo.root / ".git", "pre-commit", slow_once(marker))
    spec = {"signal": "SIGKILL", "when_file": str(marker)}

    scenario.crashed(scenario.inject(repo.root, spec, *PLAIN))
    assert (repo.root / ".git" / "index.lock").exists()

    if then == "same-command":
        again = scenario.releasekit(repo.root, *PLAIN)
        assert "index.lock" in again.stdout, again.stdout
        completed(scenario, repo, again)
        return
    undone = scenario.releasekit(repo.root, "recover", "--rollback")
    scenario.finished(undone)
    assert "removed" in undone.stdout and "index.lock" in undone.stdout, undone.stdout
    scenario.unchanged(before, world(repo))
    scenario.recovered()


@pytest.mark.parametrize("then", ["same-command", "recover-rollback"])
def test_sigkill_while_the_remote_runs_its_pre_receive_hook(
    scenario: Scenario, repo: Repo, tmp_path: Path, then: str
) -> None:
    """A slow push, killed before the remote took the refs: nothing is public yet."""
    before = world(repo)
    marker = tmp_path / "push-arrived"
    install_hook(repo.remote, "pre-receive", slow_once(marker))
    spec = {"signal": "SIGKILL", "when_file": str(marker)}

    scenario.crashed(scenario.inject(repo.root, spec, *PLAIN))
    assert repo.ref("refs/tags/v1.4.0", remote=True) is None

    if then == "same-command":
        completed(scenario, repo, scenario.releasekit(repo.root, *PLAIN))
        return
    scenario.finished(scenario.releasekit(repo.root, "recover", "--rollback"))
    scenario.unchanged(before, world(repo))
    scenario.recovered()


def test_sigkill_after_the_remote_took_the_refs(
    scenario: Scenario, repo: Repo, tmp_path: Path
) -> None:
    """Killed while the remote's post-receive hook runs: the release is public, never
    undone; the same command finishes it."""
    marker = tmp_path / "refs-updated"
    install_hook(repo.remote, "post-receive", slow_once(marker))
    spec = {"signal": "SIGKILL", "when_file": str(marker)}

    scenario.crashed(scenario.inject(repo.root, spec, *PLAIN))
    assert repo.ref("refs/tags/v1.4.0", remote=True) is not None

    again = scenario.releasekit(repo.root, *PLAIN)
    assert "already pushed" in again.stdout, again.stdout
    completed(scenario, repo, again)


def test_sigkill_during_the_build(
    scenario: Scenario, repo: Repo, index: LocalIndex, github: GitHubStandIn
) -> None:
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    spec = {"signal": "SIGKILL", "during_step": 7, "delay": 1.0}
    args = publish_args(index.url)

    scenario.crashed(scenario.inject(repo.root, spec, *args, env=env, timeout=300))
    again = scenario.releasekit(repo.root, *args, env=env, timeout=300)

    completed(scenario, repo, again, index_dir=index.directory, github=github)


def test_sigkill_during_the_upload(
    scenario: Scenario, repo: Repo, index: LocalIndex, github: GitHubStandIn, tmp_path: Path
) -> None:
    """twine is killed with releasekit while the index holds its request."""
    on_github(repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    marker = tmp_path / "upload-arrived"
    with IndexProxy(index.url, ["stall"]) as proxy:
        proxy.marker = marker
        spec = {"signal": "SIGKILL", "when_file": str(marker)}
        args = publish_args(proxy.url)
        scenario.crashed(scenario.inject(repo.root, spec, *args, env=env, timeout=300))
        assert proxy.stalled_done.wait(30)
        again = scenario.releasekit(repo.root, *args, env=env, timeout=300)
    completed(scenario, repo, again, index_dir=index.directory, github=github)


def test_a_git_still_running_keeps_its_index_lock(scenario: Scenario, repo: Repo) -> None:
    """A lock file is removed only when no git process works in the repository: while one
    does, the run refuses, names it and the command to remove it, and changes nothing."""
    scenario.crashed(scenario.inject(repo.root, {"signal": "SIGKILL", "after_step": 3}, *PLAIN))
    lock = repo.root / ".git" / "index.lock"
    lock.write_bytes(b"")
    crashed = world(repo)
    holder = subprocess.Popen(
        ["git", "hash-object", "--stdin"], cwd=repo.root, stdin=subprocess.PIPE, text=True
    )
    try:
        refused = scenario.releasekit(repo.root, *PLAIN)
        scenario.refused(
            refused, cause=rf"index\.lock is held by git \(pid {holder.pid}\)", fix="rm "
        )
        scenario.unchanged(crashed, world(repo))
    finally:
        holder.communicate("", timeout=30)

    again = scenario.releasekit(repo.root, *PLAIN)
    assert "removed" in again.stdout and "index.lock" in again.stdout, again.stdout
    completed(scenario, repo, again)


def test_a_dry_run_names_the_interrupted_release_and_changes_nothing(
    scenario: Scenario, repo: Repo
) -> None:
    scenario.crashed(scenario.inject(repo.root, {"signal": "SIGKILL", "after_step": 2}, *PLAIN))
    crashed = world(repo)

    dry = scenario.releasekit(repo.root, *PLAIN, "--dry-run")

    assert "a release of v1.4.0 was interrupted during" in dry.output, dry.output
    assert "without --dry-run recovers it first" in dry.output, dry.output
    scenario.unchanged(crashed, world(repo))
    completed(scenario, repo, scenario.releasekit(repo.root, *PLAIN))


def test_sigkill_during_bump_then_the_same_bump(scenario: Scenario, repo: Repo) -> None:
    """`bump` writes files only; killed after the first, the same bump ends with both."""
    before = world(repo)
    scenario.crashed(
        scenario.inject(
            repo.root, {"signal": "SIGKILL", "after_step": 1}, "bump", "--part", "minor"
        )
    )
    again = scenario.releasekit(repo.root, "bump", "--part", "minor")
    scenario.finished(again)
    assert "an edit of sample-pkg to 1.4.0 was interrupted" in again.stdout, again.stdout
    assert 'version = "1.4.0"' in (repo.root / "pyproject.toml").read_text()
    assert '__version__ = "1.4.0"' in (repo.root / "src/sample_pkg/__init__.py").read_text()
    assert not (repo.root / JOURNAL).exists()
    # The world: the two version files moved, and nothing else (HEAD, refs, remote, locks).
    changes = before.diff(world(repo))
    expected = ["file pyproject.toml changed", "file src/sample_pkg/__init__.py changed"]
    scenario.data_lost(change for change in changes if change not in expected)
    assert sorted(changes) == expected, changes
    scenario.recovered()
