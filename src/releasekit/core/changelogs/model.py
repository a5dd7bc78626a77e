"""What every changelog adapter answers: what is unreleased, the files after the roll,
and the notes of a version. Plain values, so the plan stays pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from releasekit.system.record import field, record


@record
class Pending:
    """What is waiting to be released, and where (for messages)."""

    entries: tuple[str, ...]
    where: str

    @property
    def empty(self) -> bool:
        return not self.entries


@record
class Removed:
    """A file the roll deletes (a consumed news fragment), with what undo puts back."""

    path: str
    before: bytes
    mode: int = 0o644


@record
class Rolled:
    """The changelog after the roll: new bytes per path, deleted files, the notes."""

    writes: Mapping[str, bytes]
    notes: str
    removed: tuple[Removed, ...] = ()
    messages: tuple[str, ...] = field(default=())


class Changelog(Protocol):
    """One way of keeping a changelog. `files` are the bytes the snapshot read."""

    @property
    def paths(self) -> tuple[str, ...]:
        """The files the snapshot must read (and a release may write)."""
        ...

    def describe(self, files: Mapping[str, bytes]) -> str: ...

    def pending(self, files: Mapping[str, bytes]) -> Pending: ...

    def roll(
        self, files: Mapping[str, bytes], version: str, date: str, *, tag: str, allow_empty: bool
    ) -> Rolled: ...

    def notes(self, files: Mapping[str, bytes], version: str) -> str: ...
