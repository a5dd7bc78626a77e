"""Make PyPI-shaped tokens at run time, so no real-looking token is ever committed.

The bytes follow the V2 binary macaroon layout PyPI uses; the identifier and the
signature are random, so the result is valid in shape and useless as a credential.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid
from collections.abc import Sequence

ACCOUNT_WIDE: Sequence[object] = [[3, "00000000-0000-0000-0000-000000000000"]]


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(kind: int, data: bytes) -> bytes:
    return _varint(kind) + _varint(len(data)) + data


def encode(raw: bytes) -> str:
    """`pypi-` + unpadded base64url of `raw`, the way PyPI writes tokens."""
    return "pypi-" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def macaroon(location: str, caveats: list[bytes]) -> bytes:
    """A V2 binary macaroon with these raw caveat ids and a random signature."""
    out = bytearray(b"\x02")
    out += _field(1, location.encode()) + _field(2, str(uuid.uuid4()).encode()) + b"\x00"
    for caveat in caveats:
        out += _field(2, caveat) + b"\x00"
    out += b"\x00" + _field(6, secrets.token_bytes(32))
    return bytes(out)


def mint(location: str = "pypi.org", caveats: Sequence[object] | None = None) -> str:
    """A token for `location` carrying `caveats` (JSON values); account-wide by default."""
    chosen = ACCOUNT_WIDE if caveats is None else caveats
    ids = [json.dumps(caveat, separators=(",", ":")).encode() for caveat in chosen]
    return encode(macaroon(location, ids))


# Every token shape releasekit masks by its look alone (system/redact.py), whatever the
# environment holds. The values are made at run time and never set in any variable.
SHAPES = ("pypi", "ghp", "gho", "ghu", "ghs", "ghr", "github_pat", "bearer")
_ALNUM = string.ascii_letters + string.digits


def _random(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def shaped(kind: str) -> str:
    """A fresh token of `kind` (one of SHAPES), in the form its issuer writes it."""
    if kind == "pypi":
        return mint("pypi.org", [[1, ["another-project"]]])
    if kind in ("ghp", "gho", "ghu", "ghs", "ghr"):
        return f"{kind}_{_random(36)}"
    if kind == "github_pat":  # fine-grained: 22 characters, an underscore, 59 more
        return f"github_pat_{_random(22)}_{_random(59)}"
    if kind == "bearer":  # an Authorization header value, as a JWT-like opaque token
        return f"Bearer {_random(20)}.{_random(30, _ALNUM + '-_')}.{_random(12)}"
    raise ValueError(kind)


def tail(token: str) -> str:
    """The part that makes a token secret: what must never be shown, even alone."""
    return token.split(" ", 1)[-1][-20:]
