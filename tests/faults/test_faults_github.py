"""GitHub's API refusing (401, 422) during `releasekit github-release` and as the last step
of a release, against a stand-in API on 127.0.0.1 and a remote that names github.com while
git really talks to a local bare repository."""

from __future__ import annotations

import pytest
from support.github_api import GitHubStandIn, fake_token

from faults.faultkit import Scenario, tool
from faults.worlds import Repo, on_github, world


@pytest.fixture
def gh_repo(repo: Repo) -> Repo:
    on_github(repo)
    return repo


def test_github_release_with_a_rejected_token_then_rerun(
    scenario: Scenario, gh_repo: Repo, github: GitHubStandIn
) -> None:
    wrong = scenario.secret(fake_token())
    before = world(gh_repo)
    env = scenario.env(GITHUB_API_URL=github.api_url, GITHUB_TOKEN=wrong)
    outcome = scenario.releasekit(gh_repo.root, "github-release", env=env)
    scenario.refused(outcome, cause=r"GitHub rejected the token \(401", fix=r"new token")
    assert github.releases == {}
    scenario.unchanged(before, world(gh_repo))

    again = scenario.releasekit(
        gh_repo.root, "github-release", env=scenario.env(GITHUB_API_URL=github.api_url)
    )
    scenario.finished(again)
    assert [r["tag_name"] for r in github.releases.values()] == ["v1.3.0"]


def test_github_release_refused_with_422_then_rerun(
    scenario: Scenario, gh_repo: Repo, github: GitHubStandIn
) -> None:
    github.override("POST", r"/repos/o/r/releases", 422)
    before = world(gh_repo)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    outcome = scenario.invoke(gh_repo.root, "github-release", env=env)
    scenario.refused(outcome, cause=r"GitHub refused POST .*422 Validation Failed", fix=r"correct")
    assert github.releases == {}
    scenario.unchanged(before, world(gh_repo))

    github.overrides.clear()
    scenario.finished(scenario.invoke(gh_repo.root, "github-release", env=env))
    assert [r["tag_name"] for r in github.releases.values()] == ["v1.3.0"]


@pytest.mark.parametrize("status", [401, 422])
def test_github_failing_as_the_last_step_of_a_release_is_finished_by_a_rerun(
    scenario: Scenario, gh_repo: Repo, github: GitHubStandIn, status: int
) -> None:
    """Past the push: the error says so, and the same command finishes the release."""
    if status == 401:
        env = scenario.env(
            GITHUB_API_URL=github.api_url, GITHUB_TOKEN=scenario.secret(fake_token())
        )
    else:
        github.override("POST", r"/repos/o/r/releases", 422)
        env = scenario.env(GITHUB_API_URL=github.api_url)
    argv = [tool("releasekit"), "release", "--part", "minor", "--yes"]

    outcome = scenario.run(argv, cwd=gh_repo.root, env=env)

    scenario.refused(
        outcome,
        cause=rf"GitHub release v1\.4\.0 failed: .*\({status}.*v1\.4\.0 is already pushed",
        fix=r"re-run the same command",
    )
    assert github.releases == {}
    assert gh_repo.ref("refs/tags/v1.4.0", remote=True) is not None

    github.overrides.clear()
    again = scenario.run(argv, cwd=gh_repo.root, env=scenario.env(GITHUB_API_URL=github.api_url))
    scenario.finished(again)
    scenario.released(gh_repo, "1.4.0", github=github)


def test_github_echoing_the_token_is_masked(
    scenario: Scenario, gh_repo: Repo, github: GitHubStandIn, canaries: tuple[str, str]
) -> None:
    said = {"message": f"Bad credentials: token {canaries[1]} was revoked"}
    github.override("GET", r"/repos/o/r/releases/tags/.*", 401, said)
    env = scenario.env(GITHUB_API_URL=github.api_url)
    before = world(gh_repo)
    outcome = scenario.releasekit(gh_repo.root, "github-release", env=env)
    line = scenario.refused(outcome, cause=r"GitHub rejected the token \(401", fix=r"new token")
    assert "********" in line, line
    assert github.releases == {}
    scenario.unchanged(before, world(gh_repo))
