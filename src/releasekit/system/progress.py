"""The progress callback the quiet layers take: `with phase("building ...") as note:` around
a step that can take a while, `note("pkg.whl 1.2 MB / 3.4 MB")` for how far it is. The front
passes one that prints; the default says nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

Note = Callable[[str], None]
Phase = Callable[[str], AbstractContextManager[Note]]


def _unheard(_detail: str) -> None:
    """Nobody shows the detail."""


@contextlib.contextmanager
def silent(_text: str) -> Iterator[Note]:
    """No front listening (library use, tests): the step just runs."""
    yield _unheard
