"""Build and publish meeting broken backends, bad tokens and misbehaving indexes.

The uploads go to a real pypiserver on 127.0.0.1 (one per worker, emptied per scenario),
directly or through a proxy that fails on purpose. An upload is the point of no return:
after a partial upload, re-running the same command must finish it.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from support.servers import closed_port
from support.tokens import mint

from faults.faultkit import Outcome, Scenario, tool
from faults.faultnet import IndexProxy, SilentIndex
from faults.worlds import (
    PROJECT,
    SDIST,
    WHEEL,
    Repo,
    altered_sdist,
    copy_dist,
    make_repo,
    sha256,
    world,
)
from releasekit.demo.localindex import LocalIndex

SCOPED = [[1, [PROJECT]], [2, [str(uuid.uuid4())]]]


QUICK = 5  # upload-timeout of the scenarios whose index never answers


def ready_repo(base: Path, built: Path, tool_table: str = "") -> Repo:
    """The sample project with its verified dist/ (built once per worker), ready to publish."""
    repo = make_repo(base, tool_table=tool_table)
    copy_dist(built, repo.root)
    return repo


@pytest.fixture
def ready(tmp_path: Path, built: Path) -> Repo:
    return ready_repo(tmp_path, built)


@pytest.fixture
def impatient(tmp_path: Path, built: Path) -> Repo:
    """Ready, with [tool.releasekit] upload-timeout small enough to end a hang in seconds."""
    return ready_repo(tmp_path, built, f"upload-timeout = {QUICK}")


def publish(
    scenario: Scenario, repo: Repo, url: str, *, front: str = "releasekit", **env: str | None
) -> Outcome:
    """`releasekit publish` (or `invoke publish`) to `url`, with `env` changes."""
    argv = [tool(front), "publish", "--repository", url]
    return scenario.run(argv, cwd=repo.root, env=scenario.env(**env))


def published(scenario: Scenario, index: LocalIndex, repo: Repo) -> None:
    """(c) the world check of an upload that ended well: both files there, as in dist/."""
    problems = [
        f"{name} is not on the index, or differs from dist/"
        for name in (SDIST, WHEEL)
        if not (index.directory / name).is_file()
        or sha256(index.directory / name) != sha256(repo.root / "dist" / name)
    ]
    scenario.data_lost(problems)
    assert problems == [], problems


# -- build -----------------------------------------------------------------------------------


def test_build_backend_failure_is_reported_in_the_backends_words(
    scenario: Scenario, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, backend="broken")
    before = world(repo)
    outcome = scenario.invoke(repo.root, "build")
    scenario.refused(
        outcome, cause=r"building project failed: .*broken backend refuses", fix=r"fix the build"
    )
    scenario.unchanged(before, world(repo))


def test_twine_check_failure_names_the_missing_readme(scenario: Scenario, tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    pyproject = repo.root / "pyproject.toml"
    text = pyproject.read_text().replace('readme = "README.md"\n', "")
    # A missing readme is only a warning (PyPI accepts it) unless warnings are to block.
    pyproject.write_text(text + "\n[tool.releasekit]\nstrict-metadata = true\n")
    repo.git("commit", "--quiet", "-am", "No readme in the metadata")
    before = world(repo)

    outcome = scenario.releasekit(repo.root, "build")

    scenario.refused(outcome, cause=r"twine check --strict rejected", fix=r"set readme = ")
    changes = [c for c in before.diff(world(repo)) if not c.startswith("file dist/")]
    scenario.data_lost(changes)
    assert changes == []
    # What the failed build left in dist/ can never be uploaded:
    refused = scenario.releasekit(repo.root, "publish", "--repository", "http://127.0.0.1:9/")
    scenario.refused(refused, cause=r"twine check --strict rejected", fix=r"set readme = ")


# -- tokens ----------------------------------------------------------------------------------


def test_missing_token_without_a_tty_fails_fast(
    scenario: Scenario, ready: Repo, index: LocalIndex, tmp_path: Path
) -> None:
    before = world(ready, index.directory)
    outcome = publish(scenario, ready, index.url, PYPI_TOKEN=None, HOME=str(tmp_path))
    scenario.refused(outcome, cause=r"no credentials for http://127\.0\.0\.1", fix=r"PYPI_TOKEN")
    assert outcome.seconds < 30, f"took {outcome.seconds:.1f} s: waiting on a prompt?"
    scenario.unchanged(before, world(ready, index.directory))


def test_wrong_token_is_refused_by_the_index(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    wrong = scenario.secret(mint("pypi.org", SCOPED))
    before = world(ready, index.directory)
    outcome = publish(scenario, ready, index.url, front="invoke", PYPI_TOKEN=wrong)
    scenario.refused(outcome, cause=r"authentication failed .*403", fix=r"new project-scoped token")
    scenario.unchanged(before, world(ready, index.directory))


@pytest.mark.parametrize(
    ("location", "caveats", "cause", "fix"),
    [
        pytest.param(
            "test.pypi.org",
            SCOPED,
            r"made on test\.pypi\.org but the upload goes to pypi\.org",
            r"create a token in the account settings on pypi\.org",
            id="testpypi-token-for-pypi",
        ),
        pytest.param(
            "pypi.org",
            [[1, ["another-project"]]],
            r"only works for another-project, not for sample-pkg",
            r"token scoped to sample-pkg",
            id="token-for-another-project",
        ),
        pytest.param(
            "pypi.org",
            [*SCOPED, [0, int(time.time()) - 3600, int(time.time()) - 7200]],
            r"token expired on",
            r"create a new token",
            id="expired-token",
        ),
    ],
)
def test_token_bound_to_fail_is_refused_before_any_request(
    scenario: Scenario,
    ready: Repo,
    index: LocalIndex,
    location: str,
    caveats: list[object],
    cause: str,
    fix: str,
) -> None:
    """Read offline: no upload, no query. PyPI itself is behind a dead proxy here."""
    token = scenario.secret(mint(location, caveats))
    target = "pypi" if location == "test.pypi.org" else index.url
    before = world(ready, index.directory)
    env = scenario.offline_env(PYPI_TOKEN=token)
    outcome = scenario.releasekit(ready.root, "publish", "--repository", target, env=env)
    scenario.refused(outcome, cause=cause, fix=fix)
    scenario.unchanged(before, world(ready, index.directory))


# -- what the index already has ----------------------------------------------------------------


def test_same_file_with_other_content_on_the_index_is_refused(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    altered_sdist(ready.root / "dist" / SDIST, index.directory / SDIST)
    before = world(ready, index.directory)
    outcome = publish(scenario, ready, index.url)
    scenario.refused(
        outcome, cause=rf"{SDIST} already exists on .* with different content", fix=r"bump"
    )
    scenario.unchanged(before, world(ready, index.directory))  # the wheel was not sent either


def test_identical_files_already_there_is_nothing_to_do(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    scenario.finished(publish(scenario, ready, index.url, front="invoke"))
    published(scenario, index, ready)
    before = world(ready, index.directory)

    again = publish(scenario, ready, index.url, front="invoke")

    scenario.finished(again)
    assert again.stdout.count("already published") == 2, again.stdout
    assert "Nothing to upload" in again.stdout
    scenario.unchanged(before, world(ready, index.directory))


# -- an index that fails ---------------------------------------------------------------------


def test_index_down_is_named(scenario: Scenario, ready: Repo, index: LocalIndex) -> None:
    before = world(ready, index.directory)
    outcome = publish(scenario, ready, f"http://127.0.0.1:{closed_port()}/")
    scenario.refused(outcome, cause=r"cannot reach the index", fix=r"is the index running")
    scenario.unchanged(before, world(ready, index.directory))


def test_index_that_accepts_and_never_answers_ends_within_the_timeout(
    scenario: Scenario, impatient: Repo, index: LocalIndex
) -> None:
    before = world(impatient, index.directory)
    with SilentIndex() as silent:
        outcome = publish(scenario, impatient, silent.url)
    scenario.refused(outcome, cause=rf"did not answer within {QUICK} s", fix=r"re-run")
    assert outcome.seconds < QUICK + 20, f"took {outcome.seconds:.1f} s"
    scenario.unchanged(before, world(impatient, index.directory))


def test_upload_that_never_gets_an_answer_is_bounded_then_rerun(
    scenario: Scenario, impatient: Repo, index: LocalIndex
) -> None:
    """The index lists its files, then swallows the upload: twine alone would wait forever."""
    before = world(impatient, index.directory)
    with IndexProxy(index.url, default="hang") as proxy:
        outcome = publish(scenario, impatient, proxy.url)
        scenario.refused(outcome, cause=rf"did not answer within {QUICK} s", fix=r"re-run")
        assert outcome.seconds < QUICK + 20, f"took {outcome.seconds:.1f} s"
        scenario.unchanged(before, world(impatient, index.directory))

        proxy.default = "forward"
        scenario.finished(publish(scenario, impatient, proxy.url))
    published(scenario, index, impatient)


def test_index_answering_503_then_200_gets_the_files(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    """twine retries a 5xx answer itself: one run ends with both files on the index."""
    with IndexProxy(index.url, ["503", "503"]) as proxy:
        outcome = publish(scenario, ready, proxy.url)
    scenario.finished(outcome)
    assert proxy.posts[:3] == ["503", "503", "forward"], proxy.posts
    published(scenario, index, ready)


def test_index_failing_with_503_until_it_recovers_then_rerun(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    before = world(ready, index.directory)
    with IndexProxy(index.url, default="503") as proxy:
        outcome = publish(scenario, ready, proxy.url, front="invoke")
        scenario.refused(outcome, cause=r"failed with 503", fix=r"retry later")
        scenario.unchanged(before, world(ready, index.directory))

        proxy.default = "forward"
        scenario.finished(publish(scenario, ready, proxy.url, front="invoke"))
    published(scenario, index, ready)


def test_upload_cut_mid_file_is_finished_by_a_rerun(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    with IndexProxy(index.url, ["forward", "cut"]) as proxy:
        outcome = publish(scenario, ready, proxy.url)
        scenario.refused(outcome, cause=r"cannot reach the index|connection", fix=r"re-run")
        first = [name for name in (SDIST, WHEEL) if (index.directory / name).is_file()]
        assert len(first) == 1, first  # the first file went through, the second was cut

        again = publish(scenario, ready, proxy.url)
    scenario.finished(again)
    assert f"already published: {first[0]}" in again.stdout
    published(scenario, index, ready)


def test_nox_publish_cut_mid_file_is_finished_by_a_rerun(
    scenario: Scenario, tmp_path: Path, built: Path, index: LocalIndex
) -> None:
    """release.yml's path: `nox -s publish` installs this checkout and uploads dist/."""
    repo = make_repo(tmp_path, noxfile=True)
    copy_dist(built, repo.root)
    nox = [tool("nox"), "--nocolor", "--default-venv-backend", "uv"]
    with IndexProxy(index.url, ["cut"]) as proxy:
        args = ["-s", "publish", "--", "--repository", proxy.url]
        outcome = scenario.run([*nox, *args], cwd=repo.root, timeout=300)
        scenario.refused(outcome, cause=r"cannot reach the index|connection", fix=r"re-run")
        assert not any((index.directory / name).exists() for name in (SDIST, WHEEL))

        again = scenario.run([*nox, "-R", *args], cwd=repo.root, timeout=300)
    scenario.finished(again)
    published(scenario, index, repo)


# -- secrets in what a hostile index says ------------------------------------------------------


def test_index_echoing_the_credentials_is_masked_even_with_verbose(
    scenario: Scenario, ready: Repo, index: LocalIndex
) -> None:
    before = world(ready, index.directory)
    with IndexProxy(index.url, default="echo-auth") as proxy:
        outcome = scenario.releasekit(ready.root, "publish", "--verbose", "--repository", proxy.url)
    line = scenario.refused(outcome, cause=r"authentication failed", fix=r"token")
    assert "********" in line, line  # the index said the token back; the user sees a mask
    scenario.unchanged(before, world(ready, index.directory))
