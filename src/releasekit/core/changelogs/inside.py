"""A workspace member's changelog adapter seen from the repository root.

The adapters know the files of their own folder (`CHANGELOG.md`, `newsfragments/1.feature`);
a member's release plans paths from the root (`packages/alpha-kit/CHANGELOG.md`). This
wrapper translates both ways, so every adapter works for a member unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from releasekit.core.changelogs.model import Changelog, Pending, Rolled
from releasekit.system.record import record, replace


@record
class Inside:
    """`inner` reads and writes below `prefix` ("packages/alpha-kit/")."""

    inner: Changelog
    prefix: str

    def _out(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def _in(self, files: Mapping[str, bytes]) -> dict[str, bytes]:
        cut = len(self.prefix)
        return {path[cut:]: data for path, data in files.items() if path.startswith(self.prefix)}

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._out(path) for path in self.inner.paths)

    def describe(self, files: Mapping[str, bytes]) -> str:
        return self.inner.describe(self._in(files))

    def pending(self, files: Mapping[str, bytes]) -> Pending:
        return self.inner.pending(self._in(files))

    def roll(
        self, files: Mapping[str, bytes], version: str, date: str, *, tag: str, allow_empty: bool
    ) -> Rolled:
        rolled = self.inner.roll(self._in(files), version, date, tag=tag, allow_empty=allow_empty)
        return replace(
            rolled,
            writes={self._out(path): data for path, data in rolled.writes.items()},
            removed=tuple(replace(r, path=self._out(r.path)) for r in rolled.removed),
        )

    def notes(self, files: Mapping[str, bytes], version: str) -> str:
        return self.inner.notes(self._in(files), version)
