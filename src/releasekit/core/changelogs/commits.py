"""`changelog = "none"`: no file; the notes are the commit subjects since the last tag."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from releasekit.core.changelogs.model import Pending, Rolled
from releasekit.core.config import tag_version
from releasekit.system.git import Git
from releasekit.system.record import record


@record
class NoChangelog:
    root: Path
    tag_format: str
    commit_message: str
    folder: str = ""  # a workspace member's folder: only the commits that touch it

    @property
    def paths(self) -> tuple[str, ...]:
        return ()

    def describe(self, files: Mapping[str, bytes]) -> str:
        return "none: the notes are the commit subjects since the last tag"

    def _tags(self) -> list[tuple[object, str]]:
        from packaging.version import InvalidVersion, Version

        found: list[tuple[object, str]] = []
        for tag in Git(self.root).tags():
            text = tag_version(tag, self.tag_format)
            try:
                found.append((Version(text or ""), tag))
            except InvalidVersion:
                continue
        return sorted(found, key=lambda item: item[0])  # type: ignore[arg-type,return-value]

    def _subjects(self, since: str | None, until: str) -> tuple[str, ...]:
        release = self.commit_message.split("{", 1)[0]
        # A subject is the message's first paragraph on one line, as git's %s gives it.
        subjects = (
            " ".join(message.split("\n\n", 1)[0].split())
            for _, message in Git(self.root).messages(
                since, until, paths=(self.folder,) if self.folder else ()
            )
        )
        return tuple(
            subject
            for subject in subjects
            if subject and not (release and subject.startswith(release))
        )

    def pending(self, files: Mapping[str, bytes]) -> Pending:
        tags = self._tags()
        return Pending(self._subjects(tags[-1][1] if tags else None, "HEAD"), "commits")

    def roll(
        self, files: Mapping[str, bytes], version: str, date: str, *, tag: str, allow_empty: bool
    ) -> Rolled:
        return Rolled({}, _bullets(self.pending(files).entries))

    def notes(self, files: Mapping[str, bytes], version: str) -> str:
        from packaging.version import Version

        wanted = Version(version)
        tags = self._tags()
        own = next((tag for parsed, tag in tags if parsed == wanted), None)
        if own is None:
            return self.roll(files, version, "", tag="", allow_empty=True).notes
        earlier = [tag for parsed, tag in tags if parsed < wanted]  # type: ignore[operator]
        return _bullets(self._subjects(earlier[-1] if earlier else None, f"{own}^"))


def _bullets(subjects: tuple[str, ...]) -> str:
    return "\n".join(f"- {subject}" for subject in subjects)
