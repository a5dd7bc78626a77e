"""The public half of a release, more of its one-line errors and what it hands twine: a CI tag
outside the tag format, dist/ missing or holding a wheel SHA256SUMS does not list, uv asked for
with pip as installer, an index that cannot be reached or trickles its page past the deadline,
a page that is no simple API page, credentials in the repository URL, a trusted upload's
attestations, and files that keep arriving from another upload.

No real build, twine or index runs: dist/ holds files made by hand, twine is a stand-in and
the index is a local HTTP server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path

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
    attest,
    dist_files,
    plan_publishing,
    project_at,
)
from support.servers import Background, Reply, Seen, Server, closed_port, not_found

from releasekit.core.snapshot import read_project
from releasekit.errors import BuildError, PublishError
from releasekit.publishing import after_push, dist, index, twine_child, upload
from releasekit.publishing.index import Repository, resolve_repository
from releasekit.system import runner


def rebuild_fix(folder: Path) -> str:
    return f"delete the stale files from {folder} (or run the build again), then re-run"


def listing(files: Mapping[str, bytes]) -> Callable[[Seen], Reply]:
    """The index's PEP 503 page of the project: `files` as they are when it is asked."""

    def answer(seen: Seen) -> Reply:
        if seen.path != f"/simple/{PROJECT}/":
            return not_found(seen)
        anchors = "".join(
            f'<a href="/files/{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a>\n'
            for name, data in list(files.items())
        )
        return 200, {"Content-Type": "text/html"}, anchors.encode()

    return answer


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[FakeTwine]:
    """Every twine upload publish starts (a stand-in that uploads fine), in order."""
    twines: list[FakeTwine] = []

    def start(
        command: str, *, cwd: Path, env: Mapping[str, str | None] | None = None
    ) -> runner.Started:
        assert command == "upload"
        twines.append(FakeTwine(env=env or {}))
        return twines[-1]

    monkeypatch.setattr(twine_child, "start", start)
    return twines


# -- the CI tag and dist/ ------------------------------------------------------------------------


def test_a_ci_tag_outside_the_tag_format_names_a_tag_of_the_projects_version(
    tmp_path: Path,
) -> None:
    root = project_at(tmp_path, '\n[tool.releasekit]\ntag-format = "release-{version}"\n')
    with pytest.raises(BuildError) as refused:
        after_push.verify(root, environ={"RELEASEKIT_TAG": "v1.3.0"})
    assert (refused.value.cause, refused.value.fix) == (
        "tag v1.3.0 does not match the tag format release-{version}",
        "build from a release tag such as release-1.3.0",
    )


def test_verifying_without_a_dist_folder_says_to_build_first(tmp_path: Path) -> None:
    root = project_at(tmp_path)
    with pytest.raises(BuildError) as refused:
        after_push.verify(root, environ={})
    assert (refused.value.cause, refused.value.fix) == (
        f"{root / 'dist'} does not exist",
        BUILD_FIRST,
    )


def test_a_wheel_added_after_the_checksums_were_written_is_named_with_the_way_out(
    tmp_path: Path, twine_checks: list[list[Path]]
) -> None:
    root = project_at(tmp_path)
    folder = root / "dist"
    dist_files(folder, WHEEL, SDIST)
    late = "sample_pkg-1.3.0-cp312-cp312-linux_x86_64.whl"
    dist_files(folder, late, checksums=False)  # gathered from another machine's run
    with pytest.raises(BuildError) as refused:
        after_push.verify(root, environ={})
    assert (refused.value.cause, refused.value.fix) == (
        f"{folder / dist.CHECKSUMS} lists {', '.join(sorted([WHEEL, SDIST]))} "
        f"but the files are {', '.join(sorted([WHEEL, SDIST, late]))}",
        rebuild_fix(folder),
    )


def test_uv_as_frontend_with_pip_as_installer_says_which_option_to_drop(tmp_path: Path) -> None:
    root = project_at(tmp_path)
    with pytest.raises(BuildError) as refused:
        after_push.build(root, environ={}, installer="pip", frontend="uv")
    assert (refused.value.cause, refused.value.fix) == (
        "--installer pip is pypa/build's option, and the build frontend is uv",
        "drop --installer, or build with --frontend build --installer pip",
    )
    assert not (root / "dist").exists()  # refused before anything was built


# -- the index -----------------------------------------------------------------------------------


def test_an_index_that_is_not_running_is_a_problem_before_the_push(tmp_path: Path) -> None:
    project = read_project(project_at(tmp_path))
    url = f"http://127.0.0.1:{closed_port()}/"
    _steps, problems, _messages = plan_publishing(project, url)
    [problem] = problems
    assert problem.cause.startswith(f"cannot reach the index at {url}simple/{PROJECT}/: ")
    assert "refused" in problem.cause.lower()
    assert problem.fix == NETWORK_FIX


PIECE = 65536  # what the index client reads at a time


class Trickling(Background):
    """An index that sends its page a piece at a time, `gap` seconds apart: each piece in
    time for the socket, the whole page not."""

    def __init__(self, pieces: int, gap: float) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(pieces * PIECE))
                self.end_headers()
                try:
                    for _ in range(pieces):
                        self.wfile.write(b" " * PIECE)
                        if outer.stop.wait(gap):
                            return
                except OSError:  # the client gave up, as it should
                    return

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)


def test_an_index_trickling_its_page_past_the_deadline_did_not_answer_in_time() -> None:
    timeout = 0.3
    with Trickling(pieces=40, gap=timeout / 6) as server, pytest.raises(PublishError) as refused:
        index.existing_files(resolve_repository(server.url), PROJECT, VERSION, timeout=timeout)
    assert (refused.value.cause, refused.value.fix) == (
        f"cannot reach the index at {server.url}simple/{PROJECT}/: "
        f"it did not answer within {timeout:g} s",
        NETWORK_FIX,
    )


def test_a_json_page_without_files_is_no_simple_api_page_when_asking_for_provenance() -> None:
    def answer(seen: Seen) -> Reply:
        if seen.path != f"/simple/{PROJECT}/":
            return not_found(seen)
        body = json.dumps({"meta": {"api-version": "1.4"}}).encode()
        return 200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, body

    with Server(answer) as server, pytest.raises(PublishError) as refused:
        index.latest_provenance(resolve_repository(server.url), PROJECT, timeout=10)
    assert (refused.value.cause, refused.value.fix) == (
        f"the index at {server.url}simple/{PROJECT}/ sent a page that is not a simple API page",
        NOT_AN_INDEX_FIX,
    )


# -- what twine is handed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "user", "password"),
    [
        ({}, "alice", "s>cret"),  # the URL's own user:password, unquoted
        ({"TWINE_USERNAME": "bob", "TWINE_PASSWORD": "from-env"}, "bob", "from-env"),
        ({"PYPI_TOKEN": "pypi-a-token"}, "__token__", "pypi-a-token"),
    ],
)
def test_credentials_in_the_repository_url_reach_twine_in_its_environment_only(
    tmp_path: Path,
    started: list[FakeTwine],
    environ: dict[str, str],
    user: str,
    password: str,
) -> None:
    """A password already given (TWINE_PASSWORD, PYPI_TOKEN) wins over the URL's; none of
    them is ever in twine's arguments."""
    files = dist_files(tmp_path / "dist", WHEEL, SDIST, checksums=False)
    with Server() as server:  # the index has no file of the release yet
        url = server.url.replace("http://", "http://alice:s%3Ecret@")
        report = upload.publish(
            files,
            project=PROJECT,
            version=VERSION,
            repository=resolve_repository(url),
            environ=environ,
        )
    assert report.uploaded == (WHEEL, SDIST)
    [twine] = started
    assert (twine.env["TWINE_USERNAME"], twine.env["TWINE_PASSWORD"]) == (user, password)
    [args] = twine.given
    assert args[args.index("--repository-url") + 1] == server.url
    assert not any("cret" in arg or password in arg for arg in args)


def test_a_trusted_upload_hands_twine_each_file_followed_by_its_attestation(
    tmp_path: Path, started: list[FakeTwine]
) -> None:
    wheel, sdist = dist_files(tmp_path / "dist", WHEEL, SDIST, checksums=False)
    signed = {path: attest(path) for path in (wheel, sdist)}
    with Server() as server:
        pypi_like = Repository("pypi", server.url, f"{server.url}simple/", True, False)
        report = upload.publish(
            [wheel, sdist],
            project=PROJECT,
            version=VERSION,
            repository=pypi_like,
            environ={"GITHUB_ACTIONS": "true"},
        )
    assert report.uploaded == (WHEEL, SDIST)
    assert report.warnings == ()
    [twine] = started
    [args] = twine.given
    assert "--attestations" in args
    assert args[-4:] == [str(wheel), str(signed[wheel]), str(sdist), str(signed[sdist])]


class Outraced(FakeTwine):
    """A twine that loses every race: the first file it is handed lands on the index from
    another upload first, and the index refuses it as already there."""

    def __init__(self, landed: dict[str, bytes], where: str) -> None:
        super().__init__(returncode=1)
        self.landed = landed
        self.where = where

    def finish(
        self, input: str, *, timeout: float, on_line: Callable[[str], None] | None = None
    ) -> runner.Result:
        first = Path(next(arg for arg in json.loads(input) if arg.endswith((".whl", ".tar.gz"))))
        self.landed[first.name] = first.read_bytes()
        self.stdout = (
            f"Uploading {first.name}\n"
            f"ERROR    HTTPError: 400 Bad Request from {self.where}\n"
            "         File already exists.\n"
        )
        return super().finish(input, timeout=timeout, on_line=on_line)


def test_files_that_keep_arriving_from_another_upload_stop_after_three_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    linux = "sample_pkg-1.3.0-cp312-cp312-linux_x86_64.whl"
    windows = "sample_pkg-1.3.0-cp312-cp312-win_amd64.whl"
    files = dist_files(tmp_path / "dist", linux, windows, SDIST, checksums=False)
    landed: dict[str, bytes] = {}
    twines: list[Outraced] = []
    with Server(listing(landed)) as server:

        def start(
            command: str, *, cwd: Path, env: Mapping[str, str | None] | None = None
        ) -> runner.Started:
            twines.append(Outraced(landed, server.url))
            return twines[-1]

        monkeypatch.setattr(twine_child, "start", start)
        with pytest.raises(PublishError) as stopped:
            upload.publish(
                files,
                project=PROJECT,
                version=VERSION,
                repository=resolve_repository(server.url),
                environ={},
            )
    assert (stopped.value.cause, stopped.value.fix) == (
        f"files of {PROJECT} {VERSION} kept arriving on {server.url} from another upload "
        "while this one ran",
        f"wait for the other upload to end, then re-run ({upload.RERUN_NOTE})",
    )
    # each round asked again and handed twine only what the index did not have yet
    handed = [
        [Path(arg).name for arg in twine.given[0] if arg.endswith((".whl", ".tar.gz"))]
        for twine in twines
        if twine.given  # the twine started for a fourth round is not used
    ]
    assert handed == [[linux, windows, SDIST], [windows, SDIST], [SDIST]]
