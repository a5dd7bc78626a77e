"""The progress callback the quiet layers take: `with phase("building ..."):` around a
step that can take a while. The front passes one that prints; the default says nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

Phase = Callable[[str], AbstractContextManager[None]]


@contextlib.contextmanager
def silent(_text: str) -> Iterator[None]:
    """No front listening (library use, tests): the step just runs."""
    yield
