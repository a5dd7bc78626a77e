"""Asking an index what it has, and naming repositories the way twine does."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from support.servers import Reply, Seen, Server, closed_port

from releasekit.errors import ConfigError, PublishError
from releasekit.publishing.index import Repository, existing_files, resolve_repository

SDIST = "sample_pkg-1.3.0.tar.gz"
WHEEL = "sample_pkg-1.3.0-py3-none-any.whl"
SHA_A = "a" * 64
SHA_B = "b" * 64


def json_page(_: Seen) -> Reply:
    page = {
        "meta": {"api-version": "1.1"},
        "name": "sample-pkg",
        "files": [
            {"filename": SDIST, "url": f"../../p/{SDIST}", "hashes": {"sha256": SHA_A}},
            {"filename": WHEEL, "url": f"../../p/{WHEEL}", "hashes": {}},
            {"filename": "sample_pkg-1.2.0.tar.gz", "url": "x", "hashes": {"sha256": SHA_B}},
            {"filename": "sample_pkg-1.3.0rc1.tar.gz", "url": "x", "hashes": {"sha256": SHA_B}},
            {"filename": "other_pkg-1.3.0.tar.gz", "url": "x", "hashes": {"sha256": SHA_B}},
        ],
    }
    return 200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, json.dumps(page).encode()


def html_page(_: Seen) -> Reply:
    # Served whatever the Accept header says, like pypiserver.
    body = f"""<!DOCTYPE html><html><body><h1>Links for sample-pkg</h1>
    <a href="../../packages/{SDIST}#sha256={SHA_A.upper()}">{SDIST}</a><br>
    <a href="/packages/sample_pkg-1.3.0-py3-none-any.whl#md5=0123">{WHEEL}</a><br>
    <a href="https://files.example/sample%5Fpkg-1.3.0-cp311-cp311-linux_x86_64.whl#sha256={SHA_B}">x</a>
    <a href="../../packages/sample_pkg-1.3.1.tar.gz#sha256={SHA_B}">sample_pkg-1.3.1.tar.gz</a>
    <a name="no-href">anchor without a link</a>
    </body></html>"""
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def repo_at(url: str) -> Repository:
    return resolve_repository(url)


def test_pep691_json_page_gives_this_versions_files_and_hashes() -> None:
    with Server(json_page) as server:
        found = existing_files(repo_at(server.url), "Sample_Pkg", "1.3.0")
    assert found == {SDIST: SHA_A, WHEEL: None}
    (request,) = server.seen
    assert request.path == "/simple/sample-pkg/"
    assert request.headers["Accept"].startswith("application/vnd.pypi.simple.v1+json")


def test_html_only_index_is_read_from_anchors() -> None:
    with Server(html_page) as server:
        found = existing_files(repo_at(server.url), "sample-pkg", "1.3.0")
    assert found == {
        SDIST: SHA_A.lower(),
        WHEEL: None,
        "sample_pkg-1.3.0-cp311-cp311-linux_x86_64.whl": SHA_B,
    }


def test_version_is_compared_as_a_version() -> None:
    with Server(json_page) as server:
        assert set(existing_files(repo_at(server.url), "sample-pkg", "1.3")) == {SDIST, WHEEL}
        assert existing_files(repo_at(server.url), "sample-pkg", "1.3.0rc1") == {
            "sample_pkg-1.3.0rc1.tar.gz": SHA_B
        }


def test_unknown_project_is_an_empty_index() -> None:
    with Server() as server:
        assert existing_files(repo_at(server.url), "sample-pkg", "1.3.0") == {}


def test_one_redirect_is_followed() -> None:
    def moved(seen: Seen) -> Reply:
        if seen.path == "/simple/sample-pkg/":
            return 301, {"Location": "/elsewhere/sample-pkg/"}, b""
        return json_page(seen)

    with Server(moved) as server:
        assert SDIST in existing_files(repo_at(server.url), "sample-pkg", "1.3.0")


def test_redirect_loop_is_bounded() -> None:
    def loop(seen: Seen) -> Reply:
        return 302, {"Location": f"/loop{len(seen.path)}/"}, b""

    with Server(loop) as server, pytest.raises(PublishError, match="answered 30"):
        existing_files(repo_at(server.url), "sample-pkg", "1.3.0")
    assert len(server.seen) <= 4


def test_server_error_is_a_publish_error() -> None:
    server = Server(lambda _: (500, {}, b"boom"))
    with server, pytest.raises(PublishError, match="answered 500") as caught:
        existing_files(repo_at(server.url), "sample-pkg", "1.3.0")
    assert "retry later" in str(caught.value)


def test_page_that_is_not_an_index_page() -> None:
    answer: Reply = (200, {"Content-Type": "application/vnd.pypi.simple.v1+json"}, b"{not json")
    with Server(lambda _: answer) as server, pytest.raises(PublishError, match="not a simple"):
        existing_files(repo_at(server.url), "sample-pkg", "1.3.0")


def test_closed_port_fails_fast_with_the_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    started = time.monotonic()
    with pytest.raises(PublishError) as caught:
        existing_files(repo_at(url), "sample-pkg", "1.3.0", timeout=5)
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert message.startswith(f"cannot reach the index at {url}simple/sample-pkg/")
    assert "re-run" in message


def test_silent_index_times_out() -> None:
    with Server(lambda _: None) as server:
        started = time.monotonic()
        with pytest.raises(PublishError, match=r"did not answer within 1 s"):
            existing_files(repo_at(server.url), "sample-pkg", "1.3.0", timeout=1)
        assert time.monotonic() - started < 5


# --- naming repositories ---------------------------------------------------


def test_pypi_and_testpypi(tmp_path: Path) -> None:
    empty = write_pypirc(tmp_path, "")
    pypi = resolve_repository("pypi", pypirc=empty)
    assert (pypi.upload_url, pypi.simple_url) == (
        "https://upload.pypi.org/legacy/",
        "https://pypi.org/simple/",
    )
    assert pypi.is_pypi and not pypi.is_testpypi
    test = resolve_repository("testpypi", pypirc=empty)
    assert (test.upload_url, test.simple_url) == (
        "https://test.pypi.org/legacy/",
        "https://test.pypi.org/simple/",
    )
    assert test.is_testpypi and not test.is_pypi


@pytest.mark.parametrize(
    ("url", "upload", "simple"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        (
            "https://pkgs.example.org/legacy/",
            "https://pkgs.example.org/legacy/",
            "https://pkgs.example.org/simple/",
        ),
        (
            "https://pkgs.example.org/team/legacy",
            "https://pkgs.example.org/team/legacy",
            "https://pkgs.example.org/team/simple/",
        ),
        ("https://upload.pypi.org/legacy/", "https://upload.pypi.org/legacy/", None),
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/legacy/", None),
    ],
)
def test_urls(url: str, upload: str, simple: str | None) -> None:
    repo = resolve_repository(url)
    assert repo.upload_url == upload
    if simple:
        assert repo.simple_url == simple
        assert not repo.is_pypi and not repo.is_testpypi
    assert repo.pypirc is None


def test_legacy_urls_of_pypi_map_to_its_simple_index() -> None:
    assert resolve_repository("https://upload.pypi.org/legacy/").simple_url == (
        "https://pypi.org/simple/"
    )
    assert resolve_repository("https://upload.pypi.org/legacy/").is_pypi
    assert resolve_repository("https://test.pypi.org/legacy/").simple_url == (
        "https://test.pypi.org/simple/"
    )


def test_password_in_url_stays_out_of_name_and_simple_url() -> None:
    repo = resolve_repository("https://bob:s3cret-pass@pkgs.example.org/legacy/")
    assert "s3cret" not in repo.name
    assert "s3cret" not in repo.simple_url
    assert repo.simple_url == "https://pkgs.example.org/simple/"


def write_pypirc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".pypirc"
    path.write_text(text)
    return path


def test_pypirc_section_listed_in_index_servers(tmp_path: Path) -> None:
    pypirc = write_pypirc(
        tmp_path,
        "[distutils]\nindex-servers =\n    pypi\n    private\n\n"
        "[private]\nrepository = https://pkgs.example.org/legacy/\nusername = bob\n",
    )
    repo = resolve_repository("private", pypirc=pypirc)
    assert repo.name == "private"
    assert repo.upload_url == "https://pkgs.example.org/legacy/"
    assert repo.simple_url == "https://pkgs.example.org/simple/"
    assert repo.pypirc == pypirc


def test_pypirc_section_not_listed_is_ignored_like_twine_does(tmp_path: Path) -> None:
    pypirc = write_pypirc(
        tmp_path,
        "[distutils]\nindex-servers = pypi\n\n[private]\nrepository = https://pkgs.example.org/\n",
    )
    with pytest.raises(ConfigError) as caught:
        resolve_repository("private", pypirc=pypirc)
    message = str(caught.value)
    assert "'private'" in message
    assert "index-servers" in message


def test_testpypi_works_even_when_pypirc_does_not_list_it(tmp_path: Path) -> None:
    pypirc = write_pypirc(tmp_path, "[distutils]\nindex-servers = pypi\n")
    repo = resolve_repository("testpypi", pypirc=pypirc)
    assert repo.is_testpypi
    assert repo.pypirc is None  # twine would not find it there: upload by URL


def test_unknown_name_says_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_repository("pypy", pypirc=write_pypirc(tmp_path, ""))
    message = str(caught.value)
    assert "'pypy'" in message
    assert "pypi, testpypi" in message
    assert "URL" in message


def test_malformed_pypirc_never_echoes_its_content(tmp_path: Path) -> None:
    pypirc = write_pypirc(tmp_path, "password = hunter2-very-secret\n[pypi\n")
    with pytest.raises(ConfigError) as caught:
        resolve_repository("pypi", pypirc=pypirc)
    assert "hunter2" not in str(caught.value)


def test_missing_explicit_pypirc(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_repository("pypi", pypirc=tmp_path / "nope")


@pytest.mark.parametrize("url", ["ftp://pkgs.example.org/", "file:///srv/index/", "http://"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="not an index URL"):
        resolve_repository(url)
