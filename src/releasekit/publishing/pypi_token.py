"""Read a PyPI API token offline: which index, which projects, until when.

A PyPI token is `pypi-` + unpadded base64url of a version-2 binary macaroon whose
caveats are plain JSON. Reading them lets a release stop *before* uploading with
a token that is bound to fail (wrong index, wrong project, expired). Nothing here
talks to the network, and the token itself is never kept, printed or raised.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from releasekit.system.facts import normalize_name

PREFIX = "pypi-"
PYPI = "pypi.org"
TESTPYPI = "test.pypi.org"
_PYPI_HOSTS = {"pypi.org", "upload.pypi.org", "www.pypi.org", "pypi.python.org"}
_TESTPYPI_HOSTS = {"test.pypi.org", "testpypi.python.org"}
_TOKEN_PAGES = {
    PYPI: "https://pypi.org/manage/account/token/",
    TESTPYPI: "https://test.pypi.org/manage/account/token/",
}
_MAX_CAVEATS = 64

# V2 binary macaroon field types (libmacaroons).
_EOS, _LOCATION, _IDENTIFIER, _SIGNATURE = 0, 1, 2, 6


@dataclass(frozen=True)
class TokenInfo:
    """What a token says about itself; holds no part of the token."""

    index: str | None
    projects: tuple[str, ...] | None
    account_wide: bool
    expires_at: int | None
    not_before: int | None
    readable: bool


@dataclass(frozen=True)
class Finding:
    """One problem with a token: a single line naming the cause and the fix."""

    level: Literal["error", "warning"]
    message: str


UNREADABLE = TokenInfo(None, None, False, None, None, readable=False)


class _Malformed(Exception):
    """Internal: the bytes are not a V2 macaroon (never leaves this module)."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Decode an unsigned LEB128 integer at `pos`; return (value, next position)."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise _Malformed
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _section(data: bytes, pos: int) -> tuple[dict[int, bytes], int]:
    """Read fields up to an end-of-section marker; return them by type."""
    fields: dict[int, bytes] = {}
    while True:
        kind, pos = _varint(data, pos)
        if kind == _EOS:
            return fields, pos
        length, pos = _varint(data, pos)
        if pos + length > len(data):
            raise _Malformed
        fields[kind] = data[pos : pos + length]
        pos += length


def _macaroon(raw: bytes) -> tuple[str, list[bytes]]:
    """Split a V2 binary macaroon into (location, caveat ids)."""
    if not raw or raw[0] != 2:
        raise _Malformed
    header, pos = _section(raw, 1)
    if _IDENTIFIER not in header:
        raise _Malformed
    location = header.get(_LOCATION, b"").decode("utf-8")
    caveats: list[bytes] = []
    while True:
        fields, pos = _section(raw, pos)
        if not fields:
            break
        if _IDENTIFIER not in fields or len(caveats) >= _MAX_CAVEATS:
            raise _Malformed
        caveats.append(fields[_IDENTIFIER])
    kind, pos = _varint(raw, pos)
    length, pos = _varint(raw, pos)
    if kind != _SIGNATURE or length != 32 or pos + length != len(raw):
        raise _Malformed
    return location, caveats


@dataclass
class _Scope:
    """Caveats accumulated while reading; every caveat narrows what the token may do."""

    projects: set[str] | None = None
    by_project_id: bool = False
    user: bool = False
    expires_at: int | None = None
    not_before: int | None = None
    understood: bool = True

    def limit_projects(self, names: object) -> None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.understood = False
            return
        found = {normalize_name(n) for n in names}
        self.projects = found if self.projects is None else self.projects & found

    def limit_time(self, expires: object, not_before: object) -> None:
        if isinstance(expires, int) and not isinstance(expires, bool):
            self.expires_at = expires if self.expires_at is None else min(self.expires_at, expires)
        else:
            self.understood = False
        if isinstance(not_before, int) and not isinstance(not_before, bool):
            before = not_before if self.not_before is None else max(self.not_before, not_before)
            self.not_before = before


def _read_caveat(caveat: object, scope: _Scope) -> None:
    """Apply one caveat (current `[tag, ...]` or legacy `{...}` form) to `scope`."""
    if isinstance(caveat, list) and caveat and isinstance(caveat[0], int):
        tag, args = caveat[0], caveat[1:]
        if tag == 0 and len(args) >= 1:
            scope.limit_time(args[0], args[1] if len(args) > 1 else None)
        elif tag == 1 and len(args) == 1:
            scope.limit_projects(args[0])
        elif tag == 2 or tag == 4:
            scope.by_project_id = True
        elif tag == 3:
            scope.user = True
        else:
            scope.understood = False
    elif isinstance(caveat, dict):
        if "exp" in caveat:
            scope.limit_time(caveat["exp"], caveat.get("nbf"))
        elif "project_ids" in caveat:
            scope.by_project_id = True
        elif caveat.get("version") == 1 and caveat.get("permissions") == "user":
            scope.user = True
        elif caveat.get("version") == 1 and isinstance(caveat.get("permissions"), dict):
            scope.limit_projects(caveat["permissions"].get("projects"))
        else:
            scope.understood = False
    else:
        scope.understood = False


def read_token(token: str) -> TokenInfo:
    """Parse `token`; anything unreadable gives `readable=False`, never an exception."""
    try:
        return _read(token)
    except Exception:  # an offline hint must never break a release
        return UNREADABLE


def _read(token: str) -> TokenInfo:
    if not isinstance(token, str):
        return UNREADABLE
    token = token.strip()
    if not token.startswith(PREFIX):
        return UNREADABLE
    body = token[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        location, caveat_ids = _macaroon(raw)
    except (binascii.Error, ValueError, _Malformed):
        return UNREADABLE
    scope = _Scope()
    for caveat_id in caveat_ids:
        try:
            _read_caveat(json.loads(caveat_id.decode("utf-8")), scope)
        except (UnicodeDecodeError, ValueError, RecursionError):
            scope.understood = False
    restricted = scope.projects is not None or scope.by_project_id
    return TokenInfo(
        index=location or None,
        projects=tuple(sorted(scope.projects)) if scope.projects is not None else None,
        account_wide=scope.user and not restricted,
        expires_at=scope.expires_at,
        not_before=scope.not_before,
        readable=scope.understood,
    )


def describe(info: TokenInfo) -> str:
    """What a token is, holding no part of it: "pypi.org token, scoped to x, no expiry"."""
    if info.projects:
        scope = "scoped to " + ", ".join(info.projects)
    elif info.account_wide:
        scope = "account-wide"
    else:
        scope = "of a scope that cannot be read offline"
    expiry = "no expiry" if info.expires_at is None else "expires " + _when(info.expires_at)
    return f"{info.index or 'PyPI'} token, {scope}, {expiry}"


def index_of_url(url: str) -> str | None:
    """`pypi.org` or `test.pypi.org` when `url` points at one of them, else None."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _PYPI_HOSTS:
        return PYPI
    if host in _TESTPYPI_HOSTS:
        return TESTPYPI
    return None


def _when(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def audit(
    token: str, *, repository_url: str, project: str, now: float | None = None
) -> list[Finding]:
    """Everything that would make PyPI refuse `token` for `project`, found offline."""
    info = read_token(token)
    now = time.time() if now is None else now
    target = index_of_url(repository_url)
    page = _TOKEN_PAGES.get(target or PYPI, _TOKEN_PAGES[PYPI])
    findings: list[Finding] = []

    if target and info.index in _TOKEN_PAGES and info.index != target:
        findings.append(
            Finding(
                "error",
                f"the token was made on {info.index} but the upload goes to {target}: "
                f"create a token in the account settings on {target} ({page}) "
                "and put it in PYPI_TOKEN",
            )
        )
    wanted = normalize_name(project)
    if info.projects is not None and wanted not in info.projects:
        allowed = ", ".join(info.projects) or "no project at all"
        findings.append(
            Finding(
                "error",
                f"the token only works for {allowed}, not for {wanted}: "
                f"create a token scoped to {wanted} ({page}) and update the PYPI_TOKEN secret",
            )
        )
    if info.expires_at is not None and info.expires_at <= now:
        findings.append(
            Finding(
                "error",
                f"the token expired on {_when(info.expires_at)}: "
                f"create a new token ({page}) and update the PYPI_TOKEN secret",
            )
        )
    if info.not_before is not None and info.not_before > now + 60:
        findings.append(
            Finding(
                "error",
                f"the token is not valid before {_when(info.not_before)}: "
                "wait until then or create a token without that restriction",
            )
        )
    if info.readable and info.account_wide:
        findings.append(
            Finding(
                "warning",
                f"the token can upload to every project of the account: "
                f"replace it with a token scoped to {wanted} ({page})",
            )
        )
    return findings
