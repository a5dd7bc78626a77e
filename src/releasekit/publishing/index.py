"""Ask a package index which files of a release it already has.

Publishing is made idempotent by asking first (twine's --skip-existing only works
on PyPI). One bounded GET of the simple API page: PEP 691 JSON when the index
speaks it, the PEP 503 HTML page otherwise.
"""

from __future__ import annotations

import configparser
import json
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from releasekit.errors import ConfigError, PublishError
from releasekit.publishing.pypi_token import PYPI, TESTPYPI, index_of_url
from releasekit.system.facts import normalize_name

if TYPE_CHECKING:
    from packaging.version import Version

PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
PYPI_SIMPLE = "https://pypi.org/simple/"
TESTPYPI_UPLOAD = "https://test.pypi.org/legacy/"
TESTPYPI_SIMPLE = "https://test.pypi.org/simple/"
DEFAULT_PYPIRC = Path("~/.pypirc")
ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_REDIRECTS = 2


@dataclass(frozen=True)
class Repository:
    """Where to upload and where to look.

    `pypirc` is set when `name` is a .pypirc section twine can read itself (so its
    credentials apply); otherwise twine gets the upload URL.
    """

    name: str
    upload_url: str
    simple_url: str
    is_pypi: bool
    is_testpypi: bool
    pypirc: Path | None = None


def safe_url(url: str) -> str:
    """`url` without any user:password part, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _from_url(url: str, name: str, pypirc: Path | None = None) -> Repository:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(
            f"{safe_url(url)!r} is not an index URL",
            "give an http(s) URL such as http://127.0.0.1:8080/, or pypi, testpypi "
            "or a .pypirc section name",
        )
    known = index_of_url(url)
    if known == PYPI:
        return Repository(name, PYPI_UPLOAD, PYPI_SIMPLE, True, False, pypirc)
    if known == TESTPYPI:
        return Repository(name, TESTPYPI_UPLOAD, TESTPYPI_SIMPLE, False, True, pypirc)
    upload = url if parts.path else url + "/"
    base = safe_url(upload).split("#")[0].split("?")[0]
    if re.search(r"/legacy/?$", base):
        simple = re.sub(r"/legacy/?$", "/simple/", base)
    else:
        simple = base.rstrip("/") + "/simple/"
    return Repository(name, upload, simple, False, False, pypirc)


def _pypirc_sections(path: Path) -> dict[str, str]:
    """Section name -> repository URL, read the way twine reads .pypirc."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        # configparser's message may quote a password line: never pass it on.
        raise ConfigError(
            f"{path} is not a valid .pypirc file",
            "fix its syntax (https://packaging.python.org/specifications/pypirc/)",
        ) from exc
    servers = parser.get("distutils", "index-servers", fallback="pypi testpypi").split()
    sections = {"pypi": PYPI_UPLOAD}
    if "testpypi" in servers:
        sections["testpypi"] = TESTPYPI_UPLOAD
    for server in servers:
        if parser.has_option(server, "repository"):
            sections[server] = parser.get(server, "repository")
    return sections


def resolve_repository(name_or_url: str, *, pypirc: Path | None = None) -> Repository:
    """Turn `pypi`, `testpypi`, a URL or a .pypirc section name into a Repository."""
    if "://" in name_or_url:
        return _from_url(name_or_url, safe_url(name_or_url))
    path = (pypirc or DEFAULT_PYPIRC).expanduser()
    if pypirc is not None and not path.is_file():
        raise ConfigError(f"{path} does not exist", "create it or point to the right .pypirc")
    sections = _pypirc_sections(path) if path.is_file() else {"pypi": PYPI_UPLOAD}
    if name_or_url in sections:
        return _from_url(sections[name_or_url], name_or_url, path)
    if name_or_url == "testpypi":
        return _from_url(TESTPYPI_UPLOAD, name_or_url)
    known = ", ".join(sorted({"pypi", "testpypi", *sections}))
    raise ConfigError(
        f"unknown repository {name_or_url!r}",
        f"use one of {known}, an index URL, or add it to [distutils] index-servers in {path}",
    )


class _Anchors(HTMLParser):
    """Collect (filename, sha256) from the anchors of a PEP 503 page."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.files: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag != "a" or not href:
            return
        url, _, fragment = urljoin(self.page_url, href).partition("#")
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        algorithm, _, digest = fragment.partition("=")
        self.files.append((filename, digest.lower() if algorithm == "sha256" else None))


def _parse_page(body: bytes, content_type: str, url: str) -> list[tuple[str, str | None]]:
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        data = json.loads(text)
        files: list[tuple[str, str | None]] = []
        for entry in data.get("files", []):
            digest = (entry.get("hashes") or {}).get("sha256")
            files.append((str(entry["filename"]), str(digest).lower() if digest else None))
        return files
    parser = _Anchors(url)
    parser.feed(text)
    return parser.files


def is_release_file(filename: str, project: str, version: str) -> bool:
    """True when `filename` is an sdist or wheel of exactly `project` `version`."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion, Version

    try:
        if filename.endswith(".whl"):
            name, found, *_ = parse_wheel_filename(filename)
        else:
            name, found = parse_sdist_filename(filename)
        return name == canonicalize_name(project) and found == Version(version)
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
        return False


def _fetch(url: str, timeout: float) -> tuple[bytes, str] | None:
    """GET `url` within `timeout` seconds in total; None on 404."""
    import http.client
    import urllib.error
    import urllib.request

    class Limited(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

    shown = safe_url(url)
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{shown!r} is not an http(s) URL", "give the index's http(s) URL")
    opener = urllib.request.build_opener(Limited)
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})  # noqa: S310 (checked)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(65536):
                size += len(chunk)
                if size > MAX_PAGE_BYTES:
                    raise PublishError(
                        f"the index page {shown} is larger than {MAX_PAGE_BYTES} bytes",
                        "check that the repository URL points at a package index",
                    )
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise PublishError(
            f"the index at {shown} answered {exc.code} {exc.reason} when asked for its files",
            "check the repository URL and its read permissions, or retry later",
        ) from exc
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        detail = f"it did not answer within {timeout:g} s" if _is_timeout(reason) else reason
        raise PublishError(
            f"cannot reach the index at {shown}: {detail}",
            "check the repository URL and the network (is the index running?), then re-run",
        ) from exc


def _is_timeout(reason: object) -> bool:
    return isinstance(reason, TimeoutError) or "timed out" in str(reason)


def existing_files(
    repo: Repository, project: str, version: str, *, timeout: float = 30
) -> dict[str, str | None]:
    """Filename -> sha256 (None when the index gives none) of `version`'s files already there."""
    url = f"{repo.simple_url.rstrip('/')}/{normalize_name(project)}/"
    fetched = _fetch(url, timeout)
    if fetched is None:
        return {}
    body, content_type = fetched
    try:
        files = _parse_page(body, content_type, url)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(
            f"the index at {safe_url(url)} sent a page that is not a simple API page",
            "check that the repository URL points at a package index",
        ) from exc
    return {name: digest for name, digest in files if is_release_file(name, project, version)}


@dataclass(frozen=True)
class Provenance:
    """The newest release on an index and which of its files carry PEP 740 attestations.

    `version` is None when the index has no file of the project; `known` is False when its
    simple API does not say (no PEP 691 JSON with PEP 740 `provenance` keys)."""

    version: str | None
    attested: tuple[str, ...] = ()
    unattested: tuple[str, ...] = ()
    known: bool = True


def latest_provenance(repo: Repository, project: str, *, timeout: float = 30) -> Provenance:
    """One GET of the project's simple API page: its newest version's files and, for each,
    whether the index lists a provenance object (a file uploaded with attestations)."""
    url = f"{repo.simple_url.rstrip('/')}/{normalize_name(project)}/"
    fetched = _fetch(url, timeout)
    if fetched is None:
        return Provenance(None)
    body, content_type = fetched
    try:
        if "json" in content_type:
            files = json.loads(body.decode("utf-8", errors="replace"))["files"]
            entries = [
                (str(f["filename"]), bool(f.get("provenance")), "provenance" in f)
                for f in files
                if not f.get("yanked")
            ]
        else:
            entries = [(name, False, False) for name, _ in _parse_page(body, content_type, url)]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(
            f"the index at {safe_url(url)} sent a page that is not a simple API page",
            "check that the repository URL points at a package index",
        ) from exc
    releases: dict[Version, list[tuple[str, bool, bool]]] = {}
    for entry in entries:
        version = _version_of(entry[0])
        if version is not None:
            releases.setdefault(version, []).append(entry)
    if not releases:
        return Provenance(None)
    newest = max(releases)
    files_of = sorted(releases[newest])
    return Provenance(
        str(newest),
        attested=tuple(name for name, attested, _ in files_of if attested),
        unattested=tuple(name for name, attested, _ in files_of if not attested),
        known=all(said for _, _, said in files_of),
    )


def _version_of(filename: str) -> Version | None:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidSdistFilename, InvalidWheelFilename):
        return None
