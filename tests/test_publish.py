"""Publishing to a real pypiserver on 127.0.0.1, and to small servers that misbehave."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from support.servers import Reply, Seen, Server, closed_port, not_found
from support.tokens import mint

from releasekit.demo import sample
from releasekit.demo.localindex import LocalIndex
from releasekit.errors import PublishError, ReleaseError
from releasekit.publishing import dist
from releasekit.publishing.index import Repository, existing_files, resolve_repository
from releasekit.publishing.upload import credentials_env, publish, size
from releasekit.system import runner

PROJECT, VERSION = "sample-pkg", "1.3.0"
SCOPED = [[1, [PROJECT]], [2, [str(uuid.uuid4())]]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(root: Path, readme: str | None = None) -> list[Path]:
    sample.write_project(root, name=PROJECT, version=VERSION)
    if readme is not None:
        (root / "README.md").write_text(readme)
    built = dist.build(root, version=VERSION)
    return [built.sdist, built.wheel]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build(tmp_path_factory.mktemp("original"))


@pytest.fixture(scope="module")
def changed_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Same project and version, another README: same filenames, other bytes."""
    return build(tmp_path_factory.mktemp("changed"), readme="# sample-pkg\n\nChanged text.\n")


@pytest.fixture(scope="module")
def token() -> str:
    return mint("pypi.org", SCOPED)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, token: str) -> Iterator[LocalIndex]:
    with LocalIndex(tmp_path_factory.mktemp("packages"), token=token) as running:
        yield running


@pytest.fixture
def empty_index(tmp_path: Path, token: str) -> Iterator[LocalIndex]:
    """An index of its own, for tests that must show that nothing was uploaded."""
    with LocalIndex(tmp_path / "packages", token=token) as running:
        yield running


def upload(files: list[Path], repo: Repository, environ: Mapping[str, str], **kw: Any) -> Any:
    return publish(files, project=PROJECT, version=VERSION, repository=repo, environ=environ, **kw)


def test_upload_shows_each_files_bytes_until_all_are_sent(
    empty_index: LocalIndex, files: list[Path], token: str
) -> None:
    notes: list[str] = []

    @contextlib.contextmanager
    def phase(text: str) -> Iterator[Callable[[str], None]]:
        notes.append(text)
        yield notes.append

    upload(files, empty_index.repository, {"PYPI_TOKEN": token}, phase=phase)
    assert notes[0] == f"uploading 2 files to {empty_index.repository.upload_url}"
    for file in files:
        shown = [note for note in notes[1:] if note.startswith(f"{file.name} ")]
        assert shown, f"no progress for {file.name}: {notes}"
        sent, total = shown[-1].removeprefix(f"{file.name} ").split(" / ")
        assert sent == total  # the last word on a file: every byte sent


def test_sizes_read_as_people_read_them() -> None:
    assert [size(n) for n in (0, 812, 41_200, 3_400_000, 2 * 10**9)] == [
        "0 B",
        "812 B",
        "41.2 kB",
        "3.4 MB",
        "2.0 GB",
    ]


def test_upload_then_index_lists_both_files_with_their_sha256(
    index: LocalIndex, files: list[Path], token: str
) -> None:
    report = upload(files, index.repository, {"PYPI_TOKEN": token})
    assert sorted(report.uploaded) == sorted(f.name for f in files)
    assert report.already_there == ()
    assert report.warnings == ()
    assert report.repository == index.url
    assert existing_files(index.repository, PROJECT, VERSION) == {f.name: sha256(f) for f in files}


def test_republish_skips_identical_files_and_uploads_nothing(
    index: LocalIndex, files: list[Path], token: str
) -> None:
    upload(files, index.repository, {"PYPI_TOKEN": token})  # there now, whatever ran before
    stamps = {p.name: p.stat().st_mtime_ns for p in index.directory.iterdir()}
    report = upload(files, index.repository, {"PYPI_TOKEN": token})
    assert report.uploaded == ()
    assert sorted(report.already_there) == sorted(f.name for f in files)
    assert {p.name: p.stat().st_mtime_ns for p in index.directory.iterdir()} == stamps


def test_same_filenames_with_other_content_are_refused(
    index: LocalIndex, files: list[Path], changed_files: list[Path], token: str
) -> None:
    upload(files, index.repository, {"PYPI_TOKEN": token})
    assert [f.name for f in changed_files] == [f.name for f in files]
    with pytest.raises(PublishError) as caught:
        upload(changed_files, index.repository, {"PYPI_TOKEN": token})
    message = str(caught.value)
    assert f"already exists on {index.url} with different content" in message
    assert "can never be replaced" in message
    assert "invoke release --part patch" in message
    assert existing_files(index.repository, PROJECT, VERSION) == {f.name: sha256(f) for f in files}


@pytest.mark.parametrize(
    "environ",
    [
        lambda: {"PYPI_TOKEN": mint("pypi.org", SCOPED)},  # same shape, other signature
        lambda: {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": "wrong-password-0123456789"},
    ],
    ids=["other-token", "wrong-password"],
)
def test_wrong_credentials_fail_authentication_without_leaking(
    empty_index: LocalIndex, files: list[Path], environ: Any
) -> None:
    env = environ()
    secret = env.get("PYPI_TOKEN") or env["TWINE_PASSWORD"]
    with pytest.raises(PublishError) as caught:
        upload(files, empty_index.repository, env)
    error = caught.value
    assert str(error).startswith(f"authentication failed at {empty_index.url}")
    assert "PYPI_TOKEN" in str(error)
    assert "403" in error.output  # type: ignore[attr-defined]
    for text in (str(error), repr(error), error.output):  # type: ignore[attr-defined]
        assert secret not in text
        assert secret[5:25] not in text
    assert existing_files(empty_index.repository, PROJECT, VERSION) == {}


def test_no_credentials_at_all_says_how_to_give_some(
    empty_index: LocalIndex, files: list[Path]
) -> None:
    with pytest.raises(PublishError, match=r"no credentials for .* set PYPI_TOKEN"):
        upload(files, empty_index.repository, {})


def test_token_travels_in_the_environment_only(
    empty_index: LocalIndex, files: list[Path], token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str | None]]] = []
    sent: list[str] = []
    real_start, real_finish = runner.start, runner.Started.finish

    def spy_start(argv: list[str], **kwargs: Any) -> runner.Started:
        calls.append((list(argv), dict(kwargs.get("env") or {})))
        return real_start(argv, **kwargs)

    def spy_finish(self: runner.Started, input: str, *, timeout: float, **kw: Any) -> runner.Result:
        sent.append(input)
        return real_finish(self, input, timeout=timeout, **kw)

    monkeypatch.setattr(runner, "start", spy_start)
    monkeypatch.setattr(runner.Started, "finish", spy_finish)
    report = upload(files, empty_index.repository, {"PYPI_TOKEN": token})
    assert len(report.uploaded) == 2
    ((argv, env),) = calls
    ((arguments,),) = [sent]
    for text in [*argv, arguments]:  # neither the command line nor what twine reads on stdin
        assert token not in text and token[5:30] not in text
    assert "--repository-url" in arguments and empty_index.url in arguments
    assert env["TWINE_USERNAME"] == "__token__"
    assert env["TWINE_PASSWORD"] == token
    assert env["TWINE_NON_INTERACTIVE"] == "1"
    assert env["PYPI_TOKEN"] is None  # twine needs only TWINE_*: one copy fewer in its env


def test_pypirc_section_credentials_are_used_by_twine(
    empty_index: LocalIndex,
    files: list[Path],
    token: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pypirc = tmp_path / "pypirc"
    pypirc.write_text(
        "[distutils]\nindex-servers = local\n\n"
        f"[local]\nrepository = {empty_index.url}\nusername = __token__\npassword = {token}\n"
    )
    # An inherited TWINE_REPOSITORY_URL would beat --repository inside twine.
    monkeypatch.setenv("TWINE_REPOSITORY_URL", f"http://127.0.0.1:{closed_port()}/")
    report = upload(files, resolve_repository("local", pypirc=pypirc), {"CI": "true"})
    assert len(report.uploaded) == 2
    assert set(existing_files(empty_index.repository, PROJECT, VERSION)) == {f.name for f in files}


def test_index_down_cannot_reach(files: list[Path], token: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    started = time.monotonic()
    with pytest.raises(PublishError, match=f"cannot reach the index at {url}"):
        upload(files, resolve_repository(url), {"PYPI_TOKEN": token})
    assert time.monotonic() - started < 5


def test_upload_that_never_gets_an_answer_is_bounded(files: list[Path], token: str) -> None:
    def hang_on_upload(seen: Seen) -> Reply | None:
        return None if seen.method == "POST" else not_found(seen)

    with Server(hang_on_upload) as server:
        started = time.monotonic()
        with pytest.raises(PublishError) as caught:
            upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token}, timeout=3)
        elapsed = time.monotonic() - started
    assert str(caught.value).startswith(f"the index at {server.url} did not answer within 3 s")
    assert any(seen.method == "POST" for seen in server.seen)  # it was the upload that hung
    assert elapsed < 15


def test_index_that_never_answers_at_all_is_bounded(files: list[Path], token: str) -> None:
    with Server(lambda _: None) as server:
        started = time.monotonic()
        with pytest.raises(PublishError, match="did not answer within 2 s"):
            upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token}, timeout=2)
        assert time.monotonic() - started < 10
    assert all(seen.method == "GET" for seen in server.seen)


def test_server_error_after_retries_says_retry_later(files: list[Path], token: str) -> None:
    def unavailable(seen: Seen) -> Reply:
        return (503, {}, b"down") if seen.method == "POST" else not_found(seen)

    with Server(unavailable) as server:
        started = time.monotonic()
        with pytest.raises(PublishError) as caught:
            upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token}, timeout=60)
        elapsed = time.monotonic() - started
    message = str(caught.value)
    assert "failed with 503 Service Unavailable" in message
    assert "retry later" in message
    assert sum(seen.method == "POST" for seen in server.seen) > 1  # twine did retry
    assert elapsed < 30


def test_pypi_reason_for_refusing_a_token_is_kept(files: list[Path], token: str) -> None:
    reason = "Invalid API Token: project-scoped token is not valid for project: 'sample-pkg'"

    def refuse(seen: Seen) -> Reply:
        return (403, {":reason": reason}, b"") if seen.method == "POST" else not_found(seen)

    with Server(refuse) as server, pytest.raises(PublishError) as caught:
        upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token})
    message = str(caught.value)
    assert message.startswith(f"authentication failed at {server.url}")
    assert reason in message
    assert "make a new project-scoped token, update the PYPI_TOKEN secret, re-run" in message


def test_file_uploaded_elsewhere_meanwhile_with_other_content(
    files: list[Path], changed_files: list[Path], token: str
) -> None:
    """The index had nothing when asked, then refuses: someone uploaded other bytes."""
    asked: list[str] = []

    def race(seen: Seen) -> Reply:
        if seen.method == "POST":
            return 400, {":reason": "File already exists."}, b""
        asked.append(seen.path)
        return not_found(seen) if len(asked) == 1 else listing(changed_files, hashes=True)(seen)

    with Server(race) as server, pytest.raises(PublishError) as caught:
        upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token})
    assert "with different content" in str(caught.value)
    assert "bump the version" in str(caught.value)
    assert len(asked) == 2


def test_same_files_uploaded_elsewhere_meanwhile_count_as_published(
    files: list[Path], token: str
) -> None:
    """A killed upload landing while the re-run runs: the re-run converges, in one go."""
    asked: list[str] = []

    def race(seen: Seen) -> Reply:
        if seen.method == "POST":
            return 400, {":reason": "File already exists."}, b""
        asked.append(seen.path)
        return not_found(seen) if len(asked) == 1 else listing(files, hashes=True)(seen)

    with Server(race) as server:
        report = upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token})
    assert report.uploaded == ()
    assert sorted(report.already_there) == sorted(path.name for path in files)
    assert len([seen for seen in server.seen if seen.method == "POST"]) == 1


def test_other_refusal_names_the_file_and_the_reason(files: list[Path], token: str) -> None:
    reason = "Only one sdist may be uploaded per release."

    def refuse(seen: Seen) -> Reply:
        return (400, {":reason": reason}, b"") if seen.method == "POST" else not_found(seen)

    with Server(refuse) as server, pytest.raises(PublishError) as caught:
        upload(files, resolve_repository(server.url), {"PYPI_TOKEN": token})
    assert f"{server.url} rejected sample_pkg-1.3.0-py3-none-any.whl: {reason}" in str(caught.value)


def test_wrong_index_token_stops_before_any_request(files: list[Path]) -> None:
    with Server() as server:
        pypi_like = Repository("pypi", server.url, server.url + "simple/", True, False)
        with pytest.raises(PublishError, match=r"made on test\.pypi\.org") as caught:
            upload(files, pypi_like, {"PYPI_TOKEN": mint("test.pypi.org", SCOPED)})
    assert "https://pypi.org/manage/account/token/" in str(caught.value)
    assert server.seen == []


def test_expired_token_stops_before_any_request(files: list[Path]) -> None:
    expired = mint("pypi.org", [*SCOPED, [0, int(time.time()) - 60, int(time.time()) - 3600]])
    with Server() as server, pytest.raises(PublishError, match="expired on"):
        upload(files, resolve_repository(server.url), {"TWINE_PASSWORD": expired})
    assert server.seen == []


def listing(files: list[Path], *, hashes: bool) -> Any:
    def answer(seen: Seen) -> Reply:
        entries = [
            {"filename": f.name, "url": f.name, "hashes": {"sha256": sha256(f)} if hashes else {}}
            for f in files
        ]
        body = json.dumps({"meta": {"api-version": "1.0"}, "name": PROJECT, "files": entries})
        return 200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, body.encode()

    return answer


def test_account_wide_token_warns_on_the_report(files: list[Path]) -> None:
    with Server(listing(files, hashes=True)) as server:
        report = upload(files, resolve_repository(server.url), {"PYPI_TOKEN": mint()})
    assert report.uploaded == ()
    (warning,) = report.warnings
    assert "every project" in warning and f"scoped to {PROJECT}" in warning
    assert [seen.method for seen in server.seen] == ["GET"]


def test_index_without_hashes_counts_filenames_and_says_so(files: list[Path]) -> None:
    with Server(listing(files, hashes=False)) as server:
        report = upload(files, resolve_repository(server.url), {})
    assert sorted(report.already_there) == sorted(f.name for f in files)
    assert len(report.warnings) == 2
    assert all("no sha256" in warning for warning in report.warnings)


def test_files_of_another_release_are_refused_before_any_request(files: list[Path]) -> None:
    server = Server()
    with server, pytest.raises(PublishError, match=r"is not a distribution of sample-pkg 2\.0\.0"):
        publish(files, project=PROJECT, version="2.0.0", repository=resolve_repository(server.url))
    assert server.seen == []


# --- the local index itself ------------------------------------------------


def test_local_index_keeps_the_token_out_of_argv_and_disk(tmp_path: Path, token: str) -> None:
    from passlib.hash import apr_md5_crypt  # type: ignore[import-untyped]

    with LocalIndex(tmp_path / "packages", token=token) as running:
        assert running.url.startswith("http://127.0.0.1:")
        assert running.simple_url == running.url + "simple/"
        argv = Path(f"/proc/{running.pid}/cmdline").read_bytes().split(b"\0")
        assert not any(token.encode() in arg for arg in argv)
        htpasswd = Path(argv[argv.index(b"-P") + 1].decode())
        user, hashed = htpasswd.read_text().strip().split(":", 1)
        assert user == "__token__" and token not in hashed
        assert apr_md5_crypt.verify(token, hashed)
        pid = running.pid
    assert not htpasswd.exists()
    with pytest.raises(PublishError, match="cannot reach"):
        existing_files(resolve_repository(running.url), PROJECT, VERSION, timeout=2)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # type: ignore[arg-type]


def test_local_index_that_cannot_start_says_why(tmp_path: Path, token: str) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        started = time.monotonic()
        index = LocalIndex(tmp_path, token=token, port=taken.getsockname()[1])
        with pytest.raises(ReleaseError, match=r"did not start .*in use"), index:
            pass
        assert time.monotonic() - started < 15


# --- credentials for twine -------------------------------------------------


def test_pypi_token_becomes_twine_credentials() -> None:
    env = credentials_env({"PYPI_TOKEN": "pypi-abc", "TWINE_PASSWORD": "other", "CI": "true"})
    assert env == {
        "TWINE_USERNAME": "__token__",
        "TWINE_PASSWORD": "pypi-abc",
        "TWINE_NON_INTERACTIVE": "1",
    }


def test_twine_variables_pass_through_unchanged() -> None:
    env = credentials_env({"TWINE_USERNAME": "bob", "TWINE_PASSWORD": "pw", "CI": "1"})
    assert (env["TWINE_USERNAME"], env["TWINE_PASSWORD"]) == ("bob", "pw")


@pytest.mark.parametrize(
    "environ",
    [
        {"CI": "true"},
        {"CI": "true", "TWINE_PASSWORD": ""},
        {"CI": "true", "PYPI_TOKEN": "", "TWINE_PASSWORD": ""},
        {"CI": "true", "PYPI_TOKEN": "  ", "TWINE_USERNAME": "__token__", "TWINE_PASSWORD": ""},
    ],
)
def test_no_password_leaves_room_for_pypirc_keyring_and_trusted_publishing(
    environ: dict[str, str],
) -> None:
    env = credentials_env(environ)
    assert "TWINE_PASSWORD" not in env
    assert env["TWINE_NON_INTERACTIVE"] == "1"


def test_non_interactive_when_stdin_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Pipe:
        def isatty(self) -> bool:
            return False

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Pipe())
    assert credentials_env({})["TWINE_NON_INTERACTIVE"] == "1"
    monkeypatch.setattr("sys.stdin", Terminal())
    assert "TWINE_NON_INTERACTIVE" not in credentials_env({})
    assert credentials_env({"CI": "true"})["TWINE_NON_INTERACTIVE"] == "1"
