"""Protected branches: `--via-pr` commits the release on release/vX, pushes that branch alone
and opens a pull request; `--finish` tags the merged commit. Real repositories with a bare
remote (named github.com through insteadOf), the GitHub stand-in for the REST API, squash
merges made on the bare remote with `git commit-tree`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SampleRepo
from support.github_api import GitHubStandIn
from support.github_pulls import merge
from test_conventional import auto_repo, commit
from test_release import (
    assert_as_before,
    assert_ok,
    assert_one_error,
    file_text,
    local_ref,
    project_version,
    release,
    remote_ref,
    section,
    snapshot,
)

from releasekit.demo import sample

BRANCH = "release/v1.4.0"


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(owner="o", repo="r") as standin:
        monkeypatch.setenv("GITHUB_TOKEN", standin.token)
        monkeypatch.setenv("GITHUB_API_URL", standin.api_url)
        yield standin


def on_github(repo: SampleRepo, gh: GitHubStandIn) -> SampleRepo:
    """github.com/o/r in the remote URL; git really talks to the bare repository."""
    url = "https://github.com/o/r.git"
    repo.git("remote", "set-url", "origin", url)
    repo.git("config", f"url.{repo.remote}.insteadOf", url)
    gh.git_remote = repo.remote
    return repo


@pytest.fixture
def team(tmp_path: Path, gh: GitHubStandIn) -> SampleRepo:
    """1.3.0 released; since then a feat and a fix, pushed to main."""
    repo = on_github(auto_repo(tmp_path), gh)
    commit(repo, "feat(cli): add a --loud flag", "fix: no crash on an empty name")
    return repo


def squash_merge(repo: SampleRepo, branch: str, message: str) -> str:
    """What GitHub's squash merge does, on the bare remote: the branch's tree as one new
    commit on main; the maintainer then pulls."""
    tree = sample.git(repo.remote, "rev-parse", f"refs/heads/{branch}^{{tree}}").strip()
    main = sample.git(repo.remote, "rev-parse", "refs/heads/main").strip()
    squashed = sample.git(repo.remote, "commit-tree", tree, "-p", main, "-m", message).strip()
    sample.git(repo.remote, "update-ref", "refs/heads/main", squashed, main)
    repo.git("pull", "--quiet", "--ff-only", "origin", "main")
    return squashed


# -- --via-pr --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "config"])
def test_via_pr_opens_one_pull_request_and_leaves_main_and_the_tree_alone(
    tmp_path: Path, gh: GitHubStandIn, how: str
) -> None:
    table = 'flow = "pull-request"\n' if how == "config" else ""
    repo = on_github(auto_repo(tmp_path, table=table), gh)
    commit(repo, "feat(cli): add a --loud flag", "fix: no crash on an empty name")
    before = snapshot(repo)
    remote_main = remote_ref(repo, "refs/heads/main")
    args = ("--part", "auto", "--yes", *(["--via-pr"] if how == "flag" else []))
    result = release(repo, *args)
    assert_ok(result)
    assert "waits in its pull request" in result.stdout
    # main, the tags and the work tree are as they were; only the new branch exists.
    assert remote_ref(repo, "refs/heads/main") == remote_main
    assert remote_ref(repo, "refs/tags/v1.4.0") is None
    assert local_ref(repo, "refs/tags/v1.4.0") is None
    assert before.diff(repo.state()) == ["local_refs changed", "remote_refs changed"]
    pushed = remote_ref(repo, f"refs/heads/{BRANCH}")
    assert pushed is not None and local_ref(repo, f"refs/heads/{BRANCH}") == pushed
    assert sample.git(repo.remote, "rev-parse", f"{pushed}~1").strip() == remote_main
    released = sample.git(repo.remote, "show", f"{pushed}:CHANGELOG.md")
    assert section(released, "1.4.0") == (
        "### Added\n\n- **cli:** add a --loud flag\n\n### Fixed\n\n- no crash on an empty name"
    )
    assert 'version = "1.4.0"' in sample.git(repo.remote, "show", f"{pushed}:pyproject.toml")
    # One pull request release/v1.4.0 -> main: the commit message as title, the notes as body.
    assert len(gh.pulls) == 1
    pull = gh.pulls[1]
    assert (pull["head"]["ref"], pull["base"]["ref"], pull["state"]) == (BRANCH, "main", "open")
    assert pull["title"] == "chore(release): Bump version to v1.4.0"
    assert pull["body"] == section(released, "1.4.0")
    assert f"pull request #1 {BRANCH} -> main opened: {pull['html_url']}" in result.stdout


def test_running_again_while_it_is_open_says_so_and_exits_0(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    assert_ok(release(team, "--part", "auto", "--via-pr", "--yes"))
    before = snapshot(team)
    posts = len(gh.requests_to("POST", r"/repos/o/r/pulls"))
    again = release(team, "--part", "auto", "--via-pr", "--yes")
    assert_ok(again)
    assert f"the pull request #1 {BRANCH} -> main is open: https://github.com/o/r/pull/1" in (
        again.stdout
    )
    assert "Nothing to do." in again.stdout
    assert len(gh.requests_to("POST", r"/repos/o/r/pulls")) == posts
    assert len(gh.pulls) == 1
    assert_as_before(before, team)


def test_a_refused_push_undoes_the_branch_and_opens_nothing(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    hook = team.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'release branches are made by the bot' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(team)
    result = release(team, "--part", "auto", "--via-pr", "--yes")
    line = assert_one_error(result, "origin refused the push", "run the same command again")
    assert "release branches are made by the bot" in line
    assert f"removed branch {BRANCH}" in line
    assert_as_before(before, team)
    assert gh.pulls == {}


def test_a_failed_pull_request_is_opened_by_running_again(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    gh.override("POST", r"/repos/o/r/pulls", 502, {"message": "Bad Gateway"}, times=1)
    failed = release(team, "--part", "auto", "--via-pr", "--yes")
    assert failed.returncode == 1
    assert "GitHub failed POST /repos/o/r/pulls (502" in failed.stderr
    assert "re-run the same command" in failed.stderr
    assert remote_ref(team, f"refs/heads/{BRANCH}") is not None  # pushed: kept
    assert gh.pulls == {}
    again = release(team, "--part", "auto", "--via-pr", "--yes")
    assert_ok(again)
    assert f"{BRANCH} is on origin already" in again.stdout
    assert len(gh.pulls) == 1 and gh.pulls[1]["head"]["ref"] == BRANCH


def test_without_a_token_the_pull_request_flow_is_refused_before_anything(
    team: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    before = snapshot(team)
    assert_one_error(
        release(team, "--part", "auto", "--via-pr", "--yes"), "no GitHub token", "GITHUB_TOKEN"
    )
    assert_as_before(before, team)


def test_a_stale_release_branch_on_the_remote_is_refused(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    team.git("push", "--quiet", "origin", f"HEAD~1:refs/heads/{BRANCH}")
    before = snapshot(team)
    assert_one_error(
        release(team, "--part", "auto", "--via-pr", "--yes"),
        f"branch {BRANCH} already exists on origin",
        f"git push origin --delete {BRANCH}",
    )
    assert_as_before(before, team)
    assert gh.pulls == {}


def test_dry_run_shows_the_branch_commit_with_its_diff(team: SampleRepo) -> None:
    before = snapshot(team)
    result = release(team, "--part", "auto", "--via-pr", "--dry-run")
    assert_ok(result)
    assert f"on a new branch {BRANCH}" in result.stdout
    assert f"git push --atomic origin refs/heads/{BRANCH}" in result.stdout
    assert f"open the pull request {BRANCH} -> main on GitHub" in result.stdout
    assert '+version = "1.4.0"' in result.stdout
    assert_as_before(before, team)


def test_a_duplicate_head_is_answered_422_and_converges_on_the_open_one(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    from releasekit.core.plan import PullRequest
    from releasekit.github.api import GitHubAPIError, GitHubClient, Repo
    from releasekit.github.pulls import open_pull

    team.git("push", "--quiet", "origin", f"HEAD:refs/heads/{BRANCH}")
    client = GitHubClient(Repo("o", "r"), gh.token, api_url=gh.api_url)
    step = PullRequest(BRANCH, "main", "Release v1.4.0", "notes")
    assert open_pull(client, step)[0] == "opened"
    with pytest.raises(GitHubAPIError) as raised:
        client.request(
            "POST", "/repos/o/r/pulls", body={"title": "t", "head": BRANCH, "base": "main"}
        )
    assert raised.value.status == 422 and "A pull request already exists for o:" in str(
        raised.value
    )
    action, pull = open_pull(client, step)
    assert (action, pull.number, len(gh.pulls)) == ("already open", 1, 1)


# -- --finish --------------------------------------------------------------------------------


def test_finish_after_a_squash_merge_tags_the_merged_commit_and_releases(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    assert_ok(release(team, "--part", "auto", "--via-pr", "--yes"))
    squashed = squash_merge(team, BRANCH, "chore(release): Bump version to v1.4.0 (#1)")
    merge(gh, 1)
    assert project_version(team) == "1.4.0"
    result = release(team, "--finish", "--yes")
    assert_ok(result)
    assert remote_ref(team, "refs/tags/v1.4.0^{commit}") == squashed
    assert remote_ref(team, "refs/heads/main") == squashed
    assert team.git("cat-file", "-t", "v1.4.0").strip() == "tag"
    notes = section(file_text(team, "CHANGELOG.md"), "1.4.0")
    assert notes in team.git("tag", "-l", "--format=%(contents)", "v1.4.0")
    (made,) = gh.releases.values()
    assert (made["tag_name"], made["body"], made["prerelease"]) == ("v1.4.0", notes, False)
    # Again: nothing to finish, nothing sent, nothing changed.
    before = snapshot(team)
    sent = len(gh.requests)
    again = release(team, "--finish", "--yes")
    assert_ok(again)
    assert "v1.4.0 is tagged in origin already: nothing to finish" in again.stdout
    assert len(gh.requests) == sent and len(gh.releases) == 1
    assert_as_before(before, team)


def test_finish_on_an_ordinary_commit_has_nothing_to_do(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    """A push to main after the release: the version its files carry is tagged already."""
    before = snapshot(team)
    result = release(team, "--finish", "--yes")
    assert_ok(result)
    assert "v1.3.0 is tagged in origin already: nothing to finish" in result.stdout
    assert gh.releases == {}
    assert_as_before(before, team)


def test_finish_behind_the_remote_is_refused_with_nothing_changed(
    team: SampleRepo, gh: GitHubStandIn
) -> None:
    assert_ok(release(team, "--part", "auto", "--via-pr", "--yes"))
    squash_merge(team, BRANCH, "Release v1.4.0 (#1)")
    team.git("reset", "--quiet", "--hard", "HEAD~1")  # back before the merge
    files = ("pyproject.toml", "src/sample_pkg/__init__.py", "CHANGELOG.md")
    team.git("checkout", "--quiet", "origin/main", "--", *files)
    team.git("commit", "--quiet", "-m", "the same release, made here only")
    before = snapshot(team)
    assert_one_error(
        release(team, "--finish", "--yes"),
        "HEAD is not origin/main",
        "git pull origin main",
    )
    assert_as_before(before, team)
    assert gh.releases == {}
