"""Small facts several layers use, written once: PEP 503 names, file digests, "is a person
at the terminal?", and the environment variables that hold credentials."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO

PYPI_TOKEN = "PYPI_TOKEN"  # noqa: S105 - the variable's (and GitHub secret's) name, not a value
GITHUB_TOKENS = ("GITHUB_TOKEN", "GH_TOKEN")  # Actions' name first, then the gh CLI's
_NOT_CI = ("", "0", "false", "no")


def normalize_name(name: str) -> str:
    """PEP 503 normalized distribution name (without importing packaging.utils)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    import hashlib  # only the commands that hash pay for it

    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def in_ci(environ: Mapping[str, str]) -> bool:
    """CI=true (GitHub Actions, GitLab, most CIs); CI=false or 0 is a person's shell."""
    return environ.get("CI", "").strip().lower() not in _NOT_CI


def interactive(environ: Mapping[str, str], stream: IO[str] | None) -> bool:
    """A person can answer a prompt: not in CI and `stream` is a terminal."""
    if in_ci(environ) or stream is None:
        return False
    try:
        return stream.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def github_token(environ: Mapping[str, str]) -> str | None:
    """GITHUB_TOKEN, else GH_TOKEN; None when neither is set."""
    for name in GITHUB_TOKENS:
        token = environ.get(name, "").strip()
        if token:
            return token
    return None
