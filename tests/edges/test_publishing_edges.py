"""The public half of a release, in process: what is planned before the push, what `build` and
`publish` hand on, what twine's failures read as, and what dist/ and the index checks refuse.

No real build or upload runs: dist/ holds files made by hand (their names are what is checked),
twine is a stand-in that answers as twine does, and the package index is a local HTTP server.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.publishing import (
    BUILD_FIRST,
    NETWORK_FIX,
    NOT_AN_INDEX_FIX,
    PROJECT,
    SDIST,
    VERSION,
    WHEEL,
    FakeTwine,
    dist_files,
    no_commits,
    plan_publishing,
    project_at,
)
from support.servers import Reply, Seen, Server, not_found
from support.tokens import mint

from releasekit.core.plan import Build, GitHubRelease, Options, Publish
from releasekit.core.snapshot import read_project
from releasekit.demo import sample
from releasekit.errors import BuildError, PublishError
from releasekit.publishing import after_push, dist, index, twine_child, upload
from releasekit.publishing.index import existing_files, resolve_repository
from releasekit.publishing.pypi_token import audit
from releasekit.publishing.verify import REBUILD, find

# -- the steps after the push, planned before the first write ------------------------------------


def index_page(files: dict[str, bytes]) -> Callable[[Seen], Reply]:
    def answer(seen: Seen) -> Reply:
        if seen.path != f"/simple/{PROJECT}/":
            return not_found(seen)
        anchors = "".join(
            f'<a href="/files/{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a>\n'
            for name, data in files.items()
        )
        return 200, {"Content-Type": "text/html"}, anchors.encode()

    return answer


def test_publishing_plans_build_then_upload_when_the_index_has_no_such_version(
    tmp_path: Path,
) -> None:
    project = read_project(project_at(tmp_path))
    with Server(index_page({})) as server:
        steps, problems, messages = plan_publishing(project, server.url)
    assert steps == [Build("1.4.0"), Publish(PROJECT, "1.4.0", server.url)]
    assert problems == []
    assert messages == []
    assert [seen.path for seen in server.seen] == [f"/simple/{PROJECT}/"]


def test_a_version_the_index_already_has_is_a_problem_before_the_push(tmp_path: Path) -> None:
    project = read_project(project_at(tmp_path))
    taken = "sample_pkg-1.4.0.tar.gz"
    with Server(index_page({taken: b"published"})) as server:
        steps, problems, _ = plan_publishing(project, server.url)
    assert steps == [Build("1.4.0"), Publish(PROJECT, "1.4.0", server.url)]
    assert [(p.cause, p.fix) for p in problems] == [
        (
            f"{PROJECT} 1.4.0 is already on {server.url} ({taken})",
            "a published version can never be reused: choose the next version",
        )
    ]


GITHUB_REMOTE = "https://github.com/o/r.git"


def test_a_github_remote_without_a_token_leaves_the_github_release_out_and_says_how_to_add_it(
    tmp_path: Path,
) -> None:
    project = read_project(project_at(tmp_path))
    steps, problems, messages = after_push.plan_public_steps(
        project, Options(), no_commits(GITHUB_REMOTE), "1.4.0", "v1.4.0", "notes", {}
    )
    assert steps == []
    assert problems == []
    assert len(messages) == 1
    assert messages[0].startswith("no GITHUB_TOKEN or GH_TOKEN: the GitHub release is left out")
    assert "releasekit github-release --tag v1.4.0" in messages[0]


@pytest.mark.parametrize(("version", "prerelease"), [("1.4.0", False), ("1.4.0rc1", True)])
def test_a_github_remote_with_a_token_plans_the_github_release_with_the_notes(
    tmp_path: Path, version: str, prerelease: bool
) -> None:
    project = read_project(project_at(tmp_path))
    notes = "### Added\n\n- A greeting that says hello.\n"
    steps, problems, messages = after_push.plan_public_steps(
        project,
        Options(),
        no_commits(GITHUB_REMOTE),
        version,
        f"v{version}",
        notes,
        {"GH_TOKEN": "a-token-value"},
    )
    assert steps == [GitHubRelease(f"v{version}", notes, prerelease)]
    assert problems == []
    assert messages == []


def test_a_remote_elsewhere_plans_no_github_release_and_says_nothing(tmp_path: Path) -> None:
    project = read_project(project_at(tmp_path))
    steps, problems, messages = after_push.plan_public_steps(
        project,
        Options(),
        no_commits("https://gitlab.com/o/r.git"),
        "1.4.0",
        "v1.4.0",
        "notes",
        {"GITHUB_TOKEN": "a-token-value"},
    )
    assert (steps, problems, messages) == ([], [], [])


# -- build and publish: the project, the version and the index they hand on -----------------------


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, dict[str, Any]]]:
    """Every call of dist.build (the real one runs a build backend for seconds)."""
    calls: list[tuple[Path, dict[str, Any]]] = []

    def fake(root: Path, **kwargs: Any) -> None:
        calls.append((root, kwargs))

    monkeypatch.setattr(dist, "build", fake)
    return calls


def test_build_builds_the_sdist_and_the_wheels_of_the_current_version_into_dist(
    tmp_path: Path, built: list[tuple[Path, dict[str, Any]]]
) -> None:
    root = project_at(tmp_path)
    after_push.build(root, environ={})
    [(folder, kwargs)] = built
    assert folder == root
    assert kwargs["outdir"] == root / "dist"
    assert kwargs["version"] == VERSION
    assert kwargs["sdist_only"] is False


def test_build_in_a_workspace_builds_the_member_whose_tag_ci_builds(
    tmp_path: Path, built: list[tuple[Path, dict[str, Any]]]
) -> None:
    root = tmp_path / "workspace"
    sample.write_project(root / "packages" / "alpha-kit", name="alpha-kit", version="1.3.0")
    sample.write_project(root / "packages" / "beta-lib", name="beta-lib", version="0.2.0")
    after_push.build(root, environ={"GITHUB_REF": "refs/tags/beta-lib-v0.2.0"})
    [(folder, kwargs)] = built
    assert folder == root / "packages" / "beta-lib"
    assert kwargs["outdir"] == root / "dist"  # a member is built into the root's dist/
    assert kwargs["version"] == "0.2.0"


@pytest.mark.parametrize(
    ("extra", "tag", "cause"),
    [
        ("", "v1.4.0", "tag v1.4.0 says 1.4.0 but the project's version is 1.3.0"),
        (
            '\n[tool.releasekit]\ntag-format = "release-{version}"\n',
            "v1.3.0",
            "tag v1.3.0 does not match the tag format release-{version}",
        ),
    ],
)
def test_verify_refuses_a_ci_tag_that_is_not_the_projects_release_tag(
    tmp_path: Path, extra: str, tag: str, cause: str
) -> None:
    root = project_at(tmp_path, extra)
    with pytest.raises(BuildError) as refused:
        after_push.verify(root, environ={"RELEASEKIT_TAG": tag})
    assert refused.value.cause == cause


@pytest.fixture
def uploads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """Every call of upload.publish (the real one runs twine against an index); no
    ~/.pypirc of the machine renames an index."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    calls: list[dict[str, Any]] = []

    def fake(files: tuple[Path, ...], **kwargs: Any) -> upload.PublishReport:
        calls.append({"files": files, **kwargs})
        return upload.PublishReport((), (), kwargs["repository"].upload_url)

    monkeypatch.setattr(upload, "publish", fake)
    return calls


def test_publish_uploads_a_checked_dist_without_running_twine_check_again(
    tmp_path: Path, uploads: list[dict[str, Any]], twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path)
    wheel, sdist = dist_files(root / "dist", WHEEL, SDIST)
    after_push.publish(root, environ={"RELEASEKIT_TAG": "v1.3.0"})
    assert twine_checks == []  # SHA256SUMS says the build's twine check passed
    [call] = uploads
    assert call["files"] == (wheel, sdist)
    assert (call["project"], call["version"]) == (PROJECT, VERSION)
    assert call["repository"] == resolve_repository("pypi")  # the default repository


def test_publish_runs_twine_check_on_a_dist_without_checksums(
    tmp_path: Path, uploads: list[dict[str, Any]], twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path)
    wheel, sdist = dist_files(root / "dist", WHEEL, SDIST, checksums=False)
    after_push.publish(root, environ={})
    assert twine_checks == [[wheel, sdist]]
    assert (root / "dist" / dist.CHECKSUMS).is_file()


def test_publish_goes_to_releasekit_repository_over_the_configured_one(
    tmp_path: Path, uploads: list[dict[str, Any]], twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path, '\n[tool.releasekit]\nrepository = "testpypi"\n')
    dist_files(root / "dist", WHEEL, SDIST)
    after_push.publish(root, environ={"RELEASEKIT_REPOSITORY": "http://127.0.0.1:9/"})
    after_push.publish(root, environ={})
    after_push.publish(root, repository="pypi", environ={"RELEASEKIT_REPOSITORY": "testpypi"})
    assert [call["repository"].upload_url for call in uploads] == [
        "http://127.0.0.1:9/",
        index.TESTPYPI_UPLOAD,
        index.PYPI_UPLOAD,
    ]


# -- uploads: what twine's failures read as --------------------------------------------------------


def failed_upload(tmp_path: Path, twine_says: str) -> tuple[upload.UploadError, str]:
    """The error `publish` raises when twine prints `twine_says` and fails, and the index's
    URL; the index (a local server) has no file of the release yet."""
    files = dist_files(tmp_path / "dist", WHEEL, SDIST, checksums=False)
    environ: dict[str, str] = {}
    env = upload.twine_env(upload.credentials_env(environ))
    twine = FakeTwine(twine_says, 1, env)
    with Server() as server, pytest.raises(upload.UploadError) as failed:
        upload.publish(
            files,
            project=PROJECT,
            version=VERSION,
            repository=resolve_repository(server.url),
            environ=environ,
            warm=twine,
        )
    assert len(twine.given) == 1
    assert twine.given[0][-2:] == [str(path) for path in files]
    return failed.value, server.url


def test_an_index_refusing_the_token_in_its_status_phrase_alone_shows_code_and_phrase(
    tmp_path: Path,
) -> None:
    said = (
        f"Uploading {WHEEL}\n"
        "ERROR    HTTPError: 403 Forbidden from http://127.0.0.1/\n"
        "         Forbidden\n"
    )
    error, where = failed_upload(tmp_path, said)
    assert error.cause == (
        f"authentication failed at {where} (token invalid, expired or wrong scope): 403 Forbidden"
    )
    assert error.fix == upload.AUTH_FIX


def test_an_unreachable_index_says_so_and_how_to_check(tmp_path: Path) -> None:
    said = (
        "ERROR    ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries "
        "exceeded (Caused by NewConnectionError('[Errno 111] Connection refused'))"
    )
    error, where = failed_upload(tmp_path, said)
    assert error.cause == f"cannot reach the index at {where} (Connection refused)"
    assert error.fix == NETWORK_FIX
    assert error.output == said


def test_twine_missing_says_to_install_it(tmp_path: Path) -> None:
    said = "/usr/bin/python: No module named twine"
    error, _ = failed_upload(tmp_path, said)
    assert (error.cause, error.fix) == ("twine is not installed", "pip install twine")
    assert error.output == said


def test_any_other_twine_failure_quotes_its_last_error_line(tmp_path: Path) -> None:
    said = (
        "Uploading distributions to http://127.0.0.1/\n"
        "ERROR    InvalidDistribution: Cannot find file (or expand pattern)\n"
        "WARNING  a warning in between\n"
        "ERROR    InvalidDistribution: Unknown distribution format: 'x.egg'\n"
    )
    error, where = failed_upload(tmp_path, said)
    assert error.cause == (
        f"twine could not upload to {where}: InvalidDistribution: "
        "Unknown distribution format: 'x.egg'"
    )
    assert error.fix == "re-run with --verbose"
    assert error.output == said.strip()


def test_publishing_a_file_that_is_not_there_says_to_build_first(tmp_path: Path) -> None:
    missing = tmp_path / "dist" / WHEEL
    with pytest.raises(PublishError) as refused:
        upload.publish(
            [missing],
            project=PROJECT,
            version=VERSION,
            repository=resolve_repository("http://127.0.0.1:9/"),
            environ={},
        )
    assert (refused.value.cause, refused.value.fix) == (f"{missing} does not exist", BUILD_FIRST)


def test_publishing_no_file_at_all_says_to_build_first() -> None:
    with pytest.raises(PublishError) as refused:
        upload.publish(
            [],
            project=PROJECT,
            version=VERSION,
            repository=resolve_repository("http://127.0.0.1:9/"),
            environ={},
        )
    assert (refused.value.cause, refused.value.fix) == ("there is nothing to publish", BUILD_FIRST)


# -- dist/: what verify and twine check refuse, and the fixes they name ----------------------------


def test_a_failed_build_keeps_the_backends_full_output_for_verbose(tmp_path: Path) -> None:
    said = "ERROR Backend subprocess exited when trying to invoke build_sdist"
    argv = [sys.executable, "-c", f"import sys; print('* Building sdist...'); sys.exit({said!r})"]
    with pytest.raises(dist.BuildToolError) as failed:
        dist._build(tmp_path, argv, {}, timeout=60)
    assert failed.value.cause == f"building {tmp_path.name} failed: {said.removeprefix('ERROR ')}"
    # the one-line error quotes the failing line; --verbose shows all the backend printed
    assert "* Building sdist..." in failed.value.output
    assert said in failed.value.output


def test_a_missing_pypa_build_says_to_install_it_and_keeps_what_python_said(
    tmp_path: Path,
) -> None:
    said = f"{sys.executable}: No module named build"
    argv = [sys.executable, "-c", f"import sys; sys.exit({said!r})"]
    with pytest.raises(dist.BuildToolError) as failed:
        dist._build(tmp_path, argv, {}, timeout=60)
    assert failed.value.cause == "pypa/build is not installed"
    assert failed.value.fix == f"{sys.executable} -m pip install build"
    assert failed.value.output.strip() == said


def test_twine_check_rejecting_a_file_keeps_twines_full_output(tmp_path: Path) -> None:
    files = dist_files(tmp_path / "dist", WHEEL, SDIST, checksums=False)
    said = (
        f"Checking {files[0]}: FAILED\n"
        "ERROR    `long_description` has syntax errors in markup and would not be rendered on "
        "PyPI.\n"
        f"Checking {files[1]}: PASSED\n"
    )
    with pytest.raises(dist.BuildToolError) as rejected:
        dist.twine_check(files, FakeTwine(said, 1), project=tmp_path)
    assert rejected.value.cause.startswith(f"twine check rejected {WHEEL}: `long_description`")
    assert rejected.value.output == said.strip()


def test_verify_words_twine_checks_warnings_for_the_projects_own_metadata_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "member"  # not dist/'s parent, as for a workspace member
    folder.mkdir()
    (folder / "setup.cfg").write_text("[metadata]\nlong_description = file: README.md\n")
    files = dist_files(tmp_path / "dist", WHEEL, SDIST, checksums=False)
    said = "".join(
        f"Checking {path}: PASSED with warnings\n"
        "WARNING  `long_description_content_type` missing. defaulting to `text/x-rst`.\n"
        for path in files
    )
    checked = dist.verify(
        tmp_path / "dist", version=VERSION, checker=FakeTwine(said, 0), project=folder
    )
    assert len(checked.warnings) == 2
    for warning in checked.warnings:
        assert "set long_description_content_type = text/markdown in setup.cfg" in warning


def test_an_unreadable_checksums_line_says_to_rebuild(tmp_path: Path) -> None:
    dist_files(tmp_path / "dist", WHEEL, SDIST)
    sums = tmp_path / "dist" / dist.CHECKSUMS
    sums.write_text(sums.read_text() + "not a checksum line\n")
    with pytest.raises(BuildError) as refused:
        dist.verify(tmp_path / "dist", version=VERSION, metadata=False)
    assert refused.value.cause == f"{sums} has an unreadable line: 'not a checksum line'"
    assert refused.value.fix == "rebuild"


def test_wheels_beside_an_sdist_only_build_are_named(tmp_path: Path) -> None:
    dist_files(tmp_path / "dist", WHEEL, SDIST)
    folder = tmp_path / "dist"
    with pytest.raises(BuildError) as refused:
        find(folder, version=VERSION, wheels=False)
    assert refused.value.cause == f"{folder} holds wheels ({WHEEL}) beside the sdist-only build"
    assert refused.value.fix == REBUILD.format(dir=folder)


# -- the index: its page, its size, and where .pypirc names it ------------------------------------


def test_an_index_page_that_is_not_a_simple_api_page_says_what_to_check() -> None:
    def answer(seen: Seen) -> Reply:
        return 200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, b"<html>no</html>"

    with Server(answer) as server:
        repo = resolve_repository(server.url)
        with pytest.raises(PublishError) as refused:
            existing_files(repo, PROJECT, VERSION, timeout=10)
    assert refused.value.cause == (
        f"the index at {server.url}simple/{PROJECT}/ sent a page that is not a simple API page"
    )
    assert refused.value.fix == NOT_AN_INDEX_FIX


@pytest.mark.parametrize("over", [0, 1])
def test_an_index_page_may_be_exactly_as_large_as_the_limit_and_no_larger(
    monkeypatch: pytest.MonkeyPatch, over: int
) -> None:
    limit = 4096
    monkeypatch.setattr(index, "MAX_PAGE_BYTES", limit)
    anchor = f'<a href="/files/{WHEEL}#sha256={"0" * 64}">{WHEEL}</a>'
    body = (anchor + " " * (limit + over - len(anchor))).encode()
    assert len(body) == limit + over

    def answer(seen: Seen) -> Reply:
        return 200, {"Content-Type": "text/html"}, body

    with Server(answer) as server:
        repo = resolve_repository(server.url)
        if over:
            with pytest.raises(PublishError) as refused:
                existing_files(repo, PROJECT, VERSION, timeout=10)
            assert f"is larger than {limit} bytes" in refused.value.cause
            assert refused.value.fix == NOT_AN_INDEX_FIX
        else:
            assert existing_files(repo, PROJECT, VERSION, timeout=10) == {WHEEL: "0" * 64}


PYPIRC = """\
[distutils]
index-servers =
    pypi
    testpypi

[pypi]
username = __token__

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
"""


@pytest.mark.parametrize("name", ["pypi", "testpypi"])
def test_a_pypirc_section_for_pypi_or_testpypi_is_what_twine_is_pointed_at(
    tmp_path: Path, name: str
) -> None:
    pypirc = tmp_path / ".pypirc"
    pypirc.write_text(PYPIRC)
    repo = resolve_repository(name, pypirc=pypirc)
    # twine gets `--repository NAME --config-file PYPIRC`, so the section's credentials apply.
    assert (repo.name, repo.pypirc) == (name, pypirc)
    assert (repo.is_pypi, repo.is_testpypi) == (name == "pypi", name == "testpypi")


def test_a_testpypi_url_is_named_as_given() -> None:
    url = "https://test.pypi.org/legacy/"
    repo = resolve_repository(url)
    assert (repo.name, repo.upload_url, repo.is_testpypi, repo.pypirc) == (url, url, True, None)


# -- tokens read offline ------------------------------------------------------------------------


def test_a_token_is_expired_from_its_expiry_second_on() -> None:
    expiry = 1_900_000_000
    token = mint("pypi.org", [[0, expiry, expiry - 3600], [1, [PROJECT]]])
    assert audit(token, repository_url=index.PYPI_UPLOAD, project=PROJECT, now=expiry - 1) == []
    [finding] = audit(token, repository_url=index.PYPI_UPLOAD, project=PROJECT, now=expiry)
    assert finding.level == "error"
    assert finding.message.startswith("the token expired on ")


# -- twine's two children ------------------------------------------------------------------------


def test_twine_check_starts_without_the_upload_machinery(tmp_path: Path) -> None:
    """The check child loads twine check alone: the upload progress hook (twine.repository,
    requests_toolbelt) is for uploads, and would only slow the check's start-up."""
    started = twine_child.start("check", cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    try:
        result = started.finish(twine_child.arguments(["--version"]), timeout=60)
    finally:
        started.cancel()
    assert result.ok, result.stderr
    assert "twine.commands.check" in result.stderr  # the import log is there
    assert "twine.repository" not in result.stderr
