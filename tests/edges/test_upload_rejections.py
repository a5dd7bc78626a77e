"""What a user reads when the index refuses an upload (400/409): the file it refused, why,
and whether re-running helps. The index's page is served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from support.servers import Reply, Seen, Server, closed_port

from releasekit.publishing.index import Repository
from releasekit.publishing.upload import _rejected

SDIST = "sample_pkg-1.0.tar.gz"
WHEEL = "sample_pkg-1.0-py3-none-any.whl"
# twine's output: the header line first, then one line per file it started to send.
OUTPUT = f"Uploading distributions to http://index/\nUploading {SDIST}\nUploading {WHEEL}\n"
FIX_CONFLICT = (
    "a published file can never be replaced: bump the version "
    "(releasekit release --part patch, or invoke release --part patch) and release again"
)
FIX_OTHER = "fix what the index names (re-run with --verbose for its full answer)"


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    (tmp_path / SDIST).write_bytes(b"the sdist")
    (tmp_path / WHEEL).write_bytes(b"the wheel")
    return [tmp_path / SDIST, tmp_path / WHEEL]


def page(entries: dict[str, bytes]) -> Reply:
    anchors = "".join(
        f'<a href="/packages/{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a>\n'
        for name, data in entries.items()
    )
    return 200, {"Content-Type": "text/html"}, f"<html><body>{anchors}</body></html>".encode()


def repository(url: str, *, pypi: bool = False, testpypi: bool = False) -> Repository:
    host = url.removeprefix("http://")
    return Repository(
        name="local",
        upload_url=f"http://user:secret@{host}legacy/",
        simple_url=f"{url}simple/",
        is_pypi=pypi,
        is_testpypi=testpypi,
    )


def serving(entries: dict[str, bytes]) -> Server:
    def answer(seen: Seen) -> Reply:
        if seen.path == "/simple/sample-pkg/":
            return page(entries)
        return 404, {}, b"not found"

    return Server(answer)


def test_the_very_same_file_arriving_meanwhile_asks_for_a_rerun(files: list[Path]) -> None:
    with serving({WHEEL: b"the wheel"}) as server:
        error = _rejected(
            OUTPUT, "File already exists", files, "sample-pkg", "1.0", repository(server.url)
        )
    host = server.url.removeprefix("http://")
    # The file named is the last one twine started (the wheel), on the index without its password.
    assert (
        error.cause
        == f"{WHEEL} reached http://{host}legacy/ from another upload while this one ran"
    )
    assert (
        error.fix
        == "re-run to upload the rest (files already on the index are skipped when you re-run)"
    )
    assert error.output == OUTPUT


@pytest.mark.parametrize(
    ("pypi", "testpypi", "label"), [(True, False, "PyPI"), (False, True, "TestPyPI")]
)
def test_other_bytes_under_the_same_name_can_never_be_replaced(
    files: list[Path], pypi: bool, testpypi: bool, label: str
) -> None:
    with serving({WHEEL: b"another wheel", SDIST: b"the sdist"}) as server:
        repo = repository(server.url, pypi=pypi, testpypi=testpypi)
        error = _rejected(OUTPUT, "Bad Request", files, "sample-pkg", "1.0", repo)
    assert error.cause == f"{WHEEL} already exists on {label} with different content"
    assert error.fix == FIX_CONFLICT
    assert error.output == OUTPUT


def test_an_index_saying_the_file_exists_is_a_conflict_even_before_its_page_shows_it(
    files: list[Path],
) -> None:
    with serving({}) as server:
        repo = repository(server.url, pypi=True)
        error = _rejected("Uploading x\n", "File already exists.", files, "sample-pkg", "1.0", repo)
    # No line names a file of ours: the first file is the one named.
    assert error.cause == f"{SDIST} already exists on PyPI with different content"
    assert error.fix == FIX_CONFLICT
    assert error.output == "Uploading x\n"


def test_any_other_refusal_names_the_file_and_the_index_reason_even_with_the_index_down(
    files: list[Path],
) -> None:
    repo = repository(f"http://127.0.0.1:{closed_port()}/", testpypi=True)
    error = _rejected(OUTPUT, "Invalid classifier 'Foo'", files, "sample-pkg", "1.0", repo)
    assert error.cause == f"TestPyPI rejected {WHEEL}: Invalid classifier 'Foo'"
    assert error.fix == FIX_OTHER
    assert error.output == OUTPUT
