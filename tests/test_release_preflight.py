"""What a release checks before its first write for the steps after the push, and the two
rules that keep a remote and a repository in step: an atomic push, and no undo once the
remote has the release.

Each refusal is checked on the whole world a user could lose: the repository (files, HEAD,
index, local and remote refs) and the package index's files, exactly as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from conftest import SampleRepo
from support.repostate import RepoState
from support.servers import closed_port
from support.tokens import mint

from releasekit.core import release
from releasekit.core.plan import GitHubRelease, Options, Plan, Push, Step, WriteFile
from releasekit.demo.localindex import LocalIndex
from releasekit.errors import GitError, PreflightError, ReleaseError
from releasekit.publishing.after_push import plan_public_steps
from releasekit.system.git import Git

BIN = Path(sys.executable).parent
PROJECT = "sample-pkg"
SCOPED = [[1, [PROJECT]], [2, [str(uuid.uuid4())]]]
DATE = "2026-11-26"


@pytest.fixture(scope="module")
def token() -> str:
    return mint("pypi.org", SCOPED)


@pytest.fixture
def index(tmp_path: Path, token: str) -> Iterator[LocalIndex]:
    with LocalIndex(tmp_path / "packages", token=token) as running:
        yield running


def index_files(index: LocalIndex) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(index.directory.iterdir()) if p.is_file()}


def front(
    repo: SampleRepo, name: str, *args: str, env: Mapping[str, str | None] = {}
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run(
        [str(BIN / name), "release", *args],
        cwd=repo.root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def refused(
    result: subprocess.CompletedProcess[str], cause: str, fix: str, *, started: bool = False
) -> str:
    """One error line naming cause and fix; unless `started`, no step was even begun."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("releasekit: error: "), result.stderr
    assert cause in lines[0], result.stderr
    assert fix in lines[0], result.stderr
    if not started:
        assert not any(line.startswith("- ") for line in result.stdout.splitlines()), result.stdout
    return lines[0]


def snapshot(repo: SampleRepo) -> RepoState:
    repo.git("status", "--porcelain")  # refresh git's stat cache: only real changes count
    return repo.state()


# -- `release --publish`: the index and the token are checked before the tag ------------------


@pytest.mark.parametrize("name", ["releasekit", "invoke"])
def test_a_version_already_on_the_index_is_refused_before_any_write(
    repo: SampleRepo, index: LocalIndex, token: str, name: str
) -> None:
    (index.directory / "sample_pkg-1.4.0.tar.gz").write_bytes(b"uploaded by someone else\n")
    before, files = snapshot(repo), index_files(index)
    args = ["--part", "minor", "--yes", "--publish", "--repository", index.url]

    result = front(repo, name, *args, env={"PYPI_TOKEN": token})

    refused(result, "sample-pkg 1.4.0 is already on", "choose the next version")
    assert "sample_pkg-1.4.0.tar.gz" in result.stderr
    assert repo.state().diff(before) == []
    assert index_files(index) == files


NOW = int(time.time())


@pytest.mark.parametrize(
    ("location", "caveats", "target", "cause", "fix"),
    [
        pytest.param(
            "pypi.org",
            [[1, ["another-project"]]],
            "local",
            "only works for another-project, not for sample-pkg",
            "token scoped to sample-pkg",
            id="other-project",
        ),
        pytest.param(
            "pypi.org",
            [*SCOPED, [0, NOW - 3600, NOW - 7200]],
            "local",
            "token expired on",
            "create a new token",
            id="expired",
        ),
        pytest.param(
            "test.pypi.org",
            SCOPED,
            "pypi",
            "made on test.pypi.org but the upload goes to pypi.org",
            "on pypi.org",
            id="made-for-another-index",
        ),
    ],
)
def test_a_token_bound_to_fail_is_refused_before_any_write(
    repo: SampleRepo,
    index: LocalIndex,
    location: str,
    caveats: list[object],
    target: str,
    cause: str,
    fix: str,
) -> None:
    """Read offline: PyPI itself is behind a dead proxy here, the local index gets no upload."""
    bad = mint(location, caveats)
    dead = f"http://127.0.0.1:{closed_port()}"
    offline = {"HTTPS_PROXY": dead, "https_proxy": dead, "NO_PROXY": "127.0.0.1"}
    before, files = snapshot(repo), index_files(index)
    repository = index.url if target == "local" else target
    args = ["--part", "minor", "--yes", "--publish", "--repository", repository]

    result = front(repo, "releasekit", *args, env={"PYPI_TOKEN": bad, **offline})

    line = refused(result, cause, fix)
    assert bad not in line
    assert repo.state().diff(before) == []
    assert index_files(index) == files


def test_an_index_that_is_down_is_refused_before_any_write(repo: SampleRepo, token: str) -> None:
    before = snapshot(repo)
    url = f"http://127.0.0.1:{closed_port()}/"
    args = ["--part", "minor", "--yes", "--publish", "--repository", url]

    result = front(repo, "invoke", *args, env={"PYPI_TOKEN": token})

    refused(result, f"cannot reach the index at {url}", "is the index running")
    assert repo.state().diff(before) == []


# -- a GitHub release without a token ----------------------------------------------------------


def test_a_github_release_asked_for_without_a_token_is_refused_before_any_write(
    repo: SampleRepo,
) -> None:
    """Options(github_release=True): the core API's explicit request (the fronts' flag is
    on by default and cannot say "explicitly": see the next test)."""
    before = snapshot(repo)
    options = Options(part="minor", github_release=True)
    plan = release.plan_release(repo.root, options, date=DATE, environ={}, public=plan_public_steps)
    assert any("no GitHub token for the GitHub release" in str(p) for p in plan.problems)
    with pytest.raises(PreflightError, match="no GitHub token for the GitHub release"):
        release.release_plan(repo.root, plan, report=lambda line: None)
    assert repo.state().diff(before) == []


def test_a_github_remote_without_a_token_leaves_the_github_release_out_and_says_so(
    repo: SampleRepo,
) -> None:
    url = "https://github.com/o/r.git"
    repo.git("remote", "set-url", "origin", url)
    repo.git("config", f"url.{repo.remote}.insteadOf", url)
    result = front(repo, "releasekit", "--part", "minor", "--yes")
    assert result.returncode == 0, result.stderr
    assert "no GITHUB_TOKEN or GH_TOKEN: the GitHub release is left out" in result.stdout
    assert "github-release --tag v1.4.0" in result.stdout


# -- the push is atomic --------------------------------------------------------------------------


def test_a_remote_refusing_only_the_tag_gets_neither_ref(repo: SampleRepo) -> None:
    """The remote takes the branch and refuses the tag: with an atomic push it takes neither,
    so undoing the local commit and tag leaves both sides as they were."""
    hook = repo.remote / "hooks" / "update"
    hook.write_text(
        '#!/bin/sh\ncase "$1" in refs/tags/*) echo "release tags are frozen" >&2; exit 1;; esac\n'
    )
    hook.chmod(0o755)
    before = snapshot(repo)

    result = front(repo, "releasekit", "--part", "minor", "--yes")

    line = refused(result, "origin refused the push", "run the same command again", started=True)
    assert "undone" in line
    assert repo.state().diff(before) == []


# -- no undo once the remote has the release -------------------------------------------------------


def later_step(notes: str = "") -> release.PlanPublic:
    """A public step after the push (a GitHub release), planned without GitHub."""

    def public(*args: object, **kwargs: object) -> tuple[list[Step], list[ReleaseError], list[str]]:
        return [GitHubRelease("v1.4.0", notes, False)], [], []

    return public


def released(repo: SampleRepo, plan: Plan) -> None:
    """The release commit and tag exist here and on the remote, the files say 1.4.0."""
    git = Git(repo.root)
    head = git.head()
    assert repo.git("log", "-1", "--pretty=%s").strip() == "chore(release): Bump version to v1.4.0"
    assert git.ref("refs/tags/v1.4.0") == head
    remote = Git(repo.remote)
    assert remote.ref("refs/heads/main") == head
    assert remote.ref("refs/tags/v1.4.0") == head
    writes = [step for step in plan.steps if isinstance(step, WriteFile)]
    assert writes
    for step in writes:
        assert (repo.root / step.path).read_bytes() == step.after
    assert repo.git("status", "--porcelain", "--untracked-files=no").strip() == ""


def test_a_failure_after_the_push_undoes_nothing(repo: SampleRepo) -> None:
    plan = release.plan_release(
        repo.root, Options(part="minor"), date=DATE, environ={}, public=later_step()
    )
    assert isinstance(plan.steps[-2], Push)

    def failing(step: Step) -> str | None:
        raise ReleaseError("GitHub is down", "try later")

    with pytest.raises(ReleaseError) as caught:
        release.release_plan(repo.root, plan, report=lambda line: None, run_step=failing)

    assert "v1.4.0 is already pushed" in str(caught.value)
    assert "re-run the same command" in str(caught.value)
    assert "undone" not in str(caught.value)
    released(repo, plan)


def test_a_push_that_failed_here_but_reached_the_remote_undoes_nothing(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection drops after the remote took every ref (or Ctrl-C hit git then)."""
    real_push = Git.push

    def push_then_drop(self: Git, remote: str, refspecs: object) -> None:
        real_push(self, remote, refspecs)  # type: ignore[arg-type]
        raise GitError("git push: the connection was reset", "check the network")

    monkeypatch.setattr(Git, "push", push_then_drop)
    plan = release.plan_release(repo.root, Options(part="minor"), date=DATE, environ={})

    with pytest.raises(ReleaseError) as caught:
        release.release_plan(repo.root, plan, report=lambda line: None)

    assert "origin took every ref" in str(caught.value)
    assert "re-run the same command" in str(caught.value)
    released(repo, plan)


def test_a_push_that_failed_and_did_not_reach_the_remote_is_undone(
    repo: SampleRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side of the same rule: nothing reached the remote, so all is undone."""

    def dropped(self: Git, remote: str, refspecs: object) -> None:
        raise GitError("git push: the connection was reset", "check the network")

    monkeypatch.setattr(Git, "push", dropped)
    before = snapshot(repo)
    plan = release.plan_release(repo.root, Options(part="minor"), date=DATE, environ={})

    with pytest.raises(ReleaseError, match=r"undone: .*removed tag v1\.4\.0"):
        release.release_plan(repo.root, plan, report=lambda line: None)
    assert snapshot(repo).diff(before) == []
