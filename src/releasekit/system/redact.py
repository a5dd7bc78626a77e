"""Mask anything that looks like a secret before it reaches output or an error."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from releasekit.system.facts import GITHUB_TOKENS, PYPI_TOKEN

# PyPI tokens, GitHub tokens (classic and fine-grained), bearer headers.
_PATTERNS = re.compile(
    r"pypi-[A-Za-z0-9_\-]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|(?i:bearer)\s+[A-Za-z0-9._\-]{16,}"
)
SECRET_VARIABLES = (PYPI_TOKEN, "TWINE_PASSWORD", *GITHUB_TOKENS)
MASK = "********"


def secret_values(extra: Iterable[str] = ()) -> list[str]:
    """The secrets this process knows of: the usual variables plus any given."""
    values = [os.environ.get(name, "") for name in SECRET_VARIABLES]
    values.extend(extra)
    return sorted({value for value in values if len(value) >= 6}, key=len, reverse=True)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Return `text` with every known secret and token-shaped string masked."""
    for value in secret_values(extra):
        text = text.replace(value, MASK)
    return _PATTERNS.sub(MASK, text)
