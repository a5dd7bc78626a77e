"""towncrier: news fragments rolled into the news file by `towncrier build`.

At plan time towncrier runs for real, on a temporary copy of just its config, the news
file and the fragments: the news file it writes and the fragments it removes become
ordinary planned writes and deletions, which the journal undoes byte for byte.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from releasekit.core.changelogs.model import Pending, Removed, Rolled
from releasekit.errors import ChangelogError, CommandError
from releasekit.system import runner

TIMEOUT = 60.0
# Names towncrier never takes for fragments (its own ignore list).
_NOT_FRAGMENTS = {".gitignore", ".gitkeep", ".keep", "readme", "readme.md", "readme.rst"}


@dataclass(frozen=True)
class Towncrier:
    """The project's towncrier setup, as read from `config_file` ([tool.towncrier])."""

    root: Path
    config_file: str  # "pyproject.toml" or "towncrier.toml"
    settings: Mapping[str, Any]
    project_name: str
    fragments: tuple[Removed, ...]  # every file under the fragments directory

    @property
    def filename(self) -> str:
        return str(self.settings.get("filename", "NEWS.rst"))

    @property
    def directory(self) -> str:
        directory = self.settings.get("directory")
        if isinstance(directory, str) and directory:
            return directory
        package = str(self.settings.get("package", "") or self.project_name)
        base = PurePosixPath(str(self.settings.get("package_dir", ".")))
        return str(base / package / "newsfragments")

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.filename,)

    def describe(self, files: Mapping[str, bytes]) -> str:
        return f"towncrier (fragments in {self.directory}/, news file {self.filename})"

    def _ignored(self) -> set[str]:
        ignored = set(_NOT_FRAGMENTS)
        template = self.settings.get("template")
        if isinstance(template, str):
            ignored.add(PurePosixPath(template.split(":")[-1]).name.lower())
        extra = self.settings.get("ignore")
        if isinstance(extra, list):
            ignored.update(str(name).lower() for name in extra)
        return ignored

    def pending(self, files: Mapping[str, bytes]) -> Pending:
        ignored = self._ignored()
        names = tuple(
            f.path for f in self.fragments if PurePosixPath(f.path).name.lower() not in ignored
        )
        return Pending(names, f"{self.directory}/")

    def _empty(self) -> ChangelogError:
        return ChangelogError(
            f"no news fragments in {self.directory}/",
            f"add a fragment in {self.directory}/, e.g. `towncrier create 123.feature`, "
            "or pass --allow-empty-changelog",
        )

    def roll(
        self, files: Mapping[str, bytes], version: str, date: str, *, tag: str, allow_empty: bool
    ) -> Rolled:
        if self.settings.get("single_file", True) is False:
            raise ChangelogError(
                "towncrier single_file = false is not supported",
                'keep one news file, or set [tool.releasekit] changelog = "none"',
            )
        if self.pending(files).empty and not allow_empty:
            raise self._empty()
        if self.filename not in files:
            raise ChangelogError(
                f"{self.filename} (towncrier's news file) does not exist",
                "create it (it may be empty), commit it, then re-run",
            )
        before = files[self.filename]
        with tempfile.TemporaryDirectory(prefix="releasekit-towncrier-") as temp:
            work = Path(temp)
            self._copy(work, before)
            argv = [_towncrier(), "build", "--version", version, "--date", date, "--yes"]
            if not self.settings.get("name"):
                argv += ["--name", self.project_name]
            argv += ["--dir", str(work), "--config", str(work / self.config_file)]
            try:
                runner.run(argv, cwd=work, timeout=TIMEOUT)
            except CommandError as exc:
                raise ChangelogError(
                    exc.cause.replace(str(work), "."),
                    "run `towncrier build --draft` to see why, fix it, then re-run",
                    output=exc.output,
                ) from None
            after = (work / self.filename).read_bytes()
            removed = tuple(f for f in self.fragments if not (work / f.path).exists())
        if not removed and not allow_empty:
            raise self._empty()
        added = _inserted(before, after)
        title = f"towncrier build --version {version} --yes writes to {self.filename}:"
        draft = (title, *(f"     {line}" for line in added.splitlines()))
        return Rolled({self.filename: after}, _strip_title(added), removed, draft)

    def _copy(self, work: Path, news: bytes) -> None:
        for name in {self.config_file, "pyproject.toml"}:
            if (self.root / name).is_file():
                shutil.copyfile(self.root / name, work / name)
        target = work / self.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(news)
        template = self.settings.get("template")
        if isinstance(template, str) and (self.root / template).is_file():
            (work / template).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / template, work / template)
        (work / self.directory).mkdir(parents=True, exist_ok=True)
        for fragment in self.fragments:
            path = work / fragment.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fragment.before)

    def notes(self, files: Mapping[str, bytes], version: str) -> str:
        from releasekit.core.changelogs.text import notes_of

        data = files.get(self.filename)
        if data is None:
            raise ChangelogError(f"{self.filename} does not exist", "the notes come from it")
        return notes_of(data.decode("utf-8"), self.filename, version)


def _towncrier() -> str:
    found = shutil.which("towncrier")
    if found:
        return found
    beside = Path(sys.executable).parent / "towncrier"
    return str(beside) if beside.exists() else "towncrier"


def _inserted(before: bytes, after: bytes) -> str:
    """The text towncrier added: what lies between the common prefix and suffix."""
    old, new = before.decode("utf-8"), after.decode("utf-8")
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    start = old.rfind("\n", 0, start) + 1  # whole lines
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return new[start : len(new) - end].replace("\r\n", "\n").strip("\n")


def _strip_title(section: str) -> str:
    """The section without the title towncrier gave it (a `#` line or an underlined one)."""
    lines = section.split("\n")
    if lines and lines[0].startswith("#"):
        lines = lines[1:]
    elif len(lines) > 1 and lines[1].strip() and set(lines[1].strip()) <= set("=-~^*+#"):
        lines = lines[2:]
    return "\n".join(lines).strip("\n")


def find(root: Path, data: Mapping[str, Any], project_name: str) -> Towncrier | None:
    """The towncrier setup, from towncrier.toml or [tool.towncrier]; None without one."""
    from releasekit.core.config import parse_toml

    config_file, table = "pyproject.toml", data.get("tool", {}).get("towncrier")
    if (root / "towncrier.toml").is_file():
        parsed = parse_toml((root / "towncrier.toml").read_text(encoding="utf-8")) or {}
        config_file, table = "towncrier.toml", parsed.get("tool", {}).get("towncrier", {})
    if not isinstance(table, Mapping):
        return None
    found = Towncrier(root, config_file, table, project_name, ())
    return Towncrier(root, config_file, table, project_name, _fragments(root, found.directory))


def _fragments(root: Path, directory: str) -> tuple[Removed, ...]:
    base = root / directory
    if not base.is_dir():
        return ()
    found: list[Removed] = []
    for folder, _dirs, names in os.walk(base):
        for name in sorted(names):
            path = Path(folder) / name
            info = path.stat()
            if stat.S_ISREG(info.st_mode):
                relative = path.relative_to(root).as_posix()
                found.append(Removed(relative, path.read_bytes(), info.st_mode & 0o7777))
    return tuple(sorted(found, key=lambda f: f.path))
