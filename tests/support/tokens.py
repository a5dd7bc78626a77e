"""Make PyPI-shaped tokens at run time, so no real-looking token is ever committed.

The bytes follow the V2 binary macaroon layout PyPI uses; the identifier and the
signature are random, so the result is valid in shape and useless as a credential.
"""

from __future__ import annotations

import base64
import json
import secrets
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
