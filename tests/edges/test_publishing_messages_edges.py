"""The one-line errors (cause and fix) the public half of a release gives, and what it hands on:
a CI tag of another version, a dist/ of another version or of a workspace member, a token made
for the wrong index and project, attestations for some files only, the build's report of its
wheels, the index's newest release and the files it lists that are no distributions.

No real build, twine or index runs: dist/ holds files made by hand, twine is a stand-in and
the index is a local HTTP server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.publishing import (
    PROJECT,
    SDIST,
    VERSION,
    WHEEL,
    FakeTwine,
    attest,
    dist_files,
    plan_publishing,
    project_at,
)
from support.servers import Reply, Seen, Server, not_found
from support.tokens import mint

from releasekit.core.plan import Build
from releasekit.core.snapshot import read_project
from releasekit.demo import sample
from releasekit.errors import BuildError, ConfigError, PublishError
from releasekit.publishing import after_push, attestations, dist, index, upload
from releasekit.publishing.index import Provenance, Repository, resolve_repository

# -- verify: the CI tag, the version and the member it checks -------------------------------------


def test_a_ci_tag_of_another_version_says_to_build_from_the_commit_it_points_to(
    tmp_path: Path,
) -> None:
    root = project_at(tmp_path)
    with pytest.raises(BuildError) as refused:
        after_push.verify(root, environ={"RELEASEKIT_TAG": "v1.4.0"})
    assert (refused.value.cause, refused.value.fix) == (
        "tag v1.4.0 says 1.4.0 but the project's version is 1.3.0",
        "build from the release commit that tag points to",
    )


def test_verify_refuses_a_dist_of_another_version_naming_both_and_the_way_out(
    tmp_path: Path, twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path)
    dist_files(root / "dist", "sample_pkg-1.2.0-py3-none-any.whl", "sample_pkg-1.2.0.tar.gz")
    with pytest.raises(BuildError) as refused:
        after_push.verify(root, environ={})
    assert (refused.value.cause, refused.value.fix) == (
        "sample_pkg-1.2.0.tar.gz is version 1.2.0, expected 1.3.0",
        "set the project's version to 1.3.0 (or release 1.2.0), then rebuild",
    )
    assert twine_checks == []


def test_verify_of_the_current_version_checks_every_file_with_twine(
    tmp_path: Path, twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path)
    wheel, sdist = dist_files(root / "dist", WHEEL, SDIST, checksums=False)
    checked = after_push.verify(root, environ={})
    assert (checked.sdist, checked.wheels) == (sdist, (wheel,))
    assert twine_checks == [[wheel, sdist]]
    assert (root / "dist" / dist.CHECKSUMS).is_file()


def test_verify_with_package_checks_that_members_dist(
    tmp_path: Path, twine_checks: list[list[Path]]
) -> None:
    root = tmp_path / "workspace"
    sample.write_project(root / "packages" / "alpha-kit", name="alpha-kit", version="1.3.0")
    sample.write_project(root / "packages" / "beta-lib", name="beta-lib", version="0.2.0")
    wheel, sdist = dist_files(
        root / "dist", "beta_lib-0.2.0-py3-none-any.whl", "beta_lib-0.2.0.tar.gz"
    )
    checked = after_push.verify(root, environ={}, package="beta-lib")
    assert (checked.sdist, checked.wheels) == (sdist, (wheel,))


def test_verify_accepts_a_dist_whose_every_file_carries_its_attestation(
    tmp_path: Path, twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path)
    wheel, sdist = dist_files(root / "dist", WHEEL, SDIST)
    for path in (wheel, sdist):
        attest(path)
    checked = after_push.verify(root, environ={})
    assert checked.files == (wheel, sdist)


# -- build -------------------------------------------------------------------------------------


def test_building_a_folder_that_is_not_there_says_to_run_from_the_projects_root(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(BuildError) as refused:
        dist.build(missing, version=VERSION)
    assert (refused.value.cause, refused.value.fix) == (
        f"{missing} is not a folder",
        "run from the project's root",
    )


def test_the_build_step_reports_the_sdist_and_every_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_at(tmp_path)
    out = root / "dist"
    wheels = (
        out / "sample_pkg-1.3.0-cp312-cp312-linux_x86_64.whl",
        out / "sample_pkg-1.3.0-cp312-cp312-win_amd64.whl",
    )
    made = dist.Dist(sdist=out / SDIST, wheels=wheels, checksums=out / dist.CHECKSUMS)
    monkeypatch.setattr(dist, "build", lambda folder, **kwargs: made)

    said = after_push.PublicSteps(root)(Build(VERSION))

    assert said == f"built {SDIST}, {wheels[0].name} and {wheels[1].name}"


# -- publish -----------------------------------------------------------------------------------


def test_publish_uploads_with_the_twine_started_beforehand(tmp_path: Path) -> None:
    root = project_at(tmp_path)
    wheel, sdist = dist_files(root / "dist", WHEEL, SDIST)
    with Server() as server:  # the index has no file of the project yet
        environ = {"RELEASEKIT_REPOSITORY": server.url}
        twine = FakeTwine(env=upload.twine_env(upload.credentials_env(environ)))
        report = after_push.publish(root, environ=environ, warm=twine)
    assert report.uploaded == (WHEEL, SDIST)
    [args] = twine.given
    assert args[-2:] == [str(wheel), str(sdist)]


def test_publishing_a_file_of_another_version_says_to_publish_only_this_releases_files(
    tmp_path: Path,
) -> None:
    [old] = dist_files(tmp_path / "dist", "sample_pkg-1.2.0.tar.gz", checksums=False)
    with pytest.raises(PublishError) as refused:
        upload.publish(
            [old],
            project=PROJECT,
            version=VERSION,
            repository=resolve_repository("http://127.0.0.1:9/"),
            environ={},
        )
    assert (refused.value.cause, refused.value.fix) == (
        f"{old.name} is not a distribution of {PROJECT} {VERSION}",
        "publish only the files built for this release (clean dist/ and build again)",
    )


def test_a_trusted_upload_with_one_file_unattested_names_it_and_uploads_nothing(
    tmp_path: Path,
) -> None:
    wheel, sdist = dist_files(tmp_path / "dist", WHEEL, SDIST, checksums=False)
    attest(wheel)
    environ = {"GITHUB_ACTIONS": "true"}
    twine = FakeTwine(env=upload.twine_env(upload.credentials_env(environ)))
    with Server() as server:
        pypi_like = Repository("pypi", server.url, f"{server.url}simple/", True, False)
        with pytest.raises(PublishError) as refused:
            upload.publish(
                [wheel, sdist],
                project=PROJECT,
                version=VERSION,
                repository=pypi_like,
                environ=environ,
                warm=twine,
            )
    assert (refused.value.cause, refused.value.fix) == (
        f"{SDIST} has no attestation in dist/ while the other files have one "
        "(twine sends all or none)",
        attestations.SIGN_FIX,
    )
    assert twine.given == []


def test_a_token_of_the_wrong_index_and_project_is_refused_with_both_reasons_before_the_push(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.pypirc renames pypi
    project = read_project(project_at(tmp_path))
    token = mint("test.pypi.org", [[1, ["another-project"]]])
    page = "https://pypi.org/manage/account/token/"
    _steps, problems, _messages = plan_publishing(project, "pypi", {"PYPI_TOKEN": token})
    [problem] = problems
    assert problem.cause == (
        "the token was made on test.pypi.org but the upload goes to pypi.org: create a token "
        f"in the account settings on pypi.org ({page}) and put it in PYPI_TOKEN; also: "
        f"the token only works for another-project, not for {PROJECT}: create a token scoped "
        f"to {PROJECT} ({page}) and update the PYPI_TOKEN secret"
    )
    assert token not in str(problem)


# -- the index ---------------------------------------------------------------------------------


def test_a_pypirc_that_is_not_there_says_to_create_it_or_point_to_the_right_one(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere" / ".pypirc"
    with pytest.raises(ConfigError) as refused:
        resolve_repository("pypi", pypirc=missing)
    assert (refused.value.cause, refused.value.fix) == (
        f"{missing} does not exist",
        "create it or point to the right .pypirc",
    )


def page(body: bytes, content_type: str) -> Callable[[Seen], Reply]:
    def answer(seen: Seen) -> Reply:
        if seen.path != f"/simple/{PROJECT}/":
            return not_found(seen)
        return 200, {"Content-Type": content_type}, body

    return answer


def test_links_on_the_index_page_that_are_no_distributions_are_not_release_files() -> None:
    digest = "a" * 64
    links = [WHEEL, f"{SDIST}.asc", "sample-pkg-1.3.0.win32.exe"]
    body = "".join(f'<a href="/files/{name}#sha256={digest}">{name}</a>\n' for name in links)
    with Server(page(body.encode(), "text/html")) as server:
        found = index.existing_files(resolve_repository(server.url), PROJECT, VERSION)
    assert found == {WHEEL: digest}


def test_the_newest_release_on_the_index_and_which_files_carry_attestations() -> None:
    provenance = "https://pypi.org/integrity/sample-pkg/1.3.0/x/provenance"
    files = [
        {"filename": "sample_pkg-1.2.0.tar.gz", "provenance": None},
        {"filename": SDIST, "provenance": None},
        {"filename": WHEEL, "provenance": provenance},
    ]
    body = json.dumps({"meta": {"api-version": "1.4"}, "files": files}).encode()
    with Server(page(body, "application/vnd.pypi.simple.v1+json")) as server:
        found = index.latest_provenance(resolve_repository(server.url), PROJECT)
    assert found == Provenance(VERSION, attested=(WHEEL,), unattested=(SDIST,), known=True)
